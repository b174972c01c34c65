"""Ratios on CRM report pages: ``percent`` (0.425 -> 42,5%) and ``times`` (2.5 -> 2,50 times sign); a missing
ratio (nothing to divide by) shows as an em dash, never as 0."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils import translation

register = template.Library()
DASH = "\u2014"
TIMES = "\u00d7"


def _number(value: Decimal, places: int) -> str:
    text = f"{value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP):.{places}f}"
    language = translation.get_language() or "vi"
    return text if language.startswith("en") else text.replace(".", ",")


@register.filter
def percent(ratio, places: int = 0) -> str:
    if ratio is None or ratio == "":
        return DASH
    return f"{_number(Decimal(str(ratio)) * 100, int(places))}%"


@register.filter
def times(ratio, places: int = 2) -> str:
    if ratio is None or ratio == "":
        return DASH
    return f"{_number(Decimal(str(ratio)), int(places))}{TIMES}"
