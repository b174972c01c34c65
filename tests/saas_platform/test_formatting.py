from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from saas_platform.templatetags.fmt import format_date, format_money


@pytest.mark.parametrize(
    ("amount", "currency", "language", "expected"),
    [
        (1234567, "VND", "vi", "1.234.567 ₫"),
        (Decimal("1234567.6"), "VND", "vi", "1.234.568 ₫"),
        (1234567, "VND", "en", "1,234,567 ₫"),
        (Decimal("1234.5"), "USD", "en", "1,234.50 US$"),
        (Decimal("1234.5"), "USD", "vi", "1.234,50 US$"),
        (Decimal("-5000"), "VND", "vi", "-5.000 ₫"),
        (0, "VND", "vi", "0 ₫"),
    ],
)
def test_money_keeps_each_currency_minor_units(amount, currency, language, expected):
    assert format_money(amount, currency, language) == expected


def test_dates_are_day_month_year_in_vietnam_time():
    assert format_date(date(2026, 3, 9)) == "09/03/2026"
    assert format_date(datetime(2026, 3, 9, 20, 30, tzinfo=ZoneInfo("UTC"))) == "10/03/2026 03:30"
