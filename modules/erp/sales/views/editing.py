"""Writing a quotation: the form (header and lines), and the htmx pieces behind it: customer and product
search, a line redrawn when its product, unit or quantity changes (units of the product, list price for the
quantity, stock available), one more line, and the stock-and-price check alone."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from modules.erp.catalog.forms import vat_choices
from modules.erp.catalog.models import Product, Unit
from modules.erp.catalog.selectors import product_search
from modules.erp.errors import ErpError
from modules.erp.inventory.models import Warehouse
from modules.erp.sales import selectors, services
from modules.erp.sales.forms import LINES_PREFIX, LineForm, QuotationForm, line_formset, line_initial
from modules.erp.sales.models import SalesOrder
from modules.erp.sales.selectors import LineCheck
from modules.erp.sales.views._common import FEATURE
from modules.erp.views_common import erp_view
from modules.parties.models import Party
from modules.parties.selectors import party_search
from tenants.roles import Access

NEW_ROWS = 3
SEARCH_RESULTS = 10
EDITABLE_STATES = (SalesOrder.State.QUOTATION, SalesOrder.State.SENT)


@dataclass
class Row:
    """A line form as drawn: its product, the units it can be sold in, and what stock and price it finds."""

    index: int
    form: LineForm
    product: Product | None
    units: list[tuple[Unit, Decimal]]
    unit_id: int | None
    check: LineCheck | None = None
    search_text: str = ""

    @property
    def price_auto(self) -> bool:
        return _flag(self.form["price_auto"].value())


def _int(value) -> int | None:
    return int(value) if str(value or "").isdigit() else None


def _flag(value) -> bool:
    return str(value).lower() in ("true", "1", "on")


def _decimal(value) -> Decimal | None:
    text = str(value or "").strip().replace(",", ".")
    try:
        return Decimal(text) if text else None
    except InvalidOperation:
        return None


def _header_values(header: QuotationForm) -> dict:
    """Party, currency and warehouse as the header form holds them (bound or not), for prices and stock."""
    party_id, warehouse_id = _int(header["party"].value()), _int(header["warehouse"].value())
    currency = header["currency"].value()
    return {
        "party": Party.objects.filter(pk=party_id).first() if party_id else None,
        "currency": currency if currency in ("VND", "USD") else "VND",
        "warehouse": Warehouse.objects.filter(pk=warehouse_id).first() if warehouse_id else None,
    }


def _rows(forms, values: dict, data=None) -> list[Row]:
    """Rows for ``forms`` with their products and units (two queries) and their checks (stock in one query)."""
    raw = [(form, _int(form["product"].value()), _int(form["unit"].value()), _decimal(form["quantity"].value()))
           for form in forms]
    products = selectors.products_with_units(product_id for _form, product_id, _unit, _qty in raw)
    rows, wanted = [], []
    for form, product_id, unit_id, quantity in raw:
        product, units = products.get(product_id, (None, []))
        if units and unit_id not in {unit.pk for unit, _factor in units}:
            unit_id = units[0][0].pk
        search_text = f"{product.sku} {product.name}" if product else (data or {}).get(f"{form.prefix}-product_q", "")
        row = Row(index=int(form.prefix.rsplit("-", 1)[1]), form=form, product=product, units=units, unit_id=unit_id,
                  search_text=search_text)
        rows.append(row)
        if product is not None:
            factor = next((factor for unit, factor in units if unit.pk == unit_id), Decimal(1))
            wanted.append((row, (product, quantity or Decimal(1), factor)))
    checks = selectors.line_checks([spec for _row, spec in wanted], **values) if wanted else []
    for (row, _spec), check in zip(wanted, checks, strict=True):
        row.check = check
    return rows


def _form_page(request, header: QuotationForm, formset, *, order: SalesOrder | None = None,
               line_errors: list[str] | None = None):
    values = _header_values(header)
    party = values["party"]
    return render(request, "erp/sales/order_form.html", {
        "header": header, "formset": formset, "rows": _rows(formset.forms, values, request.POST),
        "order": order, "line_errors": line_errors or [], "all_units": list(Unit.objects.all()),
        "currency": values["currency"],
        "party_text": party.name if party else request.POST.get("party_q", ""),
        "many_warehouses": header.fields["warehouse"].queryset.count() > 1,
    }, status=400 if header.is_bound else 200)


def _place_error(error: ErpError, header: QuotationForm, line_forms: list[LineForm], line_errors: list[str]) -> None:
    """A service error on the field it names: a header field, ``lines-<n>-<field>`` of the n-th written line,
    or the lines as a whole."""
    field = error.field or ""
    if field.startswith(f"{LINES_PREFIX}-"):
        _prefix, index, name = field.split("-", 2)
        if index.isdigit() and int(index) < len(line_forms):
            form = line_forms[int(index)]
            form.add_error(name if name in form.fields else None, error.message)
            return
    if field == LINES_PREFIX or field.startswith(LINES_PREFIX):
        line_errors.append(error.message)
        return
    header.add_error(field if field in header.fields else None, error.message)


def _written(formset) -> list[LineForm]:
    """The lines to save: not blank, not removed."""
    return [form for form in formset.forms if form.cleaned_data and not form.cleaned_data.get("blank")
            and not form.cleaned_data.get("DELETE")]


def _save(request, *, order: SalesOrder | None):
    header = QuotationForm(request.POST)
    formset = line_formset(request.POST, vat_choices=vat_choices())
    header_ok, lines_ok = header.is_valid(), formset.is_valid()
    line_errors: list[str] = []
    if header_ok and lines_ok:
        line_forms = _written(formset)
        specs = [form.spec() for form in line_forms]
        try:
            if order is None:
                order = services.sales_order_create(actor=request.user, lines=specs, **header.header())
                messages.success(request, _("Quotation %(number)s saved.") % {"number": order.number})
            else:
                services.sales_order_update(actor=request.user, order=order, lines=specs, **header.header())
                messages.success(request, _("Quotation %(number)s saved.") % {"number": order.number})
        except ErpError as error:
            _place_error(error, header, line_forms, line_errors)
        else:
            return redirect("sales_order_detail", pk=order.pk)
    return _form_page(request, header, formset, order=order, line_errors=line_errors)


@erp_view(FEATURE, Access.EDIT)
def quotation_create(request):
    if request.method == "POST":
        return _save(request, order=None)
    initial = {}
    party_id = _int(request.GET.get("party"))
    if party_id and Party.objects.filter(pk=party_id, is_active=True).exists():
        initial["party"] = party_id
    header = QuotationForm(initial=initial)
    return _form_page(request, header, line_formset(initial=[{}] * NEW_ROWS, vat_choices=vat_choices()))


@erp_view(FEATURE, Access.EDIT)
def quotation_edit(request, pk: int):
    order = selectors.order_for_detail(pk)
    if order.state not in EDITABLE_STATES:
        messages.error(request, _("Only a quotation can be changed; this one is %(state)s.") % {
            "state": order.get_state_display().lower()})
        return redirect("sales_order_detail", pk=order.pk)
    if request.method == "POST":
        return _save(request, order=order)
    header = QuotationForm(initial={
        "party": order.party_id, "currency": order.currency, "warehouse": order.warehouse_id,
        "exchange_rate": order.exchange_rate if order.currency != "VND" else None,
        "order_date": order.order_date, "validity_date": order.validity_date,
        "commitment_date": order.commitment_date, "note": order.note})
    lines = [line_initial(line) for line in selectors.order_lines(order)]
    return _form_page(request, header, line_formset(initial=lines, vat_choices=vat_choices()), order=order)


def _row_page(request, form: LineForm, values: dict, *, fill_price: bool):
    row = _rows([form], values, request.POST or request.GET)[0]
    if fill_price and row.check is not None and row.check.unit_price is not None:
        # The price follows the list until someone types one: redraw the row with it.
        data = {name: form[name].value() for name in form.fields}
        data.update(unit=row.unit_id, unit_price=row.check.unit_price, price_auto=True)
        row.form = LineForm(initial=data, prefix=form.prefix, vat_choices=vat_choices())
    return render(request, "erp/sales/_line_row.html", {"row": row, "all_units": list(Unit.objects.all()),
                                                         "currency": values["currency"]})


@require_POST
@erp_view(FEATURE, Access.EDIT)
def line_row(request):
    """One line redrawn from the whole form's values (htmx posts the form) once its product is chosen: the
    product's units, its list price, the stock; or (``part=check``) only the stock-and-price check, when the
    quantity, the unit, the customer or the currency changes."""
    index = _int(request.POST.get("row"))
    total = _int(request.POST.get(f"{LINES_PREFIX}-TOTAL_FORMS"))
    if index is None or total is None or index >= total:
        return HttpResponseBadRequest("row")
    form = LineForm(request.POST, prefix=f"{LINES_PREFIX}-{index}", vat_choices=vat_choices())
    values = _header_values(QuotationForm(request.POST))
    if request.POST.get("part") == "check":
        # Only the check: the row's inputs stay as they are, the user may be typing in them. The page's script
        # copies the list price into an automatic price.
        row = _rows([form], values)[0]
        return render(request, "erp/sales/_line_check.html", {"check": row.check, "currency": values["currency"]})
    price = form["unit_price"].value()
    auto = _flag(form["price_auto"].value()) or not str(price or "").strip()
    return _row_page(request, form, values, fill_price=auto)


@require_GET
@erp_view(FEATURE, Access.EDIT)
def line_add(request):
    """One more empty line, numbered after the last, and the formset's count raised (out of band)."""
    index = _int(request.GET.get(f"{LINES_PREFIX}-TOTAL_FORMS")) or 0
    form = LineForm(prefix=f"{LINES_PREFIX}-{index}", vat_choices=vat_choices())
    row = Row(index=index, form=form, product=None, units=[], unit_id=None)
    return render(request, "erp/sales/_line_row.html", {
        "row": row, "all_units": list(Unit.objects.all()), "total_forms": index + 1})


@require_GET
@erp_view(FEATURE)
def line_check(request):
    """Stock available (in the warehouse, goods only) and the list price for a product and quantity."""
    product = get_object_or_404(Product.objects.select_related("base_unit"), pk=_int(request.GET.get("product")))
    quantity = _decimal(request.GET.get("quantity")) or Decimal(1)
    units = dict(((unit.pk, factor) for unit, factor in selectors.products_with_units([product.pk])[product.pk][1]))
    factor = units.get(_int(request.GET.get("unit")), Decimal(1))
    party_id, warehouse_id = _int(request.GET.get("party")), _int(request.GET.get("warehouse"))
    check = selectors.line_check(
        product=product, quantity=quantity, factor=factor,
        party=Party.objects.filter(pk=party_id).first() if party_id else None,
        currency=request.GET.get("currency") if request.GET.get("currency") in ("VND", "USD") else "VND",
        warehouse=Warehouse.objects.filter(pk=warehouse_id).first() if warehouse_id else None)
    return render(request, "erp/sales/_line_check.html", {"check": check, "currency": request.GET.get("currency")
                                                           or "VND"})


def _search_text(request) -> str:
    """The text typed in a picker: ``q``, or the parameter its search box sends (``lines-0-product_q``)."""
    if request.GET.get("q"):
        return request.GET["q"]
    return next((value for key, value in request.GET.items() if key.endswith("_q")), "")


@require_GET
@erp_view(FEATURE)
def party_pick(request):
    """Customers matching the text (accent-insensitive, also by tax code, phone, email), for the picker."""
    q = _search_text(request)
    parties = party_search(Party.objects.filter(is_active=True, merged_into=None), q).order_by(
        "-is_customer", "name")[:SEARCH_RESULTS] if q.strip() else []
    results = [{"pk": party.pk, "label": party.name, "detail": party.tax_code or party.email or ""}
               for party in parties]
    return render(request, "erp/sales/_pick_results.html", {"results": results, "q": q})


@require_GET
@erp_view(FEATURE)
def product_pick(request):
    q = _search_text(request)
    products = product_search(Product.objects.filter(is_active=True).select_related("base_unit"), q).order_by(
        "name")[:SEARCH_RESULTS] if q.strip() else []
    results = [{"pk": product.pk, "label": f"{product.sku} {product.name}", "detail": product.base_unit.name}
               for product in products]
    return render(request, "erp/sales/_pick_results.html", {"results": results, "q": q})


urlpatterns = [
    path("new/", quotation_create, name="sales_quotation_create"),
    path("<int:pk>/edit/", quotation_edit, name="sales_quotation_edit"),
    path("lines/row/", line_row, name="sales_line_row"),
    path("lines/new/", line_add, name="sales_line_add"),
    path("lines/check/", line_check, name="sales_line_check"),
    path("pick/customers/", party_pick, name="sales_party_pick"),
    path("pick/products/", product_pick, name="sales_product_pick"),
]
