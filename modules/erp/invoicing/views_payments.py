"""Payment pages (Growth, with customer invoices): the payment list, the register form (opened from an invoice with
its residual, or blank), the payment detail (allocations, entries, allocating what is left, reversing), a party's
statement (on screen and XLSX), and AR/AP aging with a chart (Scale)."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from modules.erp.errors import ErpError
from modules.erp.invoicing import selectors_payments as selectors
from modules.erp.invoicing.forms_payments import PaymentForm
from modules.erp.invoicing.models import Payment
from modules.erp.invoicing.services.payments import (
    FEATURE,
    payment_allocate,
    payment_prefill,
    payment_register,
    payment_reverse,
)
from modules.erp.views_common import erp_view
from modules.parties.models import Party
from tenants.access import membership_allows
from tenants.roles import Access

AGING_FEATURE = "erp.aging"
PAGE_SIZE = 50
FORM_FIELDS = ("kind", "party", "method", "date", "amount", "currency", "exchange_rate", "reference")


def _can_edit(request) -> bool:
    return membership_allows(request.membership, "erp", Access.EDIT)


def _day(value, default: datetime.date) -> datetime.date:
    try:
        return parse_date(value or "") or default
    except ValueError:
        return default


# --- payments ----------------------------------------------------------------------------------------------------

@erp_view(FEATURE)
def payment_list(request):
    filters = {"q": request.GET.get("q", "").strip(), "kind": request.GET.get("kind", ""),
               "state": request.GET.get("state", ""), "party": request.GET.get("party", "")}
    payments = selectors.payment_list(q=filters["q"], kind=filters["kind"], state=filters["state"],
                                      party_id=filters["party"])
    page = Paginator(payments, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "erp/invoicing/payment_list.html", {
        "page": page, "filters": filters, "kinds": Payment.Kind.choices, "states": Payment.State.choices,
        "can_edit": _can_edit(request), "filtered": any(filters.values())})


def _allocations(form: PaymentForm, invoice) -> dict | None:
    """From an invoice: what of the amount it can take (the rest stays as an advance); else automatic or none."""
    data = form.cleaned_data
    if invoice is not None:
        amount = data["amount"] if invoice.currency != data["currency"] else min(data["amount"],
                                                                                 invoice.amount_residual)
        return {invoice.pk: amount}
    return None if data.get("auto_allocate") else {}


def _plain(value: Decimal) -> Decimal:
    """12500000.00 -> 12500000 for the form's inputs (the currency's decimals stay when they are not zero)."""
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


@erp_view(FEATURE, Access.EDIT)
def payment_create(request):
    invoice = selectors.invoice_for_payment(request.POST.get("invoice") or request.GET.get("invoice"))
    initial = {"date": timezone.localdate(), "method": Payment.Method.BANK, "currency": "VND", "exchange_rate": 1,
               "kind": request.GET.get("kind") if request.GET.get("kind") in Payment.Kind.values
               else Payment.Kind.INBOUND, "auto_allocate": True}
    if str(request.GET.get("party", "")).isdigit():
        initial["party"] = int(request.GET["party"])
    if invoice is not None:
        initial.update(payment_prefill(invoice))
        initial["amount"], initial["exchange_rate"] = _plain(initial["amount"]), _plain(initial["exchange_rate"])
    form = PaymentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            payment = payment_register(actor=request.user, allocations=_allocations(form, invoice),
                                       **{name: data[name] for name in FORM_FIELDS})
        except ErpError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("Payment %(number)s registered.") % {"number": payment.number})
            return redirect("payment_detail", pk=payment.pk)
    return render(request, "erp/invoicing/payment_form.html", {"form": form, "invoice": invoice},
                  status=400 if form.errors else 200)


@erp_view(FEATURE)
def payment_detail(request, pk: int):
    payment = selectors.payment_get(pk)
    can_edit = _can_edit(request)
    open_invoices = (selectors.open_invoices_for(payment)
                     if can_edit and payment.state == Payment.State.POSTED and payment.amount_unallocated else [])
    return render(request, "erp/invoicing/payment_detail.html", {
        "payment": payment, "allocations": selectors.payment_allocations(payment),
        "entries": selectors.payment_entries(payment), "open_invoices": open_invoices, "can_edit": can_edit})


@require_POST
@erp_view(FEATURE, Access.EDIT)
def payment_allocate_view(request, pk: int):
    payment = get_object_or_404(Payment, pk=pk)
    allocations = {}
    for key, value in request.POST.items():
        if key.startswith("alloc-") and key[6:].isdigit() and value.strip():
            try:
                allocations[int(key[6:])] = Decimal(value.strip().replace(",", "."))
            except InvalidOperation:
                messages.error(request, _("Enter the amounts as numbers."))
                return redirect("payment_detail", pk=payment.pk)
    try:
        payment_allocate(actor=request.user, payment=payment, allocations=allocations)
    except ErpError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Payment allocated."))
    return redirect("payment_detail", pk=payment.pk)


@require_POST
@erp_view(FEATURE, Access.EDIT)
def payment_reverse_view(request, pk: int):
    payment = get_object_or_404(Payment, pk=pk)
    try:
        payment_reverse(actor=request.user, payment=payment)
    except ErpError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Payment %(number)s reversed: the invoices are open again.") % {
            "number": payment.number})
    return redirect("payment_detail", pk=payment.pk)


# --- statement ---------------------------------------------------------------------------------------------------

def _statement_xlsx(statement) -> HttpResponse:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = _("Statement")[:31]
    sheet.append([_("Statement of account"), statement.party.name])
    sheet.append([_("From"), statement.date_from.strftime("%d/%m/%Y"), _("To"), statement.date_to.strftime("%d/%m/%Y"),
                  _("Currency"), statement.currency])
    sheet.append([])
    sheet.append([_("Date"), _("Entry"), _("Document"), _("Reference"), _("Description"), _("Debit"), _("Credit"),
                  _("Balance")])
    sheet.append([None, None, None, None, _("Opening balance"), None, None, float(statement.opening)])
    for row in statement.rows:
        sheet.append([row.date, row.number, str(row.document_kind), row.reference, row.memo, float(row.debit),
                      float(row.credit), float(row.balance)])
    sheet.append([None, None, None, None, _("Closing balance"), float(statement.debit_total),
                  float(statement.credit_total), float(statement.closing)])
    number_format = "#,##0" if statement.currency == "VND" else "#,##0.00"
    for cells in sheet.iter_rows(min_row=5, min_col=6, max_col=8):
        for cell in cells:
            cell.number_format = number_format
    for cells in sheet.iter_rows(min_row=5, min_col=1, max_col=1):
        for cell in cells:
            cell.number_format = "DD/MM/YYYY"
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = (f'attachment; filename="statement-{statement.party.pk}-'
                                       f'{statement.date_to:%Y%m%d}.xlsx"')
    return response


@erp_view(FEATURE)
def statement(request):
    today = timezone.localdate()
    party_id = request.GET.get("party", "")
    party = get_object_or_404(Party, pk=int(party_id)) if party_id.isdigit() else None
    side = request.GET.get("side") if request.GET.get("side") in selectors.SIDES else (
        selectors.SUPPLIER if party is not None and party.is_supplier and not party.is_customer else selectors.CUSTOMER)
    date_to = _day(request.GET.get("to"), today)
    date_from = _day(request.GET.get("from"), today.replace(month=1, day=1))
    context = {"party": party, "side": side, "date_from": date_from, "date_to": date_to,
               "parties": selectors.parties().only("pk", "name"), "sides": [
                   (selectors.CUSTOMER, _("Customer (receivable)")), (selectors.SUPPLIER, _("Supplier (payable)"))]}
    if party is not None:
        currencies = selectors.statement_currencies(party)
        currency = request.GET.get("currency") if request.GET.get("currency") in currencies else currencies[0]
        report = selectors.party_statement(party=party, date_from=date_from, date_to=date_to, side=side,
                                           currency=currency)
        if request.GET.get("format") == "xlsx":
            return _statement_xlsx(report)
        context.update(statement=report, currencies=currencies, currency=currency)
    return render(request, "erp/invoicing/statement.html", context)


# --- aging -------------------------------------------------------------------------------------------------------

@erp_view(AGING_FEATURE)
def aging(request):
    side = request.GET.get("side") if request.GET.get("side") in selectors.SIDES else selectors.CUSTOMER
    as_of = _day(request.GET.get("date"), timezone.localdate())
    report = selectors.aging(side=side, as_of=as_of)
    return render(request, "erp/invoicing/aging.html", {
        "report": report, "side": side, "as_of": as_of, "chart": selectors.aging_chart(report)})


urlpatterns = [
    path("payments/", payment_list, name="payment_list"),
    path("payments/new/", payment_create, name="payment_create"),
    path("payments/<int:pk>/", payment_detail, name="payment_detail"),
    path("payments/<int:pk>/allocate/", payment_allocate_view, name="payment_allocate"),
    path("payments/<int:pk>/reverse/", payment_reverse_view, name="payment_reverse"),
    path("statements/", statement, name="party_statement"),
    path("aging/", aging, name="erp_aging"),
]
