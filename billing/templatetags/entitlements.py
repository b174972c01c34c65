"""Templates ask the same question as views: ``{% load entitlements %}{% if tenant|has_feature:"erp.sales" %}``."""

from django import template

from billing.entitlements import entitlements_for

register = template.Library()


@register.filter
def has_feature(tenant, feature: str) -> bool:
    return tenant is not None and entitlements_for(tenant).allows(feature)
