"""What an import can fill in, per target: the fields, the header names that suggest them (Vietnamese and
English, matched without accents), and how one cell becomes a value.

A parser answers the value or raises ``CellError`` with a message for the report. Model rules (lengths,
email and URL formats, choices) are checked afterwards by ``full_clean`` in the service; parsers do what
the model cannot: Vietnamese number and date formats, tax codes, phone numbers, and names of related
records (``Lookups``, loaded once per import).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from modules.crm.dataio import fold
from modules.crm.errors import CrmError
from modules.crm.models import ImportJob, Lead
from modules.parties.models import Party
from modules.parties.provinces import PROVINCES
from modules.parties.services import tags_normalise
from modules.parties.validation import email_normalise, phone_normalise, tax_code_normalise

Target = ImportJob.Target


class CellError(ValueError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Lookups:
    """Related records by the names a file may use (folded), loaded once per import."""

    members: dict[str, int] = field(default_factory=dict)  # email (lower) -> user id
    sources: dict[str, object] = field(default_factory=dict)  # folded name or code -> LeadSource
    campaigns: dict[str, object] = field(default_factory=dict)  # utm code (lower) -> Campaign
    stages: dict[str, object] = field(default_factory=dict)  # folded name -> Stage of the default pipeline
    pipeline: object = None
    scoring_rules: list = field(default_factory=list)  # leads are scored as they are imported


# --------------------------------------------------------------------------- cell parsers


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime | date):
        return value.strftime("%d/%m/%Y")
    return str(value).strip()


def parse_text(value, lookups: Lookups) -> str:
    return _text(value)


def _normalised_by(normalise: Callable[[str], str]) -> Callable:
    """The parties' own normalisers (one message for forms and imports), their error as the cell's."""

    def parse(value, lookups: Lookups) -> str:
        try:
            return normalise(_text(value))
        except CrmError as error:
            raise CellError(error.message) from error

    return parse


parse_email = _normalised_by(email_normalise)
parse_tax_code = _normalised_by(tax_code_normalise)
_parse_phone_text = _normalised_by(phone_normalise)


def parse_phone(value, lookups: Lookups) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = f"0{int(value)}"  # a spreadsheet that stored the number as a number dropped its 0
    return _parse_phone_text(value, lookups)


def parse_url(value, lookups: Lookups) -> str:
    text = _text(value)
    if text and not re.match(r"^[a-z][a-z0-9+.-]*://", text, re.IGNORECASE):
        text = f"https://{text}"
    return text


TRUE_WORDS = {"1", "x", "y", "yes", "true", "co", "dung", "v"}
FALSE_WORDS = {"", "0", "n", "no", "false", "khong", "sai"}


def parse_bool(value, lookups: Lookups) -> bool:
    if isinstance(value, bool):
        return value
    word = fold(_text(value))
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError(_("Write yes or no."))


def parse_tags(value, lookups: Lookups) -> list[str]:
    parts = re.split(r"[,;]", _text(value))
    if any(len(part.strip()) > 50 for part in parts):
        raise CellError(_("A tag can have at most 50 characters."))
    return tags_normalise(parts)


def parse_name(value, lookups: Lookups) -> str:
    return " ".join(_text(value).split())


def parse_amount(value, lookups: Lookups) -> Decimal | None:
    """1.500.000 / 1,500,000 / 1500000,50 / 1.500.000,50 ₫: the last separator followed by other than
    exactly three digits is the decimal mark; a lone one followed by three is a thousands mark."""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        amount = Decimal(str(value))
    else:
        text = re.sub(r"(?i)vnđ|vnd|usd|[\s₫đ$]", "", _text(value))
        if not text:
            return None
        marks = [char for char in text if char in ".,"]
        if marks:
            last = text.rfind(marks[-1])
            decimals = text[last + 1:]
            lone_thousands = len(set(marks)) == 1 and (len(marks) > 1 or len(decimals) == 3)
            if lone_thousands:
                text = text.replace(marks[-1], "")
            else:
                text = text[:last].replace(".", "").replace(",", "") + "." + decimals
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise CellError(_("%(value)s is not a number.") % {"value": _text(value)}) from None
    if not amount.is_finite():
        raise CellError(_("%(value)s is not a number.") % {"value": _text(value)})
    if amount < 0:
        raise CellError(_("The amount cannot be negative."))
    return amount


DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y")


def parse_date(value, lookups: Lookups) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    if not text:
        return None
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise CellError(_("%(value)s is not a date: write dd/mm/yyyy.") % {"value": text})


def _choice_parser(choices, extra: dict[str, str] | None = None) -> Callable:
    """A value, its English or Vietnamese label, or an extra word, without accents."""
    known: dict[str, str] = {}

    def words() -> dict[str, str]:
        if not known:  # built on first use: labels translate only once the apps are loaded
            for value, label in choices:
                known[fold(value)] = value
                known[fold(str(label))] = value
                with translation.override("vi"):
                    known[fold(str(label))] = value
            for word, value in (extra or {}).items():
                known[fold(word)] = value
        return known

    def parse(cell, lookups: Lookups) -> str:
        text = _text(cell)
        if not text:
            return ""
        value = words().get(fold(text))
        if value is None:
            raise CellError(_("%(value)s is not one of: %(choices)s.") % {
                "value": text, "choices": ", ".join(str(label) for _value, label in choices)})
        return value

    return parse


def _province_names() -> dict[str, str]:
    names = {}
    for code, name in PROVINCES:
        names[fold(code)] = code
        names[_bare_province(name)] = code
    names.update({"hcm": "ho-chi-minh", "tphcm": "ho-chi-minh", "sai gon": "ho-chi-minh", "hn": "ha-noi",
                  "thua thien hue": "hue"})
    return names


def _bare_province(text: str) -> str:
    return re.sub(r"^(thanh pho|tinh|tp)\s+", "", fold(text))


PROVINCE_BY_NAME = _province_names()


def parse_province(value, lookups: Lookups) -> str:
    text = _text(value)
    if not text:
        return ""
    code = PROVINCE_BY_NAME.get(_bare_province(text)) or PROVINCE_BY_NAME.get(fold(text))
    if code is None:
        raise CellError(_("%(value)s is not one of the 34 provinces and cities.") % {"value": text})
    return code


def parse_member(value, lookups: Lookups) -> int | None:
    email = _text(value).lower()
    if not email:
        return None
    if email not in lookups.members:
        raise CellError(_("%(value)s is not a member of this workspace.") % {"value": email})
    return lookups.members[email]


def parse_source(value, lookups: Lookups):
    text = _text(value)
    if not text:
        return None
    if fold(text) not in lookups.sources:
        raise CellError(_("There is no lead source %(value)s.") % {"value": text})
    return lookups.sources[fold(text)]


def parse_campaign(value, lookups: Lookups):
    text = _text(value)
    if not text:
        return None
    if text.lower() not in lookups.campaigns:
        raise CellError(_("There is no campaign with the UTM code %(value)s.") % {"value": text})
    return lookups.campaigns[text.lower()]


def parse_stage(value, lookups: Lookups):
    text = _text(value)
    if not text:
        return None
    if fold(text) not in lookups.stages:
        raise CellError(_("%(value)s is not a stage of the default pipeline.") % {"value": text})
    return lookups.stages[fold(text)]


# --------------------------------------------------------------------------- fields per target


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: object
    parse: Callable = parse_text
    required: bool = False
    synonyms: tuple[str, ...] = ()

    def names(self) -> set[str]:
        """Folded header names that suggest this field: its key, its label, its synonyms."""
        names = {fold(self.key), fold(str(self.label)), *(fold(s) for s in self.synonyms)}
        with translation.override("vi"):
            names.add(fold(str(self.label)))
        return names


OWNER = FieldSpec("owner", gettext_lazy("Owner (member's email)"), parse_member, synonyms=(
    "owner email", "nguoi phu trach", "phu trach", "nhan vien phu trach", "nhan vien kinh doanh", "sales", "nvkd"))
EMAIL = FieldSpec("email", gettext_lazy("Email"), parse_email, synonyms=(
    "e mail", "mail", "thu dien tu", "dia chi email"))
PHONE = FieldSpec("phone", gettext_lazy("Phone"), parse_phone, synonyms=(
    "dien thoai", "so dien thoai", "sdt", "dt", "so dt", "mobile", "di dong", "tel", "telephone", "phone number"))
TAX_CODE = FieldSpec("tax_code", gettext_lazy("Tax code (MST)"), parse_tax_code, synonyms=(
    "mst", "ma so thue", "ma thue", "tax id", "tax number", "vat number", "vat"))

FIELDS: dict[str, list[FieldSpec]] = {
    Target.PARTIES: [
        FieldSpec("name", gettext_lazy("Name"), parse_name, required=True, synonyms=(
            "ten", "ten cong ty", "ten doanh nghiep", "ten khach hang", "khach hang", "cong ty", "doanh nghiep",
            "company", "company name", "customer", "customer name", "organization", "ten don vi", "don vi",
            "ho ten", "ho va ten", "full name")),
        FieldSpec("kind", gettext_lazy("Kind (company or person)"), _choice_parser(Party.Kind.choices, {
            "company": "organization", "cong ty": "organization", "to chuc": "organization",
            "doanh nghiep": "organization", "ca nhan": "person", "nguoi": "person", "individual": "person"}),
            synonyms=("loai", "type", "loai khach hang", "loai doi tac")),
        FieldSpec("is_customer", gettext_lazy("Customer (yes/no)"), parse_bool, synonyms=(
            "la khach hang", "khach hang co khong", "customer yes no")),
        FieldSpec("is_supplier", gettext_lazy("Supplier (yes/no)"), parse_bool, synonyms=(
            "supplier", "la nha cung cap", "nha cung cap", "ncc")),
        TAX_CODE, EMAIL, PHONE,
        FieldSpec("website", gettext_lazy("Website"), parse_url, synonyms=("web", "trang web", "url", "site")),
        FieldSpec("tags", gettext_lazy("Tags"), parse_tags, synonyms=("tag", "nhan", "the", "labels", "phan loai")),
        FieldSpec("province", gettext_lazy("Province / city"), parse_province, synonyms=(
            "tinh", "tinh thanh", "tinh thanh pho", "tinh tp", "thanh pho", "province", "city", "tp")),
        FieldSpec("street", gettext_lazy("Street address"), synonyms=(
            "dia chi", "address", "street", "duong", "so nha", "dia chi cu the")),
        OWNER,
    ],
    Target.LEADS: [
        FieldSpec("name", gettext_lazy("Contact name"), parse_name, required=True, synonyms=(
            "name", "ten", "ho ten", "ho va ten", "full name", "contact", "nguoi lien he", "ten lien he",
            "ten khach hang", "khach hang")),
        FieldSpec("company", gettext_lazy("Company"), synonyms=(
            "cong ty", "ten cong ty", "doanh nghiep", "ten doanh nghiep", "organization", "to chuc")),
        EMAIL, PHONE, TAX_CODE,
        FieldSpec("source", gettext_lazy("Source"), parse_source, synonyms=(
            "nguon", "lead source", "nguon khach", "kenh")),
        FieldSpec("campaign", gettext_lazy("Campaign (UTM code)"), parse_campaign, synonyms=(
            "chien dich", "utm campaign", "utm", "ma chien dich")),
        FieldSpec("estimated_value", gettext_lazy("Estimated value"), parse_amount, synonyms=(
            "value", "gia tri", "gia tri du kien", "gia tri uoc tinh", "budget", "ngan sach", "doanh thu du kien")),
        FieldSpec("status", gettext_lazy("Status"), _choice_parser(Lead.Status.choices), synonyms=(
            "trang thai", "tinh trang")),
        OWNER,
    ],
    Target.DEALS: [
        FieldSpec("title", gettext_lazy("Title"), parse_name, required=True, synonyms=(
            "ten", "name", "ten co hoi", "co hoi", "ten hop dong", "deal", "deal name", "tieu de", "opportunity")),
        FieldSpec("party", gettext_lazy("Company (name or tax code)"), parse_name, required=True, synonyms=(
            "party", "company", "customer", "khach hang", "cong ty", "ten cong ty", "ten khach hang", "account",
            "organization", "mst", "ma so thue", "tax code")),
        FieldSpec("value", gettext_lazy("Value"), parse_amount, synonyms=(
            "gia tri", "amount", "so tien", "doanh so", "gia tri hop dong")),
        FieldSpec("currency", gettext_lazy("Currency"), _choice_parser([("VND", "VND"), ("USD", "USD")], {
            "vnd": "VND", "đ": "VND", "₫": "VND", "dong": "VND", "$": "USD", "us$": "USD"}), synonyms=(
            "tien te", "loai tien", "don vi tien")),
        FieldSpec("stage", gettext_lazy("Stage"), parse_stage, synonyms=("giai doan", "buoc", "trang thai", "status")),
        FieldSpec("expected_close", gettext_lazy("Expected close"), parse_date, synonyms=(
            "expected close date", "close date", "closing date", "ngay du kien", "ngay chot", "du kien chot",
            "ngay dong")),
        OWNER,
    ],
}


def fields_of(target: str) -> dict[str, FieldSpec]:
    return {spec.key: spec for spec in FIELDS[target]}


def suggest_mapping(target: str, headers: list[str]) -> dict[str, str]:
    """Header -> field key for the headers we recognise; each field at most once, first header wins.

    Exact names first ("SĐT", "Mã số thuế"), then a header that contains a longer name as whole words
    ("Số điện thoại di động")."""
    specs = FIELDS[target]
    names = {spec.key: spec.names() for spec in specs}
    mapping: dict[str, str] = {}
    for header in headers:
        folded = fold(header)
        for spec in specs:
            if spec.key not in mapping.values() and folded in names[spec.key]:
                mapping[header] = spec.key
                break
    for header in headers:
        if header in mapping:
            continue
        padded = f" {fold(header)} "
        candidates = [(len(name), spec.key) for spec in specs if spec.key not in mapping.values()
                      for name in names[spec.key] if (" " in name or len(name) >= 5) and f" {name} " in padded]
        if candidates:
            mapping[header] = max(candidates)[1]
    return mapping
