"""Purchasing (Scale): supplier prices, and requests for quotation that become purchase orders and receipts.

Invariant per line (base units): 0 <= qty_received <= quantity_base (database check); what is left arrives on
a backorder receipt.
"""

from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from modules.erp.catalog.models import CURRENCIES
from modules.erp.common.models import TradeDocument, TradeLine


class SupplierPrice(models.Model):
    """What a supplier asks for a product (the first by ``position`` is the one purchase suggestions use)."""

    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="supplier_prices")
    supplier = models.ForeignKey("parties.Party", on_delete=models.CASCADE, related_name="supplier_prices")
    price = models.DecimalField(_("price"), max_digits=18, decimal_places=2)
    currency = models.CharField(max_length=3, choices=CURRENCIES, default="VND")
    min_quantity = models.DecimalField(_("minimum quantity"), max_digits=16, decimal_places=3, default=Decimal(1))
    lead_days = models.PositiveSmallIntegerField(_("lead time (days)"), default=0)
    supplier_sku = models.CharField(_("supplier's code"), max_length=60, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["product_id", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["product", "supplier", "min_quantity"],
                                               name="purchasing_supplier_price_uniq")]

    def __str__(self) -> str:
        return f"{self.supplier_id}/{self.product_id}: {self.price} {self.currency}"


class PurchaseOrder(TradeDocument):
    class State(models.TextChoices):
        RFQ = "rfq", _("Request for quotation")
        SENT = "sent", _("RFQ sent")
        CONFIRMED = "confirmed", _("Purchase order")
        DONE = "done", _("Received")
        CANCELLED = "cancelled", _("Cancelled")

    state = models.CharField(max_length=10, choices=State.choices, default=State.RFQ, db_index=True)
    party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="purchase_orders",
                              verbose_name=_("supplier"))
    warehouse = models.ForeignKey("inventory.Warehouse", on_delete=models.PROTECT, related_name="purchase_orders")
    expected_date = models.DateField(_("expected arrival"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]


class PurchaseOrderLine(TradeLine):
    order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="lines")
    qty_received = models.DecimalField(max_digits=16, decimal_places=3, default=Decimal(0))

    class Meta(TradeLine.Meta):
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="purchasing_line_qty_gt_0"),
            models.CheckConstraint(condition=Q(qty_received__gte=0) & Q(qty_received__lte=F("quantity_base")),
                                   name="purchasing_line_received_within"),
        ]

    @property
    def qty_open(self) -> Decimal:
        return self.quantity_base - self.qty_received
