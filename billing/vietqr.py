"""VietQR payloads for bank-transfer payment orders, and their QR image as SVG.

VietQR ("QR chuyen khoan", NAPAS 247 inter-bank fund transfer) is the Vietnamese profile of the EMVCo
Merchant-Presented QR. A payload is a string of TLV data objects, each ``ID`` (2 digits) + ``LEN``
(2 digits, value length in characters, 01-99) + ``VALUE``, in this order::

    00 "01"                          payload format indicator
    01 "12" | "11"                   point of initiation: 12 dynamic (one order, fixed amount), 11 static
    38 {                             merchant account information (NAPAS template)
         00 "A000000727"             NAPAS GUID
         01 { 00 <bank BIN, 6 digits>, 01 <account number> }
         02 "QRIBFTTA"               service: inter-bank fund transfer to an account
       }
    53 "704"                         currency, ISO 4217 numeric (VND)
    54 <amount>                      whole dong, digits only; omitted when not given
    58 "VN"                          country
    62 { 08 <reference> }            additional data: purpose of transaction (transfer content)
    63 <CRC>                         CRC-16/CCITT-FALSE of everything before it, including "6304"

Everything is rendered locally: no network call, no Pillow.
"""

from __future__ import annotations

import binascii
import re

import qrcode
import qrcode.constants
from qrcode.image.svg import SvgPathFillImage

NAPAS_GUID = "A000000727"
SERVICE_TRANSFER_TO_ACCOUNT = "QRIBFTTA"
CURRENCY_VND = "704"
COUNTRY_VN = "VN"
POI_DYNAMIC = "12"
POI_STATIC = "11"

# Explicit ASCII classes: ``\d`` and ``str.isdigit`` also accept other scripts' digits, which a bank app would not.
_BIN_RE = re.compile(r"[0-9]{6}")
_ACCOUNT_RE = re.compile(r"[A-Za-z0-9]{1,19}")
_REFERENCE_RE = re.compile(r"[A-Za-z0-9]{1,25}")
_AMOUNT_MAX = 10**13 - 1  # the amount field holds at most 13 characters
_CRC_TAG = "6304"


def crc16_ccitt(data: str) -> str:
    """CRC-16/CCITT-FALSE of ``data``'s UTF-8 bytes, as 4 upper-case hex digits.

    Parameters: polynomial 0x1021, initial value 0xFFFF, no input/output reflection, no final XOR
    (the checksum EMVCo QR codes use). Check value: ``crc16_ccitt("123456789") == "29B1"``.
    """
    # crc_hqx is exactly this CRC (non-reflected 0x1021) with a caller-chosen initial value, in C.
    return f"{binascii.crc_hqx(data.encode('utf-8'), 0xFFFF):04X}"


def _tlv(tag: str, value: str) -> str:
    if not 1 <= len(value) <= 99:
        raise ValueError(f"VietQR field {tag}: value must be 1-99 characters, got {len(value)}")
    return f"{tag}{len(value):02d}{value}"


def _check_inputs(*, bank_bin: str, account_number: str, amount: int | None, reference: str, dynamic: bool) -> None:
    if not isinstance(bank_bin, str) or not _BIN_RE.fullmatch(bank_bin):
        raise ValueError(f"bank_bin must be the bank's 6-digit NAPAS BIN, got {bank_bin!r}")
    if not isinstance(account_number, str) or not _ACCOUNT_RE.fullmatch(account_number):
        raise ValueError(f"account_number must be 1-19 letters or digits (no spaces or dashes), got {account_number!r}")
    if amount is None:
        if dynamic:
            raise ValueError("a dynamic VietQR needs an amount; pass dynamic=False for a static code without one")
    else:
        # bool is an int subclass; Decimal/float would hide a fractional amount, and VND has no minor unit.
        if isinstance(amount, bool) or not isinstance(amount, int):
            raise ValueError(f"amount must be an int of whole dong (VND has no decimals), got {amount!r}")
        if not 0 < amount <= _AMOUNT_MAX:
            raise ValueError(f"amount must be a positive whole number of dong with at most 13 digits, got {amount}")
    # The bank statement line is matched against this exactly, so nothing a bank might strip or transliterate.
    if not isinstance(reference, str) or not _REFERENCE_RE.fullmatch(reference):
        raise ValueError(f"reference must be 1-25 characters of A-Z, a-z, 0-9 only, got {reference!r}")


def _assemble(*, bank_bin: str, account_number: str, amount: int | None, reference: str, dynamic: bool) -> str:
    beneficiary = _tlv("00", bank_bin) + _tlv("01", account_number)
    merchant = _tlv("00", NAPAS_GUID) + _tlv("01", beneficiary) + _tlv("02", SERVICE_TRANSFER_TO_ACCOUNT)
    # 53 before 54 as EMVCo orders root IDs ascending; published generators and bank-issued codes agree.
    body = (
        _tlv("00", "01")
        + _tlv("01", POI_DYNAMIC if dynamic else POI_STATIC)
        + _tlv("38", merchant)
        + _tlv("53", CURRENCY_VND)
        + (_tlv("54", str(amount)) if amount is not None else "")
        + _tlv("58", COUNTRY_VN)
        + _tlv("62", _tlv("08", reference))
        + _CRC_TAG
    )
    return body + crc16_ccitt(body)


def vietqr_payload(
    *, bank_bin: str, account_number: str, amount: int | None, reference: str, dynamic: bool = True
) -> str:
    """Build the VietQR payload string for a transfer of ``amount`` dong to a bank account.

    Format (see the module docstring): ``000201`` + ``0102`` "12" (dynamic) or "11" (static) + ``38``
    {00 A000000727, 01 {00 BIN, 01 account}, 02 QRIBFTTA} + ``5303704`` + ``54`` amount (if given) +
    ``5802VN`` + ``62`` {08 reference} + ``6304`` + CRC-16/CCITT-FALSE hex.

    - ``bank_bin``: the receiving bank's 6-digit NAPAS BIN, e.g. "970436" (Vietcombank).
    - ``account_number``: 1-19 ASCII letters or digits.
    - ``amount``: whole dong as a positive ``int`` of at most 13 digits, or None (static codes only).
    - ``reference``: transfer content the payer's bank copies to the statement, 1-25 of [A-Za-z0-9].
    - ``dynamic``: True for a one-order code ("12", amount required), False for a reusable one ("11").

    Raises ValueError with a message naming the offending input.
    """
    _check_inputs(bank_bin=bank_bin, account_number=account_number, amount=amount, reference=reference, dynamic=dynamic)
    return _assemble(
        bank_bin=bank_bin, account_number=account_number, amount=amount, reference=reference, dynamic=dynamic
    )


def _tlv_parse(data: str, where: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    pos = 0
    while pos < len(data):
        header = data[pos : pos + 4]
        if len(header) < 4 or not header.isascii() or not header.isdigit():
            raise ValueError(f"malformed VietQR {where}: bad TLV header {header!r} at offset {pos}")
        tag, length = header[:2], int(header[2:])
        value = data[pos + 4 : pos + 4 + length]
        if length == 0 or len(value) != length:
            raise ValueError(f"malformed VietQR {where}: field {tag} declares length {length} at offset {pos}")
        if tag in fields:
            raise ValueError(f"malformed VietQR {where}: field {tag} appears twice")
        fields[tag] = value
        pos += 4 + length
    return fields


def vietqr_parse(payload: str) -> dict:
    """Parse and verify a VietQR payload (the format :func:`vietqr_payload` builds).

    Returns ``{"bank_bin", "account_number", "amount", "reference", "currency", "country"}``: strings,
    except ``amount`` (int dong, or None when field 54 is absent); ``reference`` (field 62/08) is None
    when absent. The reference is returned as found, without the builder's character restrictions, so
    codes from other generators can be inspected.

    Raises ValueError("bad_crc") if the checksum does not match, and ValueError with a description for
    any other structural problem (not TLV, no CRC field at the end, no NAPAS account information...).
    """
    if not isinstance(payload, str) or len(payload) < 8 or payload[-8:-4] != _CRC_TAG:
        raise ValueError("malformed VietQR: it must end with the CRC field 6304XXXX")
    # Checked before the structure so that any corruption reports as bad_crc, whatever it broke.
    if crc16_ccitt(payload[:-4]) != payload[-4:].upper():
        raise ValueError("bad_crc")
    root = _tlv_parse(payload, "payload")
    if next(reversed(root)) != "63":
        raise ValueError("malformed VietQR: the CRC field 63 must come last")
    if root.get("00") != "01":
        raise ValueError(f"malformed VietQR: payload format indicator must be 01, got {root.get('00')!r}")
    if "38" not in root:
        raise ValueError("not a VietQR bank transfer: no merchant account information (field 38)")
    merchant = _tlv_parse(root["38"], "field 38")
    if merchant.get("00") != NAPAS_GUID:
        raise ValueError(f"not a VietQR bank transfer: field 38 GUID is {merchant.get('00')!r}, not {NAPAS_GUID}")
    beneficiary = _tlv_parse(merchant.get("01", ""), "field 38/01")
    if "00" not in beneficiary or "01" not in beneficiary:
        raise ValueError("malformed VietQR: field 38/01 must hold the bank BIN (00) and account number (01)")
    amount: int | None = None
    if "54" in root:
        if not (root["54"].isascii() and root["54"].isdigit()):
            raise ValueError(f"VietQR amount must be whole dong, digits only, got {root['54']!r}")
        amount = int(root["54"])
    reference = _tlv_parse(root["62"], "field 62").get("08") if "62" in root else None
    return {
        "bank_bin": beneficiary["00"],
        "account_number": beneficiary["01"],
        "amount": amount,
        "reference": reference,
        "currency": root.get("53"),
        "country": root.get("58"),
    }


def vietqr_svg(payload: str) -> str:
    """Render ``payload`` as a QR code in a standalone SVG document string.

    Error correction level M, a 4-module quiet zone (the minimum the QR standard asks for), one
    ``<path>`` for the dark modules on a white background, and a ``viewBox`` so it scales to any size.
    The payload is verified with :func:`vietqr_parse` first (ValueError if it is not a valid VietQR).
    """
    vietqr_parse(payload)  # drawing a code that every bank app rejects helps nobody
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(payload)
    code.make(fit=True)
    # SvgPathImage plus a white background rect: the quiet zone must stay light on a dark page too.
    image = code.make_image(image_factory=SvgPathFillImage)
    return image.to_string(encoding="unicode")
