"""Amounts in words as Vietnamese invoices write them, and in English."""

from decimal import Decimal

import pytest

from modules.erp.common.words import amount_in_words

VIETNAMESE = [
    (0, "Không đồng"),
    (15, "Mười lăm đồng"),
    (21, "Hai mươi mốt đồng"),
    (25, "Hai mươi lăm đồng"),
    (105, "Một trăm lẻ năm đồng"),
    (111, "Một trăm mười một đồng"),
    (1_005, "Một nghìn không trăm lẻ năm đồng"),
    (1_015, "Một nghìn không trăm mười lăm đồng"),
    (1_050_000, "Một triệu không trăm năm mươi nghìn đồng"),
    (1_000_005, "Một triệu không trăm lẻ năm đồng"),
    (1_200_000, "Một triệu hai trăm nghìn đồng"),
    (2_000_500, "Hai triệu năm trăm đồng"),
    (5_500_000_000, "Năm tỷ năm trăm triệu đồng"),
    (1_000_000_001_000, "Một nghìn tỷ không trăm lẻ một nghìn đồng"),
]


@pytest.mark.parametrize(("amount", "words"), VIETNAMESE)
def test_vietnamese_reads_every_group_after_the_first_in_full(amount, words):
    assert amount_in_words(amount, "VND", "vi") == words


ENGLISH = [
    (0, "Zero dong"),
    (15, "Fifteen dong"),
    (21, "Twenty-one dong"),
    (105, "One hundred and five dong"),
    (1_000_005, "One million and five dong"),
    (1_200_000, "One million two hundred thousand dong"),
]


@pytest.mark.parametrize(("amount", "words"), ENGLISH)
def test_english_words_without_commas(amount, words):
    assert amount_in_words(amount, "VND", "en") == words


def test_dollars_carry_their_cents_and_dong_are_whole():
    # when
    usd_vi = amount_in_words(Decimal("1234.50"), "USD", "vi")
    usd_en = amount_in_words(Decimal("1.01"), "USD", "en")
    vnd = amount_in_words(Decimal("1199999.6"), "VND", "vi")
    # then
    assert usd_vi == "Một nghìn hai trăm ba mươi bốn đô la Mỹ và năm mươi xu"
    assert usd_en == "One US dollar and one cent"
    assert vnd == "Một triệu hai trăm nghìn đồng"
