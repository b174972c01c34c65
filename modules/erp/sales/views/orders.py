"""The order list (tabs by state, search, delivery progress) and one order's page with its actions."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from modules.crm.audit import history_of
from modules.erp.common.lines import vat_groups
from modules.erp.errors import ErpError
from modules.erp.sales import selectors, services
from modules.erp.sales.models import SalesOrder
from modules.erp.sales.views._common import FEATURE, PAGE_SIZE, STATE_BADGES, can_edit, delivery_of, first_url
from modules.erp.views_common import erp_view
from tenants.roles import Access

State = SalesOrder.State
TAB_LABELS = [
    ("all", gettext_lazy("All")),
    ("quotations", gettext_lazy("Quotations")),
    ("to_deliver", gettext_lazy("Orders to deliver")),
    ("delivered", gettext_lazy("Delivered")),
    ("cancelled", gettext_lazy("Cancelled")),
]
PICKING_PAGES = ("inventory_picking_detail", "picking_detail")


@erp_view(FEATURE)
def order_list(request):
    tab = request.GET.get("tab", "all")
    tab = tab if tab in selectors.TABS else "all"
    filters = {"q": request.GET.get("q", "").strip(), "party": request.GET.get("party", "")}
    party_id = int(filters["party"]) if filters["party"].isdigit() else None
    orders = selectors.order_list(tab=tab, q=filters["q"], party_id=party_id)
    page = Paginator(orders, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"order": order, "delivery": delivery_of(order), "badge": STATE_BADGES.get(order.state, "")}
            for order in page]
    return render(request, "erp/sales/order_list.html", {
        "page": page, "rows": rows, "tab": tab, "tabs": TAB_LABELS, "filters": filters,
        "filtered": bool(filters["q"] or party_id), "can_edit": can_edit(request)})


@erp_view(FEATURE)
def order_detail(request, pk: int):
    order = selectors.order_for_detail(pk)
    lines = selectors.order_lines(order)
    open_states = (State.QUOTATION, State.SENT, State.CONFIRMED)
    stock = {}
    if order.state in open_states:
        from modules.erp.inventory.selectors import availability

        stock = availability({line.product_id for line in lines if line.product_id}, warehouse=order.warehouse)
    rows = []
    for line in lines:
        stocked = bool(line.product_id) and line.product.kind == "goods"
        found = stock.get(line.product_id)
        left = line.quantity_base - line.qty_delivered
        available = (found.available if found else Decimal(0)) if stocked and order.state in open_states else None
        rows.append({"line": line, "stocked": stocked, "left": left, "available": available,
                     # what is still to find: the part of the line not yet reserved for it
                     "short": available is not None and available < left - line.qty_reserved,
                     "base_unit": line.product.base_unit.name if line.product_id else ""})
    pickings = [{"picking": picking, "url": first_url(PICKING_PAGES, picking.pk)}
                for picking in selectors.order_pickings(order)]
    history = list(history_of(order).select_related("actor"))
    return render(request, "erp/sales/order_detail.html", {
        "order": order, "rows": rows, "groups": vat_groups(lines, order.currency), "pickings": pickings,
        "history": history, "badge": STATE_BADGES.get(order.state, ""), "can_edit": can_edit(request),
        "editable": order.state in (State.QUOTATION, State.SENT),
        "cancellable": order.state in open_states and not any(line.qty_delivered for line in lines),
        "closable": order.state == State.CONFIRMED and any(line.qty_delivered for line in lines),
        "unreserved": order.state == State.CONFIRMED and any(
            row["stocked"] and row["line"].qty_reserved < row["left"] for row in rows),
        "deal_url": first_url(("deal_detail",), order.deal_id) if order.deal_id else None,
        "party_url": first_url(("party_detail",), order.party_id)})


def _act(request, pk: int, service, done: str):
    order = selectors.order_for_detail(pk)
    try:
        service(actor=request.user, order=order)
    except ErpError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done % {"number": order.number})
    return redirect("sales_order_detail", pk=order.pk)


@require_POST
@erp_view(FEATURE, Access.EDIT)
def order_send(request, pk: int):
    return _act(request, pk, services.sales_order_send, _("Quotation %(number)s is marked as sent."))


@require_POST
@erp_view(FEATURE, Access.EDIT)
def order_confirm(request, pk: int):
    return _act(request, pk, services.sales_order_confirm,
                _("Order %(number)s is confirmed: stock is reserved and the delivery is ready."))


@require_POST
@erp_view(FEATURE, Access.EDIT)
def order_cancel(request, pk: int):
    return _act(request, pk, services.sales_order_cancel, _("%(number)s is cancelled."))


@require_POST
@erp_view(FEATURE, Access.EDIT)
def order_reserve(request, pk: int):
    order = selectors.order_for_detail(pk)
    try:
        reserved = services.sales_order_reserve(actor=request.user, order=order)
    except ErpError as error:
        messages.error(request, error.message)
    else:
        if any(reserved.values()):
            messages.success(request, _("More stock is reserved for %(number)s.") % {"number": order.number})
        else:
            messages.info(request, _("No more stock is available for %(number)s yet.") % {"number": order.number})
    return redirect("sales_order_detail", pk=order.pk)


@require_POST
@erp_view(FEATURE, Access.EDIT)
def order_close(request, pk: int):
    return _act(request, pk, services.sales_order_close,
                _("%(number)s is closed with what was delivered; the rest will not be."))


urlpatterns = [
    path("", order_list, name="sales_order_list"),
    path("<int:pk>/", order_detail, name="sales_order_detail"),
    path("<int:pk>/send/", order_send, name="sales_order_send"),
    path("<int:pk>/confirm/", order_confirm, name="sales_order_confirm"),
    path("<int:pk>/cancel/", order_cancel, name="sales_order_cancel"),
    path("<int:pk>/reserve/", order_reserve, name="sales_order_reserve"),
    path("<int:pk>/close/", order_close, name="sales_order_close"),
]
