"""Vietnamese-first formatting: money with the currency's own minor units, dd/mm/yyyy dates.

VND has no minor unit: ``1234567`` -> ``1.234.567 ₫``. USD keeps cents: ``1,234.50 US$`` in
English, ``1.234,50 US$`` in Vietnamese. The active language picks the separators.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils import timezone, translation

register = template.Library()

CURRENCY_DECIMALS = {"VND": 0, "USD": 2, "EUR": 2, "JPY": 0}
CURRENCY_SYMBOLS = {"VND": "₫", "USD": "US$", "EUR": "€", "JPY": "¥"}


def format_money(amount, currency: str = "VND", language: str | None = None) -> str:
    if amount is None or amount == "":
        return ""
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        return str(amount)
    places = CURRENCY_DECIMALS.get(currency.upper(), 2)
    value = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    language = language or translation.get_language() or "vi"
    thousands, decimal_mark = (",", ".") if language.startswith("en") else (".", ",")
    sign = "-" if value < 0 else ""
    whole, _, fraction = f"{abs(value):.{places}f}".partition(".")
    grouped = f"{int(whole):,}".replace(",", thousands)
    number = f"{grouped}{decimal_mark}{fraction}" if places else grouped
    return f"{sign}{number} {CURRENCY_SYMBOLS.get(currency.upper(), currency.upper())}"


def format_date(value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


@register.filter(name="money")
def money_filter(amount, currency="VND"):
    return format_money(amount, currency)


@register.filter(name="vnd")
def vnd_filter(amount):
    return format_money(amount, "VND")


@register.filter(name="dmy")
def dmy_filter(value):
    return format_date(value)


@register.filter(name="filesize_mb")
def filesize_mb(value):
    return f"{(value or 0) / (1024 * 1024):.1f} MB"
