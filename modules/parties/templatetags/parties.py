"""Display helpers for parties: phone numbers in the national form people read, province names."""

from django import template

from modules.parties.provinces import PROVINCE_NAMES

register = template.Library()


@register.filter
def phone_display(value: str) -> str:
    """``+84912345678`` -> ``0912 345 678``; ``+842438251234`` -> ``024 3825 1234``."""
    if not value or not value.startswith("+84"):
        return value or ""
    national = f"0{value[3:]}"
    if len(national) == 10:
        return f"{national[:4]} {national[4:7]} {national[7:]}"
    if len(national) == 11:
        return f"{national[:3]} {national[3:7]} {national[7:]}"
    return national


@register.filter
def province_name(code: str) -> str:
    return PROVINCE_NAMES.get(code or "", "")
