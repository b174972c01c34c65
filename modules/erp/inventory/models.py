"""Stock: warehouses and their locations, lots, the append-only move ledger, quantities and valuation.

Invariants:
- ``StockMove`` rows are never updated or deleted (a database trigger refuses it); a wrong move is undone by a
  reversal move pointing at it, at most one per move.
- ``StockLevel``: 0 <= reserved <= on_hand, per product, location and lot (database checks); only the inventory
  services change it, under row locks taken in one order (levels by pk, then valuations by product pk).
- ``ProductValuation``: the weighted average cost (bình quân gia quyền, perpetual) of a product over the whole
  workspace: ``value / quantity``; every move in or out of stock records the value it carried, so the ledger
  can post it and the sum of move values equals the valuation.
"""

from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from modules.crm.models._base import user_fk

QTY = {"max_digits": 16, "decimal_places": 3, "default": Decimal(0)}


class Warehouse(models.Model):
    code = models.SlugField(_("code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=120)
    address = models.CharField(_("address"), max_length=255, blank=True)
    is_default = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-is_default", "name"]
        constraints = [models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True),
                                               name="inventory_one_default_warehouse")]

    def __str__(self) -> str:
        return self.name


class Location(models.Model):
    """A place inside a warehouse (shelf, zone). Each warehouse has one default location for receipts."""

    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="locations")
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=120)
    is_default = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["warehouse_id", "-is_default", "code"]
        constraints = [
            models.UniqueConstraint(fields=["warehouse", "code"], name="inventory_location_code_uniq"),
            models.UniqueConstraint(fields=["warehouse"], condition=Q(is_default=True),
                                    name="inventory_one_default_location"),
        ]

    def __str__(self) -> str:
        return f"{self.warehouse.code}/{self.code}" if "warehouse" in self.__dict__ else self.code


class Lot(models.Model):
    """A lot or a serial number of a tracked product (Enterprise)."""

    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="lots")
    code = models.CharField(_("lot / serial"), max_length=80)
    expiry_date = models.DateField(_("expiry date"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["product_id", "code"]
        constraints = [models.UniqueConstraint(fields=["product", "code"], name="inventory_lot_uniq")]

    def __str__(self) -> str:
        return self.code


class StockLevel(models.Model):
    """On hand and reserved of one product (and lot) at one location; available = on_hand - reserved."""

    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="stock_levels")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="stock_levels")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, null=True, blank=True, related_name="stock_levels")
    on_hand = models.DecimalField(**QTY)
    reserved = models.DecimalField(**QTY)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["product", "location", "lot"], nulls_distinct=False,
                                    name="inventory_level_uniq"),
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="inventory_level_on_hand_gte_0"),
            models.CheckConstraint(condition=Q(reserved__gte=0), name="inventory_level_reserved_gte_0"),
            models.CheckConstraint(condition=Q(reserved__lte=F("on_hand")),
                                   name="inventory_level_reserved_lte_on_hand"),
        ]
        indexes = [models.Index(fields=["location", "product"], name="inventory_level_loc_idx")]

    def __str__(self) -> str:
        return f"{self.product_id}@{self.location_id}: {self.on_hand} ({self.reserved} reserved)"

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved


class ProductValuation(models.Model):
    """Quantity and value of a product's stock in the whole workspace (company currency, VND)."""

    product = models.OneToOneField("catalog.Product", on_delete=models.PROTECT, primary_key=True,
                                   related_name="valuation")
    quantity = models.DecimalField(**QTY)
    value = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal(0))

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(quantity__gte=0), name="inventory_valuation_qty_gte_0")]

    def __str__(self) -> str:
        return f"{self.product_id}: {self.quantity} = {self.value}"

    @property
    def average_cost(self) -> Decimal:
        return (self.value / self.quantity) if self.quantity else Decimal(0)


class Picking(models.Model):
    """A stock operation document: a receipt, a delivery or an internal transfer, validated once.

    A partial validation moves what was done and leaves the rest on a backorder (``backorder_of``)."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", _("Receipt")
        DELIVERY = "delivery", _("Delivery")
        INTERNAL = "internal", _("Internal transfer")

    class State(models.TextChoices):
        READY = "ready", _("Ready")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    number = models.CharField(_("number"), max_length=30, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.READY)
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="pickings")
    # Where stock leaves from (deliveries, transfers; empty: any location of the warehouse) and arrives to
    # (receipts, transfers; empty: the warehouse's default location).
    location_src = models.ForeignKey(Location, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    location_dest = models.ForeignKey(Location, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, null=True, blank=True,
                              related_name="pickings")
    sales_order = models.ForeignKey("sales.SalesOrder", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="pickings")
    purchase_order = models.ForeignKey("purchasing.PurchaseOrder", on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="pickings")
    backorder_of = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="backorders")
    scheduled_date = models.DateField(_("scheduled date"), default=timezone.localdate, db_index=True)
    note = models.CharField(max_length=255, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    created_by = user_fk(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["kind", "state", "scheduled_date"], name="inventory_picking_todo_idx")]

    def __str__(self) -> str:
        return self.number


class PickingLine(models.Model):
    """Quantities in the product's base unit; ``quantity`` is the demand, ``quantity_done`` what moved."""

    picking = models.ForeignKey(Picking, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(**QTY)
    quantity_done = models.DecimalField(**QTY)
    unit_cost = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)  # receipts: price paid
    lot_code = models.CharField(max_length=80, blank=True)  # receipts of tracked products
    sales_line = models.ForeignKey("sales.SalesOrderLine", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="picking_lines")
    purchase_line = models.ForeignKey("purchasing.PurchaseOrderLine", on_delete=models.PROTECT, null=True,
                                      blank=True, related_name="picking_lines")

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="inventory_picking_line_qty_gt_0")]

    def __str__(self) -> str:
        return f"{self.picking_id}/{self.product_id}: {self.quantity_done}/{self.quantity}"


class StockMove(models.Model):
    """One posted movement of stock; ``location_from``/``location_to`` empty means outside the company
    (a supplier, a customer, an adjustment). ``value`` is what the move added to or took from the valuation."""

    class Kind(models.TextChoices):
        OPENING = "opening", _("Opening stock")
        RECEIPT = "receipt", _("Receipt")
        DELIVERY = "delivery", _("Delivery")
        INTERNAL = "internal", _("Internal transfer")
        ADJUSTMENT = "adjustment", _("Count adjustment")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="stock_moves")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, null=True, blank=True, related_name="moves")
    quantity = models.DecimalField(max_digits=16, decimal_places=3)
    location_from = models.ForeignKey(Location, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    location_to = models.ForeignKey(Location, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    unit_cost = models.DecimalField(max_digits=18, decimal_places=4, default=Decimal(0))
    value = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal(0))
    picking = models.ForeignKey(Picking, on_delete=models.PROTECT, null=True, blank=True, related_name="moves")
    picking_line = models.ForeignKey(PickingLine, on_delete=models.PROTECT, null=True, blank=True, related_name="moves")
    party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reference = models.CharField(max_length=60, blank=True)
    reversal_of = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="reversed_by")
    actor = user_fk(null=True, blank=True)
    posted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-posted_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="inventory_move_qty_gt_0"),
            models.CheckConstraint(condition=Q(location_from__isnull=False) | Q(location_to__isnull=False),
                                   name="inventory_move_has_location"),
        ]
        indexes = [models.Index(fields=["product", "posted_at"], name="inventory_move_product_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.product_id} x{self.quantity} {self.location_from_id}->{self.location_to_id}"

    @property
    def is_incoming(self) -> bool:
        return self.location_from_id is None

    @property
    def is_outgoing(self) -> bool:
        return self.location_to_id is None


class StockCount(models.Model):
    """A physical count of a warehouse; applying it posts adjustment moves for the differences."""

    class State(models.TextChoices):
        DRAFT = "draft", _("In progress")
        DONE = "done", _("Applied")
        CANCELLED = "cancelled", _("Cancelled")

    number = models.CharField(max_length=30, unique=True)
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="counts")
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    note = models.CharField(max_length=255, blank=True)
    created_by = user_fk(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.number


class StockCountLine(models.Model):
    count = models.ForeignKey(StockCount, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    expected = models.DecimalField(**QTY)
    counted = models.DecimalField(max_digits=16, decimal_places=3, null=True, blank=True)

    class Meta:
        ordering = ["location_id", "product_id", "id"]
        constraints = [models.UniqueConstraint(fields=["count", "product", "location", "lot"], nulls_distinct=False,
                                               name="inventory_count_line_uniq")]

    def __str__(self) -> str:
        return f"{self.count_id}/{self.product_id}@{self.location_id}: {self.counted} vs {self.expected}"


class StockReservation(models.Model):
    """Stock held for a sales order line at one level (location and lot)."""

    level = models.ForeignKey(StockLevel, on_delete=models.PROTECT, related_name="reservations")
    sales_line = models.ForeignKey("sales.SalesOrderLine", on_delete=models.CASCADE, related_name="reservations")
    quantity = models.DecimalField(max_digits=16, decimal_places=3)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["level", "sales_line"], name="inventory_reservation_uniq"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="inventory_reservation_qty_gt_0"),
        ]

    def __str__(self) -> str:
        return f"{self.sales_line_id}@{self.level_id}: {self.quantity}"


class ReorderRule(models.Model):
    """Keep a product between ``min_quantity`` and ``max_quantity`` in a warehouse (Scale)."""

    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="reorder_rules")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.CASCADE, related_name="reorder_rules")
    min_quantity = models.DecimalField(_("minimum"), max_digits=16, decimal_places=3)
    max_quantity = models.DecimalField(_("maximum"), max_digits=16, decimal_places=3)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["product", "warehouse"], name="inventory_reorder_uniq"),
            models.CheckConstraint(condition=Q(min_quantity__gte=0) & Q(max_quantity__gte=F("min_quantity")),
                                   name="inventory_reorder_min_max"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}@{self.warehouse_id}: {self.min_quantity}-{self.max_quantity}"
