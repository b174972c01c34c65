"""The catalog's template part: product categories and extra units per business type. Matched by name (and
unit code), so applying again creates nothing; nothing a person made is touched. No sample products yet."""

from __future__ import annotations

import onboarding.parts.crm  # noqa: F401  (registered first: parts apply in registration order, the CRM before the ERP)
from modules.erp.catalog.models import ProductCategory, Unit
from onboarding.registry import template_part

_GOODS = ["Hàng hóa", "Dịch vụ"]

CATEGORIES: dict[str, list[str]] = {
    "manufacturing": ["Nguyên vật liệu", "Bán thành phẩm", "Thành phẩm", "Vật tư tiêu hao", "Phụ tùng"],
    "ecommerce": ["Thời trang", "Mỹ phẩm", "Đồ gia dụng", "Điện tử & phụ kiện", "Mẹ và bé"],
    "services": ["Dịch vụ", "Gói dịch vụ"],
    "enterprise": ["Hàng hóa", "Dịch vụ", "Nguyên vật liệu", "Thành phẩm"],
    "sme": _GOODS,
    "other": _GOODS,
}

# Units beyond the ones every workspace starts with (cái, chiếc, hộp, thùng, kg, m, lít, bộ, giờ, lần).
UNITS: dict[str, list[tuple[str, str]]] = {
    "manufacturing": [("kg", "Kg"), ("m", "Mét"), ("bo", "Bộ"), ("tan", "Tấn"), ("m2", "Mét vuông"),
                      ("cuon", "Cuộn"), ("tam", "Tấm")],
    "ecommerce": [("hop", "Hộp"), ("goi", "Gói"), ("doi", "Đôi"), ("combo", "Combo")],
    "services": [("gio", "Giờ"), ("ngay", "Ngày"), ("thang", "Tháng"), ("goi-dv", "Gói")],
    "enterprise": [("tan", "Tấn"), ("m2", "Mét vuông")],
    "sme": [],
    "other": [],
}


@template_part("catalog", feature="erp.catalog")
def catalog_template_apply(*, business_type: str, sample_data: bool) -> None:
    for name in CATEGORIES.get(business_type, _GOODS):
        if not ProductCategory.objects.filter(parent=None, name__iexact=name).exists():
            ProductCategory.objects.create(name=name)
    for code, name in UNITS.get(business_type, []):
        Unit.objects.get_or_create(code=code, defaults={"name": name})
