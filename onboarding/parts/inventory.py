"""The inventory's template part: the main warehouse's locations per business type (a manufacturer keeps raw
materials apart from finished goods; a shop keeps a packing zone). Matched by code, so applying again creates
nothing; a workspace whose main warehouse was removed or renamed by a person is left alone."""

from __future__ import annotations

import onboarding.parts.catalog  # noqa: F401  (registered first: the catalog before the stock)
from modules.erp.inventory.models import Location, Warehouse
from onboarding.registry import template_part

LOCATIONS: dict[str, list[tuple[str, str]]] = {
    "manufacturing": [("NVL", "Kho nguyên vật liệu"), ("BTP", "Khu bán thành phẩm"), ("TP", "Kho thành phẩm")],
    "ecommerce": [("DONG-GOI", "Khu đóng gói"), ("HOAN", "Hàng hoàn trả")],
    "enterprise": [("NVL", "Kho nguyên vật liệu"), ("TP", "Kho thành phẩm")],
}


@template_part("inventory", feature="erp.inventory")
def inventory_template_apply(*, business_type: str, sample_data: bool) -> None:
    warehouse = Warehouse.objects.filter(is_default=True, code="WH").first()
    if warehouse is None:
        return
    for code, name in LOCATIONS.get(business_type, []):
        Location.objects.get_or_create(warehouse=warehouse, code=code, defaults={"name": name})
