"""Reads on invoices: the list (customer invoices, credit notes, supplier bills) with filters and search, one
invoice with its lines, entry and payments, the invoices of a sales order, and the purchase orders that still have
something received to bill."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404

from modules.erp.accounting.models import JournalLine
from modules.erp.catalog.models import Product
from modules.erp.invoicing.models import Invoice, InvoiceLine, PaymentAllocation
from modules.erp.purchasing.models import PurchaseOrder, PurchaseOrderLine
from modules.parties.models import Party
from modules.parties.selectors import party_search

Kind = Invoice.Kind
TABS = {
    "invoices": (Kind.OUT_INVOICE,),
    "credit_notes": (Kind.OUT_REFUND,),
    "bills": (Kind.IN_INVOICE, Kind.IN_REFUND),
}
SUPPLIER_TABS = {"bills"}


def invoice_list(*, tab: str = "invoices", state: str = "", payment_state: str = "", q: str = "") -> QuerySet:
    """Invoices of one tab, newest first, in one query: by state and payment state, searched by number (symbol
    and number, or the supplier's), order number or party (accent-insensitive, like the party list)."""
    invoices = (Invoice.objects.filter(kind__in=TABS.get(tab, TABS["invoices"]))
                .select_related("party", "symbol", "sales_order", "purchase_order"))
    if state in Invoice.State.values:
        invoices = invoices.filter(state=state)
    if payment_state in Invoice.PaymentState.values:
        invoices = invoices.filter(state=Invoice.State.POSTED, payment_state=payment_state)
    q = " ".join((q or "").split())
    if q:
        matches = (Q(supplier_reference__icontains=q) | Q(sales_order__number__icontains=q)
                   | Q(purchase_order__number__icontains=q) | Q(party__in=party_search(Party.objects.all(), q)))
        symbol, _dash, digits = q.rpartition("-")
        digits = digits.lstrip("0")
        if digits.isdigit():
            matches |= Q(number=int(digits), **({"symbol__symbol__iexact": symbol} if symbol else {}))
        invoices = invoices.filter(matches)
    return invoices.order_by("-date", "-id")


def invoice_for_detail(pk: int, *, kinds=None) -> Invoice:
    queryset = Invoice.objects.select_related("party", "symbol", "sales_order", "purchase_order", "refund_of__symbol",
                                              "entry__journal", "created_by")
    if kinds is not None:
        queryset = queryset.filter(kind__in=kinds)
    return get_object_or_404(queryset, pk=pk)


def invoice_lines(invoice: Invoice) -> list[InvoiceLine]:
    return list(invoice.lines.select_related("product__base_unit", "unit", "account", "sales_line",
                                             "purchase_line"))


def entry_lines(invoice: Invoice) -> list[JournalLine]:
    """The lines of the invoice's journal entry with their accounts (debits first)."""
    if not invoice.entry_id:
        return []
    return list(JournalLine.objects.filter(entry_id=invoice.entry_id).select_related("account")
                .order_by("-debit", "id"))


def invoice_allocations(invoice: Invoice) -> list[PaymentAllocation]:
    return list(PaymentAllocation.objects.filter(invoice=invoice).select_related("payment").order_by("payment__date",
                                                                                                    "pk"))


def refunds_of(invoice: Invoice) -> list[Invoice]:
    return list(Invoice.objects.filter(refund_of=invoice).select_related("symbol").order_by("pk"))


def sales_order_invoices(order) -> list[Invoice]:
    """A sales order's invoices and credit notes, oldest first (one query)."""
    return list(Invoice.objects.filter(sales_order=order).select_related("symbol").order_by("pk"))


def purchase_orders_to_bill(limit: int = 100) -> list[PurchaseOrder]:
    """Confirmed or received purchase orders with something received (goods) or ordered (the rest) that no bill
    holds yet: two queries."""
    open_lines = (PurchaseOrderLine.objects
                  .filter(order__state__in=(PurchaseOrder.State.CONFIRMED, PurchaseOrder.State.DONE))
                  .annotate(billed=Sum("invoice_lines__quantity_base",
                                       filter=Q(invoice_lines__invoice__kind=Kind.IN_INVOICE,
                                                invoice_lines__invoice__state__in=("draft", "posted"))))
                  .values("order_id", "product__kind", "qty_received", "quantity_base", "billed"))
    order_ids = set()
    for row in open_lines:
        target = row["qty_received"] if row["product__kind"] == Product.Kind.GOODS else row["quantity_base"]
        if target > (row["billed"] or 0):
            order_ids.add(row["order_id"])
    return list(PurchaseOrder.objects.filter(pk__in=order_ids).select_related("party").order_by("-id")[:limit])


def invoice_with_lines(pk: int) -> Invoice:
    return get_object_or_404(Invoice.objects.select_related("party", "symbol", "refund_of__symbol").prefetch_related(
        Prefetch("lines", queryset=InvoiceLine.objects.select_related("product__base_unit", "unit"))), pk=pk)

