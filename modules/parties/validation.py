"""Normalising what people type for a party: Vietnamese tax codes (MST), phone numbers, emails.

Each function returns the stored form ("" for a blank input) or raises ``CrmError`` with a stable code and
the field it concerns, so services, forms and imports report the same message.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.vn import mst

from modules.crm.errors import CrmError

# Mobile: 03x, 05x, 07x, 08x, 09x with 10 digits; landline: 02x with 11 digits (national form, leading 0).
_MOBILE = re.compile(r"0[35789]\d{8}")
_LANDLINE = re.compile(r"02\d{9}")
_PHONE_SEPARATORS = re.compile(r"[\s.\-()/]")


def tax_code_normalise(value: str | None) -> str:
    """A valid MST as stored: ``0100233488`` (10 digits) or ``0100233488-001`` (a branch, 13 digits)."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        return mst.format(mst.validate(value))
    except InvalidLength as error:
        raise CrmError("invalid_tax_code", _("A tax code has 10 digits, or 13 for a branch (0123456789-001)."),
                       field="tax_code") from error
    except InvalidChecksum as error:
        raise CrmError("invalid_tax_code", _("This tax code is not valid: its check digit does not match."),
                       field="tax_code") from error
    except (InvalidFormat, StdnumError) as error:
        raise CrmError("invalid_tax_code", _("This tax code is not valid. Use digits only, like 0123456789 or "
                                             "0123456789-001."), field="tax_code") from error


def phone_normalise(value: str | None) -> str:
    """A Vietnamese phone number as stored: ``+84`` and the national number without its leading 0.

    Accepts spaces, dots, dashes and brackets, and a ``+84``, ``84`` or ``0084`` prefix (with or without the 0
    people often keep after it): ``0912 345 678``, ``+84 912.345.678`` and ``84-912-345-678`` all give
    ``+84912345678``; a landline ``024 3825 1234`` gives ``+842438251234``.
    """
    raw = (value or "").strip()
    if not raw:
        return ""
    compact = _PHONE_SEPARATORS.sub("", raw)
    if compact.startswith("+"):
        if not compact.startswith("+84"):
            raise CrmError("invalid_phone", _("Only Vietnamese numbers (+84) are accepted."), field="phone")
        compact = compact[1:]
    elif compact.startswith("0084"):
        compact = compact[2:]
    if not compact.isdigit():
        raise CrmError("invalid_phone", _("A phone number has digits only (spaces, dots and dashes are fine)."),
                       field="phone")
    if compact.startswith("84") and len(compact) >= 11:
        rest = compact[2:]
        national = rest if rest.startswith("0") else f"0{rest}"
    else:
        national = compact
    if _MOBILE.fullmatch(national) or _LANDLINE.fullmatch(national):
        return f"+84{national[1:]}"
    raise CrmError(
        "invalid_phone",
        _("Not a Vietnamese phone number: a mobile has 10 digits and starts with 03, 05, 07, 08 or 09; a landline "
          "has 11 digits and starts with 02."),
        field="phone",
    )


def email_normalise(value: str | None) -> str:
    email = (value or "").strip().lower()
    if not email:
        return ""
    try:
        validate_email(email)
    except ValidationError as error:
        raise CrmError("invalid_email", _("Enter a valid email address."), field="email") from error
    return email


def phone_search_digits(query: str) -> str:
    """The part of a typed number to look for in stored ``+84…`` phones ("" if the query is not a number)."""
    compact = _PHONE_SEPARATORS.sub("", query.strip()).removeprefix("+")
    if not compact.isdigit() or len(compact) < 3:
        return ""
    if compact.startswith("0084"):
        compact = compact[4:]
    elif compact.startswith("84") and len(compact) >= 11:
        compact = compact[2:]
    return compact.removeprefix("0")
