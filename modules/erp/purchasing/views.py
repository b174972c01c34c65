"""Purchasing pages (Scale): requests for quotation and purchase orders (list, form, detail with what arrived and
what is left, send / confirm / cancel), supplier prices, and purchase suggestions turned into requests."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from modules.erp.common.lines import vat_groups
from modules.erp.errors import ErpError
from modules.erp.inventory.models import Warehouse
from modules.erp.purchasing import selectors, services
from modules.erp.purchasing.forms import PurchaseLineFormSet, PurchaseOrderForm, SupplierPriceForm
from modules.erp.purchasing.models import PurchaseOrder, SupplierPrice
from modules.erp.views_common import erp_view
from tenants.access import membership_allows
from tenants.roles import Access

FEATURE = services.FEATURE
PAGE_SIZE = 50
LINE_FIELD = re.compile(r"^lines-(\d+)-(\w+)$")
HEADER_FIELDS = ("warehouse", "currency", "exchange_rate", "order_date", "expected_date", "note")


def _can_edit(request) -> bool:
    return membership_allows(request.membership, "erp", Access.EDIT)


def _forbidden(request):
    return render(request, "tenants/forbidden.html", {"module": "erp"}, status=403)


# --- orders ------------------------------------------------------------------------------------------------------

@erp_view(FEATURE)
def order_list(request):
    filters = {"q": request.GET.get("q", "").strip(), "state": request.GET.get("state", ""),
               "supplier": request.GET.get("supplier", "")}
    orders = selectors.purchase_order_list(q=filters["q"], state=filters["state"], supplier_id=filters["supplier"])
    page = Paginator(orders, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "erp/purchasing/order_list.html", {
        "page": page, "filters": filters, "states": PurchaseOrder.State.choices, "can_edit": _can_edit(request),
        "filtered": any(filters.values())})


def _service_error(form, formset, error: ErpError) -> None:
    """A service error on the field it names: a header field, a line's field (``lines-<n>-<name>``, n counting the
    filled rows), or the whole form."""
    match = LINE_FIELD.match(error.field or "")
    if match and int(match.group(1)) < len(formset.filled_forms):
        line_form = formset.filled_forms[int(match.group(1))]
        name = match.group(2)
        line_form.add_error(name if name in line_form.fields else None, error.message)
        return
    field = "supplier" if error.field == "party" else error.field
    form.add_error(field if field in form.fields else None, error.message)


def _form_page(request, form, formset, order=None):
    status = 400 if form.errors or any(formset.errors) or formset.non_form_errors() else 200
    return render(request, "erp/purchasing/order_form.html", {
        "form": form, "formset": formset, "order": order}, status=status)


def _filled(formset):
    formset.filled_forms = [line_form for line_form in formset.forms if not line_form.is_blank()]
    return formset.line_specs()


def _prefill_lines(request) -> list[dict]:
    """``?product=<id>&quantity=<n>`` (a supplier price's "buy" link) opens the form with that line."""
    product = request.GET.get("product", "")
    if not product.isdigit():
        return []
    return [{"product": int(product), "quantity": request.GET.get("quantity") or 1}]


@erp_view(FEATURE, Access.EDIT)
def order_create(request):
    supplier = request.GET.get("supplier", "")
    default = Warehouse.objects.filter(is_default=True).values_list("pk", flat=True).first()
    form = PurchaseOrderForm(request.POST or None, initial={
        "order_date": timezone.localdate(), "warehouse": default, "currency": "VND", "exchange_rate": 1,
        "supplier": int(supplier) if supplier.isdigit() else None})
    formset = PurchaseLineFormSet(request.POST or None, prefix="lines", initial=_prefill_lines(request))
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            specs = _filled(formset)
            order = services.purchase_order_create(actor=request.user, supplier=form.cleaned_data["supplier"],
                                                   lines=specs, **{name: form.cleaned_data[name]
                                                                   for name in HEADER_FIELDS})
        except ErpError as error:
            _service_error(form, formset, error)
        else:
            messages.success(request, _("Request for quotation %(number)s created.") % {"number": order.number})
            return redirect("purchase_order_detail", pk=order.pk)
    return _form_page(request, form, formset)


def _line_initial(order: PurchaseOrder) -> list[dict]:
    return [{"product": line.product_id, "description": "" if line.product_id else line.description,
             "quantity": line.quantity, "unit": line.unit_id if line.unit_id != getattr(line.product, "base_unit_id",
                                                                                        None) else None,
             "unit_price": line.unit_price, "discount_percent": line.discount_percent, "vat_code": line.vat_code}
            for line in order.lines.all()]


@erp_view(FEATURE, Access.EDIT)
def order_edit(request, pk: int):
    order = selectors.purchase_order_get(pk)
    if order.state not in services.EDITABLE_STATES:
        messages.error(request, _("Only a request for quotation can be changed."))
        return redirect("purchase_order_detail", pk=order.pk)
    form = PurchaseOrderForm(request.POST or None, initial={
        "supplier": order.party_id, **{name: getattr(order, name) for name in HEADER_FIELDS if name != "warehouse"},
        "warehouse": order.warehouse_id})
    formset = PurchaseLineFormSet(request.POST or None, prefix="lines", initial=_line_initial(order))
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            specs = _filled(formset)
            services.purchase_order_update(actor=request.user, order=order, supplier=form.cleaned_data["supplier"],
                                           lines=specs, **{name: form.cleaned_data[name] for name in HEADER_FIELDS})
        except ErpError as error:
            _service_error(form, formset, error)
        else:
            messages.success(request, _("Request for quotation saved."))
            return redirect("purchase_order_detail", pk=order.pk)
    return _form_page(request, form, formset, order)


@erp_view(FEATURE)
def order_detail(request, pk: int):
    order = selectors.purchase_order_get(pk)
    lines = list(order.lines.all())
    receipts = list(order.pickings.all())
    return render(request, "erp/purchasing/order_detail.html", {
        "order": order, "lines": lines, "receipts": receipts, "vat_groups": vat_groups(lines, order.currency),
        "can_edit": _can_edit(request), "editable": order.state in services.EDITABLE_STATES,
        "cancellable": order.state in (*services.EDITABLE_STATES, PurchaseOrder.State.CONFIRMED)
        and not any(line.qty_received for line in lines),
        "closable": order.state == PurchaseOrder.State.CONFIRMED and any(line.qty_received for line in lines)})


def _order_action(request, pk: int, action, done_message: str):
    order = get_object_or_404(PurchaseOrder, pk=pk)
    try:
        order = action(actor=request.user, order=order)
    except ErpError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done_message % {"number": order.number})
    return redirect("purchase_order_detail", pk=pk)


@erp_view(FEATURE, Access.EDIT)
@require_POST
def order_send(request, pk: int):
    return _order_action(request, pk, services.purchase_order_send, _("%(number)s is marked as sent."))


@erp_view(FEATURE, Access.EDIT)
@require_POST
def order_confirm(request, pk: int):
    return _order_action(request, pk, services.purchase_order_confirm,
                         _("%(number)s is confirmed: its receipt is ready in the warehouse."))


@erp_view(FEATURE, Access.EDIT)
@require_POST
def order_cancel(request, pk: int):
    return _order_action(request, pk, services.purchase_order_cancel, _("%(number)s is cancelled."))


@erp_view(FEATURE, Access.EDIT)
@require_POST
def order_close(request, pk: int):
    return _order_action(request, pk, services.purchase_order_close,
                         _("%(number)s is closed with what was received."))


# --- supplier prices ---------------------------------------------------------------------------------------------

@erp_view(FEATURE)
def supplier_price_list(request):
    form = SupplierPriceForm(request.POST or None, initial={
        "product": request.GET.get("product") or None, "supplier": request.GET.get("supplier") or None})
    if request.method == "POST":
        if not _can_edit(request):
            return _forbidden(request)
        if form.is_valid():
            try:
                services.supplier_price_set(actor=request.user, **{
                    **form.cleaned_data, "lead_days": form.cleaned_data["lead_days"] or 0})
            except ErpError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                messages.success(request, _("Supplier price saved."))
                return redirect("supplier_price_list")
    filters = {"supplier": request.GET.get("supplier", ""), "product": request.GET.get("product", "")}
    prices = selectors.supplier_price_list()
    if filters["supplier"].isdigit():
        prices = prices.filter(supplier_id=int(filters["supplier"]))
    if filters["product"].isdigit():
        prices = prices.filter(product_id=int(filters["product"]))
    page = Paginator(prices, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "erp/purchasing/supplier_prices.html", {
        "page": page, "form": form, "filters": filters, "can_edit": _can_edit(request),
        "suppliers": selectors.suppliers().only("pk", "name")}, status=400 if form.errors else 200)


@erp_view(FEATURE, Access.EDIT)
@require_POST
def supplier_price_delete(request, pk: int):
    row = get_object_or_404(SupplierPrice, pk=pk)
    services.supplier_price_delete(actor=request.user, supplier_price=row)
    messages.success(request, _("Supplier price removed."))
    return redirect("supplier_price_list")


@erp_view(FEATURE)
def supplier_price_lookup(request):
    """The chosen supplier's price breaks per product, for the order form to show as each line's default."""
    supplier = request.GET.get("supplier", "")
    rows = SupplierPrice.objects.filter(supplier_id=int(supplier) if supplier.isdigit() else None)
    prices: dict[str, list] = {}
    for product_id, min_quantity, price, currency in rows.order_by("product_id", "min_quantity").values_list(
            "product_id", "min_quantity", "price", "currency"):
        prices.setdefault(str(product_id), []).append({"min": str(min_quantity), "price": str(price),
                                                       "currency": currency})
    return JsonResponse({"prices": prices})


# --- suggestions -------------------------------------------------------------------------------------------------

def _warehouse_filter(request) -> Warehouse | None:
    warehouse_id = request.GET.get("warehouse") or request.POST.get("warehouse") or ""
    return Warehouse.objects.filter(pk=int(warehouse_id)).first() if warehouse_id.isdigit() else None


@erp_view(FEATURE)
def suggestions(request):
    warehouse = _warehouse_filter(request)
    found = selectors.purchase_suggestions(warehouse=warehouse)
    if request.method == "POST":
        if not _can_edit(request):
            return _forbidden(request)
        return _suggestions_to_orders(request, found)
    warehouses = list(Warehouse.objects.filter(is_active=True))
    return render(request, "erp/purchasing/suggestions.html", {
        "suggestions": found, "warehouse": warehouse, "warehouses": warehouses if len(warehouses) > 1 else [],
        "can_edit": _can_edit(request)})


def _suggestions_to_orders(request, found):
    picked = set(request.POST.getlist("pick"))
    items = []
    for suggestion in found:
        if suggestion.key not in picked:
            continue
        try:
            quantity = Decimal(request.POST.get(f"qty-{suggestion.key}") or suggestion.quantity)
        except InvalidOperation:
            quantity = suggestion.quantity
        if quantity > 0:
            items.append({"product": suggestion.product, "quantity": quantity, "warehouse": suggestion.warehouse,
                          "supplier": suggestion.supplier})
    if not items:
        messages.error(request, _("Tick the products to buy first."))
        return redirect("purchase_suggestions")
    try:
        result = services.purchase_orders_from_suggestions(actor=request.user, items=items)
    except ErpError as error:
        messages.error(request, error.message)
        return redirect("purchase_suggestions")
    if result.orders:
        messages.success(request, _("Requests for quotation created: %(numbers)s.") % {
            "numbers": ", ".join(order.number for order in result.orders)})
    if result.without_supplier:
        messages.warning(request, _("No supplier sells %(products)s yet: add a supplier price, then buy them.") % {
            "products": ", ".join(product.name for product in result.without_supplier)})
    if len(result.orders) == 1 and not result.without_supplier:
        return redirect("purchase_order_detail", pk=result.orders[0].pk)
    return redirect("purchase_order_list") if result.orders else redirect("purchase_suggestions")


urlpatterns = [
    path("", order_list, name="purchase_order_list"),
    path("new/", order_create, name="purchase_order_create"),
    path("<int:pk>/", order_detail, name="purchase_order_detail"),
    path("<int:pk>/edit/", order_edit, name="purchase_order_edit"),
    path("<int:pk>/send/", order_send, name="purchase_order_send"),
    path("<int:pk>/confirm/", order_confirm, name="purchase_order_confirm"),
    path("<int:pk>/cancel/", order_cancel, name="purchase_order_cancel"),
    path("<int:pk>/close/", order_close, name="purchase_order_close"),
    path("supplier-prices/", supplier_price_list, name="supplier_price_list"),
    path("supplier-prices/<int:pk>/delete/", supplier_price_delete, name="supplier_price_delete"),
    path("supplier-prices/lookup/", supplier_price_lookup, name="supplier_price_lookup"),
    path("suggestions/", suggestions, name="purchase_suggestions"),
]
