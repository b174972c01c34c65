"""Amounts in words for documents ("Bằng chữ: Một triệu hai trăm nghìn đồng").

Vietnamese follows the accounting convention of invoices, which num2words does not: every group of three digits
after the first is read in full, so 1.005 is "một nghìn không trăm lẻ năm" (num2words drops "không trăm") and
1.015 is "một nghìn không trăm mười lăm" (num2words says "lẻ mười lăm", which is wrong). English uses num2words,
without its commas.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from num2words import num2words

DIGITS = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]
GROUPS = [(10**6, "triệu"), (10**3, "nghìn"), (1, "")]
BILLION = 10**9

# currency -> (major unit, minor unit, minor units in a major one) per language
CURRENCY_WORDS = {
    "vi": {"VND": ("đồng", "", 1), "USD": ("đô la Mỹ", "xu", 100)},
    "en": {"VND": ("dong", "", 1), "USD": ("US dollars", "cents", 100)},
}


def _vi_hundreds(number: int, *, full: bool) -> list[str]:
    """0 < number < 1000; ``full`` reads a zero hundred ("không trăm"), as every group but the first does."""
    hundreds, tens, units = number // 100, number // 10 % 10, number % 10
    words = []
    if hundreds or full:
        words += [DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units:
            words += (["lẻ"] if words else []) + [DIGITS[units]]
    elif tens == 1:
        words.append("mười")
        if units:
            words.append("lăm" if units == 5 else DIGITS[units])
    else:
        words += [DIGITS[tens], "mươi"]
        if units:
            words.append({1: "mốt", 5: "lăm"}.get(units, DIGITS[units]))
    return words


def _vi_words(number: int) -> list[str]:
    """Words of 0 < number, billions read recursively ("một nghìn tỷ")."""
    billions, rest = divmod(number, BILLION)
    words = [*_vi_words(billions), "tỷ"] if billions else []
    for size, name in GROUPS:
        group = rest // size % 1000
        if group:
            words += _vi_hundreds(group, full=bool(words)) + ([name] if name else [])
    return words


def number_in_words(number: int, lang: str = "vi") -> str:
    """A whole number in words, lowercase."""
    if lang == "vi":
        if number == 0:
            return DIGITS[0]
        text = " ".join(_vi_words(abs(number)))
        return f"âm {text}" if number < 0 else text
    return num2words(number, lang="en").replace(",", "")


def _unit(name: str, count: int, lang: str) -> str:
    return name[:-1] if lang == "en" and count == 1 and name.endswith("s") else name


def amount_in_words(amount, currency: str = "VND", lang: str = "vi") -> str:
    """``amount`` of ``currency`` in words, first letter capitalised: 1200000 VND in Vietnamese is
    "Một triệu hai trăm nghìn đồng"; in English "One million two hundred thousand dong". Cents, when there are
    any, follow the whole units ("... đô la Mỹ và năm mươi xu" / "... US dollars and fifty cents")."""
    lang = "vi" if (lang or "vi").startswith("vi") else "en"
    major, minor, per_major = CURRENCY_WORDS[lang].get(currency.upper(), (currency.upper(), "", 1))
    amount = Decimal(str(amount))
    places = Decimal(1) / per_major
    amount = amount.quantize(places, rounding=ROUND_HALF_UP)
    whole = int(abs(amount))
    cents = int((abs(amount) - whole) * per_major)
    text = f"{number_in_words(whole, lang)} {_unit(major, whole, lang)}"
    if cents and minor:
        joiner = "và" if lang == "vi" else "and"
        text = f"{text} {joiner} {number_in_words(cents, lang)} {_unit(minor, cents, lang)}"
    if amount < 0:
        text = f"{'âm' if lang == 'vi' else 'minus'} {text}"
    return text[:1].upper() + text[1:]
