"""Quotations and sales orders: one document that moves quotation -> sent -> confirmed -> done.

Invariants per line (base units): 0 <= qty_delivered <= quantity_base and qty_reserved + qty_delivered <=
quantity_base (database checks). A deal becomes at most one order (``deal`` is unique): the won-deal handler
relies on it, so a retried or duplicated event can never make a second order.
"""

from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from modules.erp.common.models import TradeDocument, TradeLine


class SalesOrder(TradeDocument):
    class State(models.TextChoices):
        QUOTATION = "quotation", _("Quotation")
        SENT = "sent", _("Quotation sent")
        CONFIRMED = "confirmed", _("Sales order")
        DONE = "done", _("Delivered")
        CANCELLED = "cancelled", _("Cancelled")

    state = models.CharField(max_length=10, choices=State.choices, default=State.QUOTATION, db_index=True)
    party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="sales_orders",
                              verbose_name=_("customer"))
    warehouse = models.ForeignKey("inventory.Warehouse", on_delete=models.PROTECT, related_name="sales_orders")
    deal = models.OneToOneField("crm.Deal", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="sales_order")
    validity_date = models.DateField(_("valid until"), null=True, blank=True)
    commitment_date = models.DateField(_("delivery date"), null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["party", "-id"], name="sales_order_party_idx")]


class SalesOrderLine(TradeLine):
    order = models.ForeignKey(SalesOrder, on_delete=models.CASCADE, related_name="lines")
    qty_reserved = models.DecimalField(max_digits=16, decimal_places=3, default=Decimal(0))
    qty_delivered = models.DecimalField(max_digits=16, decimal_places=3, default=Decimal(0))

    class Meta(TradeLine.Meta):
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="sales_line_qty_gt_0"),
            models.CheckConstraint(condition=Q(qty_reserved__gte=0) & Q(qty_delivered__gte=0),
                                   name="sales_line_progress_gte_0"),
            models.CheckConstraint(condition=Q(qty_delivered__lte=F("quantity_base")),
                                   name="sales_line_delivered_lte_ordered"),
            models.CheckConstraint(condition=Q(qty_reserved__lte=F("quantity_base") - F("qty_delivered")),
                                   name="sales_line_reserved_lte_open"),
        ]

    @property
    def qty_open(self) -> Decimal:
        return self.quantity_base - self.qty_delivered
