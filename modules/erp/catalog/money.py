"""Money places per currency: VND has no decimals, USD has cents."""

from decimal import ROUND_HALF_UP, Decimal

CURRENCY_PLACES = {"VND": 0, "USD": 2}


def money_round(amount, currency: str) -> Decimal:
    places = CURRENCY_PLACES.get(currency, 2)
    return Decimal(amount).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
