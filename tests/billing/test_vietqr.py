import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
import qrcode.util

from billing.vietqr import _assemble, _tlv, crc16_ccitt, vietqr_parse, vietqr_payload, vietqr_svg

# Published payloads from other generators, so that a shared misreading of the spec cannot pass unnoticed.
# The field order they use (00 01 38 53 54 58 62 63) is the one this module builds; nothing had to be adapted.
#
# trungthanh-tran/vietqr-generator (PHP), tests/QRGeneratorTest.php @ 2245648ec8b9c9b2e17c63df3678624982fba781:
# Vietcombank 1016039126 and MB 6850180919999, 500,000 dong, references "65498" / "65503".
PUBLISHED_ALPHANUMERIC = [
    (
        "00020101021238540010A00000072701240006970436011010160391260208QRIBFTTA530370454065000005802VN"
        "620908056549863046206",
        {"bank_bin": "970436", "account_number": "1016039126", "amount": 500000, "reference": "65498"},
    ),
    (
        "00020101021238570010A00000072701270006970422011368501809199990208QRIBFTTA530370454065000005802VN"
        "62090805655036304D97D",
        {"bank_bin": "970422", "account_number": "6850180919999", "amount": 500000, "reference": "65503"},
    ),
]
# xuannghia/vietnam-qr-pay (npm "vietnam-qr-pay"), test/test-quick-gen-qr.spec.ts
# @ 7eeb5efec7176cd73863230446588a86c4e221b7:
# ACB 257678859, 10,000 dong, "Chuyen tien". Its reference has a space, which vietqr_payload refuses.
PUBLISHED_WITH_SPACE = (
    "00020101021238530010A0000007270123000697041601092576788590208QRIBFTTA53037045405100005802VN"
    "62150811Chuyen tien630453E6"
)
# subiz/vietqr (Go), README.md @ 8da5679a6a8e91b8e4815239d6ddfd5d8856e738:
# VietinBank 0011001932418, 120,000 dong, "ung ho lu lut".
PUBLISHED_SUBIZ = (
    "00020101021238570010A00000072701270006970415011300110019324180208QRIBFTTA530370454061200005802VN"
    "62170813ung ho lu lut6304C15C"
)

# Field 38 of the first published payload, for hand-made malformed payloads around it.
PUBLISHED_38 = "38540010A00000072701240006970436011010160391260208QRIBFTTA"

VALID = {"bank_bin": "970436", "account_number": "1016039126", "amount": 150000, "reference": "INV2026A1"}


def _crc_bitwise(data: str) -> str:
    """The textbook bit-at-a-time CRC-16/CCITT-FALSE, independent of the module's implementation."""
    crc = 0xFFFF
    for byte in data.encode("utf-8"):
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return f"{crc:04X}"


def _with_crc(body: str) -> str:
    return body + "6304" + crc16_ccitt(body + "6304")


# --- CRC ---


def test_crc_check_value():
    assert crc16_ccitt("123456789") == "29B1"


@pytest.mark.parametrize("data", ["", "A", "0002010102", "chuyển khoản đơn hàng", PUBLISHED_SUBIZ[:-4]])
def test_crc_matches_the_bitwise_definition_over_utf8(data):
    assert crc16_ccitt(data) == _crc_bitwise(data)
    assert re.fullmatch(r"[0-9A-F]{4}", crc16_ccitt(data))


def test_crc_of_published_payloads():
    for payload in [p for p, _ in PUBLISHED_ALPHANUMERIC] + [PUBLISHED_WITH_SPACE, PUBLISHED_SUBIZ]:
        assert crc16_ccitt(payload[:-4]) == payload[-4:]


def test_every_single_changed_digit_is_caught_by_the_crc():
    payload = vietqr_payload(**VALID)
    positions = [i for i, ch in enumerate(payload[:-8]) if ch.isdigit()]
    assert len(positions) > 50
    for i in positions:
        tampered = payload[:i] + str((int(payload[i]) + 1) % 10) + payload[i + 1 :]
        with pytest.raises(ValueError, match=r"^bad_crc$"):
            vietqr_parse(tampered)


def test_a_changed_checksum_is_caught():
    payload = vietqr_payload(**VALID)
    wrong = "0" if payload[-1] != "0" else "1"
    with pytest.raises(ValueError, match=r"^bad_crc$"):
        vietqr_parse(payload[:-1] + wrong)


def test_the_amount_cannot_be_changed_with_the_length_kept():
    payload = vietqr_payload(**VALID)
    assert "5406150000" in payload
    with pytest.raises(ValueError, match=r"^bad_crc$"):
        vietqr_parse(payload.replace("5406150000", "5406950000"))


# --- published examples ---


@pytest.mark.parametrize(("payload", "fields"), PUBLISHED_ALPHANUMERIC)
def test_published_payload_parses(payload, fields):
    assert vietqr_parse(payload) == {**fields, "currency": "704", "country": "VN"}


@pytest.mark.parametrize(("payload", "fields"), PUBLISHED_ALPHANUMERIC)
def test_builder_reproduces_published_payload_exactly(payload, fields):
    assert vietqr_payload(**fields) == payload


def test_published_payload_with_a_spaced_reference():
    fields = vietqr_parse(PUBLISHED_WITH_SPACE)
    assert fields == {
        "bank_bin": "970416",
        "account_number": "257678859",
        "amount": 10000,
        "reference": "Chuyen tien",
        "currency": "704",
        "country": "VN",
    }
    # The byte layout still matches this second generator; only the reference policy keeps it out of the builder.
    assert _assemble(**{k: fields[k] for k in VALID}, dynamic=True) == PUBLISHED_WITH_SPACE
    with pytest.raises(ValueError, match="reference"):
        vietqr_payload(**{k: fields[k] for k in VALID})


def test_subiz_payload_parses():
    assert vietqr_parse(PUBLISHED_SUBIZ) == {
        "bank_bin": "970415",
        "account_number": "0011001932418",
        "amount": 120000,
        "reference": "ung ho lu lut",
        "currency": "704",
        "country": "VN",
    }


def test_static_code_without_reference_parses():
    # xuannghia/vietnam-qr-pay, same test file: a static ACB code with neither amount nor field 62.
    fields = vietqr_parse("00020101021138530010A0000007270123000697041601092576788590208QRIBFTTA53037045802VN6304AE9F")
    assert fields["amount"] is None
    assert fields["reference"] is None
    assert fields["account_number"] == "257678859"


# --- builder ---


def test_payload_layout():
    payload = vietqr_payload(**VALID)
    expected_fields = [
        "000201",
        "010212",
        "3854" + "0010A000000727" + "0124" + "0006970436" + "01101016039126" + "0208QRIBFTTA",
        "5303704",
        "5406150000",
        "5802VN",
        "6213" + "0809INV2026A1",
    ]
    assert payload == _with_crc("".join(expected_fields))


@pytest.mark.parametrize(
    "fields",
    [
        VALID,
        {**VALID, "amount": 1},
        {**VALID, "amount": 9_999_999_999_999, "account_number": "A" * 19, "reference": "Z9" * 12 + "x"},
        {"bank_bin": "970422", "account_number": "0", "amount": 79000, "reference": "a"},
        {"bank_bin": "970416", "account_number": "VQRQAENYI0529", "amount": 2_000_000, "reference": "DH00012345"},
    ],
)
def test_round_trip_dynamic(fields):
    payload = vietqr_payload(**fields)
    assert payload[6:12] == "010212"
    assert vietqr_parse(payload) == {**fields, "currency": "704", "country": "VN"}


@pytest.mark.parametrize("amount", [None, 50000])
def test_round_trip_static(amount):
    payload = vietqr_payload(**{**VALID, "amount": amount}, dynamic=False)
    assert payload[6:12] == "010211"
    assert ("54" + f"{len(str(amount)):02d}" + str(amount) in payload) == (amount is not None)
    assert vietqr_parse(payload) == {**VALID, "amount": amount, "currency": "704", "country": "VN"}


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"bank_bin": "97043"}, "bank_bin"),
        ({"bank_bin": "9704360"}, "bank_bin"),
        ({"bank_bin": "97043A"}, "bank_bin"),
        ({"bank_bin": "٩٧٠٤٣٦"}, "bank_bin"),  # Arabic-Indic digits pass str.isdigit()
        ({"bank_bin": 970436}, "bank_bin"),
        ({"account_number": ""}, "account_number"),
        ({"account_number": "1" * 20}, "account_number"),
        ({"account_number": "1016 039126"}, "account_number"),
        ({"account_number": "1016-039126"}, "account_number"),
        ({"account_number": "1016039126\n"}, "account_number"),
        ({"amount": 0}, "amount"),
        ({"amount": -5000}, "amount"),
        ({"amount": 10**13}, "amount"),
        ({"amount": 150000.0}, "amount"),
        ({"amount": 150000.5}, "amount"),
        ({"amount": Decimal("150000")}, "amount"),
        ({"amount": "150000"}, "amount"),
        ({"amount": True}, "amount"),
        ({"amount": None}, "dynamic"),
        ({"reference": ""}, "reference"),
        ({"reference": "A" * 26}, "reference"),
        ({"reference": "INV 2026"}, "reference"),
        ({"reference": "INV-2026"}, "reference"),
        ({"reference": "ĐH2026"}, "reference"),
        ({"reference": "INV2026\n"}, "reference"),
        ({"reference": None}, "reference"),
    ],
)
def test_invalid_input_is_rejected(override, message):
    with pytest.raises(ValueError, match=message):
        vietqr_payload(**{**VALID, **override})


def test_tlv_value_longer_than_99_is_rejected():
    assert _tlv("08", "x" * 99).startswith("0899")
    with pytest.raises(ValueError, match="1-99 characters"):
        _tlv("08", "x" * 100)
    with pytest.raises(ValueError, match="1-99 characters"):
        _tlv("08", "")


# --- parser ---


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ("", "must end with the CRC field"),
        ("000201", "must end with the CRC field"),
        (vietqr_payload(**VALID)[:-8], "must end with the CRC field"),
        (_with_crc("0002010102123899"), "malformed"),  # 38 claims more than there is
        (_with_crc("00020101021238x4"), "malformed"),
        (_with_crc("0002020102120002"), "appears twice"),  # a repeated field 00
        (_with_crc("000202"), "payload format indicator"),
        (_with_crc("0002010102115303704"), "field 38"),
        (_with_crc("00020101021238140010A000000775"), "GUID"),
        (_with_crc("000201010212" + PUBLISHED_38 + "53037045405100.5"), "digits only"),
    ],
)
def test_parse_rejects_malformed_payloads(payload, message):
    with pytest.raises(ValueError, match=message):
        vietqr_parse(payload)


def test_parse_accepts_a_lower_case_checksum():
    payload = vietqr_payload(**{**VALID, "reference": "X1"})
    assert vietqr_parse(payload[:-4] + payload[-4:].lower())["reference"] == "X1"


# --- SVG ---


def test_svg_is_a_scalable_qr_with_a_quiet_zone():
    svg = vietqr_svg(vietqr_payload(**VALID))
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    assert root.tag == f"{ns}svg"
    x0, y0, width, height = (float(v) for v in root.get("viewBox").split())
    assert (x0, y0) == (0, 0)
    assert width == height
    modules = width - 8
    assert modules >= 21
    assert (modules - 17) % 4 == 0  # a QR symbol is 17 + 4 * version modules wide
    paths = root.findall(f".//{ns}path")
    assert len(paths) == 1
    d = paths[0].get("d")
    assert d
    corners = [(float(x), float(y)) for x, y in re.findall(r"M([\d.]+),([\d.]+)", d)]
    assert corners
    # Nothing dark in the 4-module border on any side.
    assert min(x for x, _ in corners) == 4
    assert min(y for _, y in corners) == 4
    assert max(x for x, _ in corners) == width - 5
    assert max(y for _, y in corners) == height - 5


def _dark_modules(svg: str) -> tuple[int, set[tuple[int, int]]]:
    root = ET.fromstring(svg)
    size = int(float(root.get("viewBox").split()[2]))
    d = root.find("{http://www.w3.org/2000/svg}path").get("d")
    return size - 8, {(int(x) - 4, int(y) - 4) for x, y in re.findall(r"M(\d+),(\d+)", d)}


def test_svg_uses_error_correction_m():
    # Read the level back from the symbol's format information (ISO/IEC 18004 7.9), next to the
    # top-left finder in column 8: bits 0-5 in rows 0-5, bits 6-7 in rows 7-8, bits 8-14 at the bottom.
    n, dark = _dark_modules(vietqr_svg(vietqr_payload(**VALID)))
    rows = [*range(6), 7, 8, *range(n - 7, n)]
    bits = sum(1 << i for i, row in enumerate(rows) if (8, row) in dark)
    data = (bits ^ 0b101010000010010) >> 10  # the format mask, then 2 level bits + 3 mask-pattern bits
    assert qrcode.util.BCH_type_info(data) == bits  # read correctly: the BCH check bits agree
    assert data >> 3 == 0b00  # 00 is M (L 01, Q 11, H 10)


def test_svg_refuses_an_invalid_payload():
    payload = vietqr_payload(**VALID)
    with pytest.raises(ValueError, match=r"^bad_crc$"):
        vietqr_svg(payload[:-1] + ("0" if payload[-1] != "0" else "1"))
