"""Stock writes. Every change of quantities goes through ``_posting.moves_post``; see ``locks.py`` for the
order in which rows are locked."""

from modules.erp.inventory.services.counts import count_apply, count_cancel, count_line_add, count_line_set, count_start
from modules.erp.inventory.services.moves import move_reverse
from modules.erp.inventory.services.pickings import default_location, picking_cancel, picking_create, picking_validate
from modules.erp.inventory.services.reservations import stock_reserve, stock_unreserve
from modules.erp.inventory.services.structure import (
    location_create,
    reorder_rule_delete,
    reorder_rule_set,
    stock_opening_set,
    warehouse_create,
)

__all__ = [
    "count_apply", "count_cancel", "count_line_add", "count_line_set", "count_start", "default_location",
    "location_create", "move_reverse", "picking_cancel", "picking_create", "picking_validate", "reorder_rule_delete",
    "reorder_rule_set", "stock_opening_set", "stock_reserve", "stock_unreserve", "warehouse_create",
]
