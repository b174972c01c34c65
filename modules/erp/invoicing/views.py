"""Invoice pages under /erp/invoicing/ (Growth: customer invoices and credit notes; supplier bills with the ledger,
Scale): the list with tabs, filters and search, one invoice (lines, VAT per rate, its journal entry, payments and
credit notes) with its actions (post, cancel a draft, credit note, PDF), the form for a draft written by hand or
changed, and the drafts made from a sales or purchase order."""

from __future__ import annotations

import re

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from billing.entitlements import entitlements_of_request, upgrade_page
from billing.errors import BillingError
from modules.erp.accounting.services.posting import accounting_settings
from modules.erp.common.lines import vat_groups
from modules.erp.errors import ErpError
from modules.erp.invoicing import selectors, services
from modules.erp.invoicing.forms import CreditNoteForm, FromOrderForm, InvoiceForm, InvoiceLineFormSet, line_initial
from modules.erp.invoicing.models import Invoice
from modules.erp.invoicing.pdf import invoice_document, pdf_render, seller_of
from modules.erp.invoicing.services.invoices import CUSTOMER_FEATURE, SUPPLIER_FEATURE
from modules.erp.purchasing.models import PurchaseOrder
from modules.erp.sales.models import SalesOrder
from modules.erp.views_common import erp_view
from tenants.access import membership_allows
from tenants.roles import Access

PAGE_SIZE = 50
LINE_FIELD = re.compile(r"^lines-(\d+)-(\w+)$")
Kind = Invoice.Kind
TAB_LABELS = [
    ("invoices", gettext_lazy("Customer invoices")),
    ("credit_notes", gettext_lazy("Credit notes")),
    ("bills", gettext_lazy("Supplier bills")),
]
STATE_BADGES = {Invoice.State.DRAFT: "", Invoice.State.POSTED: "badge-active", Invoice.State.CANCELLED: "badge-closed"}
SETUP_PAGES = ("accounting_setup", "accounting_settings")


def _can_edit(request) -> bool:
    return membership_allows(request.membership, "erp", Access.EDIT)


def _suppliers_allowed(request) -> bool:
    return entitlements_of_request(request).allows(SUPPLIER_FEATURE)


def _first_url(names: tuple[str, ...], *args) -> str | None:
    for name in names:
        try:
            return reverse(name, args=args)
        except NoReverseMatch:
            continue
    return None


def _invoice_or_upgrade(request, pk: int):
    """The invoice, or the upgrade page when it is a supplier bill and the plan has no ledger (404 elsewhere)."""
    invoice = selectors.invoice_for_detail(pk)
    if not invoice.is_customer and not _suppliers_allowed(request):
        return None, upgrade_page(request, SUPPLIER_FEATURE)
    return invoice, None


def _tab_of(invoice: Invoice) -> str:
    return {Kind.OUT_INVOICE: "invoices", Kind.OUT_REFUND: "credit_notes"}.get(invoice.kind, "bills")


# --- list and detail ----------------------------------------------------------------------------------------------

@erp_view(CUSTOMER_FEATURE)
def invoice_list(request):
    tab = request.GET.get("tab", "invoices")
    tab = tab if tab in selectors.TABS else "invoices"
    suppliers_allowed = _suppliers_allowed(request)
    if tab in selectors.SUPPLIER_TABS and not suppliers_allowed:
        return upgrade_page(request, SUPPLIER_FEATURE)
    filters = {"q": request.GET.get("q", "").strip(), "state": request.GET.get("state", ""),
               "payment": request.GET.get("payment", "")}
    invoices = selectors.invoice_list(tab=tab, state=filters["state"], payment_state=filters["payment"],
                                      q=filters["q"])
    page = Paginator(invoices, PAGE_SIZE).get_page(request.GET.get("page"))
    to_bill = selectors.purchase_orders_to_bill() if tab == "bills" and _can_edit(request) else []
    return render(request, "erp/invoicing/invoice_list.html", {
        "page": page, "tab": tab, "tabs": TAB_LABELS, "filters": filters, "filtered": any(filters.values()),
        "states": Invoice.State.choices, "payment_states": Invoice.PaymentState.choices,
        "badges": STATE_BADGES, "can_edit": _can_edit(request), "suppliers_allowed": suppliers_allowed,
        "to_bill": to_bill, "accounting_ready": accounting_settings() is not None,
        "setup_url": _first_url(SETUP_PAGES)})


@erp_view(CUSTOMER_FEATURE)
def invoice_detail(request, pk: int):
    invoice, refused = _invoice_or_upgrade(request, pk)
    if refused:
        return refused
    lines = selectors.invoice_lines(invoice)
    can_edit = _can_edit(request)
    return render(request, "erp/invoicing/invoice_detail.html", {
        "invoice": invoice, "lines": lines, "groups": vat_groups(lines, invoice.currency),
        "entry_lines": selectors.entry_lines(invoice), "allocations": selectors.invoice_allocations(invoice),
        "refunds": selectors.refunds_of(invoice) if not invoice.is_refund else [],
        "badge": STATE_BADGES.get(invoice.state, ""), "can_edit": can_edit, "tab": _tab_of(invoice),
        "creditable": can_edit and invoice.state == Invoice.State.POSTED and not invoice.is_refund,
        "accounting_ready": accounting_settings() is not None, "setup_url": _first_url(SETUP_PAGES),
        "entry_url": _first_url(("accounting_entry_detail",), invoice.entry_id)
        if invoice.entry_id and _suppliers_allowed(request) else None})


def _document_language(request) -> str:
    lang = request.GET.get("lang") or getattr(request, "LANGUAGE_CODE", "") or get_language() or "vi"
    return "en" if lang.startswith("en") else "vi"


@erp_view(CUSTOMER_FEATURE)
def invoice_pdf(request, pk: int):
    invoice = selectors.invoice_for_detail(pk, kinds=(Kind.OUT_INVOICE, Kind.OUT_REFUND))
    address = invoice.party.addresses.order_by("-is_primary", "pk").first()
    document = invoice_document(invoice=invoice, lines=selectors.invoice_lines(invoice),
                                seller=seller_of(request.tenant), address=str(address) if address else "",
                                lang=_document_language(request))
    response = HttpResponse(pdf_render(document), content_type="application/pdf")
    name = invoice.display_number.replace("#", "draft-")
    response["Content-Disposition"] = f'inline; filename="{name}-{document.lang}.pdf"'
    return response


# --- actions ------------------------------------------------------------------------------------------------------

def _action(request, pk: int, action, done: str):
    invoice, refused = _invoice_or_upgrade(request, pk)
    if refused:
        return refused
    try:
        invoice = action(actor=request.user, invoice=invoice)
    except (ErpError, BillingError) as error:
        messages.error(request, getattr(error, "message", str(error)))
    else:
        messages.success(request, done % {"number": invoice.display_number})
    return redirect("invoice_detail", pk=pk)


@erp_view(CUSTOMER_FEATURE, Access.EDIT)
@require_POST
def invoice_post_view(request, pk: int):
    return _action(request, pk, services.invoice_post, _("%(number)s is posted."))


@erp_view(CUSTOMER_FEATURE, Access.EDIT)
@require_POST
def invoice_cancel_view(request, pk: int):
    return _action(request, pk, services.invoice_cancel, _("The draft %(number)s is cancelled."))


@erp_view(CUSTOMER_FEATURE, Access.EDIT)
def credit_note_view(request, pk: int):
    invoice, refused = _invoice_or_upgrade(request, pk)
    if refused:
        return refused
    if invoice.state != Invoice.State.POSTED or invoice.is_refund:
        messages.error(request, _("Only a posted invoice or bill can be credited."))
        return redirect("invoice_detail", pk=pk)
    lines = selectors.invoice_lines(invoice)
    form = CreditNoteForm(request.POST or None, lines=lines, initial={"date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            specs = form.line_specs()
            if not specs:
                raise ErpError("nothing_to_credit", _("Enter what is credited on at least one line."))
            refund = services.credit_note_create(actor=request.user, invoice=invoice, lines=specs,
                                                 reason=form.cleaned_data["reason"], date=form.cleaned_data["date"])
        except (ErpError, BillingError) as error:
            field = (error.field or "") if isinstance(error, ErpError) else ""
            match = LINE_FIELD.match(field)
            name = f"qty-{specs[int(match.group(1))]['line'].pk}" if match else field
            form.add_error(name if name in form.fields else None, getattr(error, "message", str(error)))
        else:
            messages.success(request, _("Credit note %(number)s is posted.") % {"number": refund.display_number})
            return redirect("invoice_detail", pk=refund.pk)
    return render(request, "erp/invoicing/credit_note_form.html", {"invoice": invoice, "form": form},
                  status=400 if form.errors else 200)


@erp_view(CUSTOMER_FEATURE, Access.EDIT)
@require_POST
def invoice_from_sales_order_view(request, order_pk: int):
    order = get_object_or_404(SalesOrder, pk=order_pk)
    form = FromOrderForm(request.POST)
    basis = form.cleaned_data["basis"] if form.is_valid() else "delivered"
    try:
        invoice = services.invoice_from_sales_order(actor=request.user, order=order, basis=basis)
    except (ErpError, BillingError) as error:
        messages.error(request, getattr(error, "message", str(error)))
        return redirect(_first_url(("sales_order_detail",), order.pk) or reverse("invoice_list"))
    messages.success(request, _("Draft invoice for %(order)s: check it, then post it.") % {"order": order.number})
    return redirect("invoice_detail", pk=invoice.pk)


@erp_view(SUPPLIER_FEATURE, Access.EDIT)
@require_POST
def bill_from_purchase_order_view(request):
    order_id = request.POST.get("order", "")
    order = get_object_or_404(PurchaseOrder, pk=int(order_id) if order_id.isdigit() else 0)
    try:
        invoice = services.bill_from_purchase_order(actor=request.user, order=order,
                                                    supplier_reference=request.POST.get("supplier_reference", ""))
    except (ErpError, BillingError) as error:
        messages.error(request, getattr(error, "message", str(error)))
        return redirect(f"{reverse('invoice_list')}?tab=bills")
    messages.success(request, _("Draft bill for %(order)s: check it, then post it.") % {"order": order.number})
    return redirect("invoice_detail", pk=invoice.pk)


# --- the form -----------------------------------------------------------------------------------------------------

def _service_error(form, formset, error: ErpError) -> None:
    """A service error on the field it names: a header field, a line's (``lines-<n>-<name>``, n counting the filled
    rows), or the whole form."""
    match = LINE_FIELD.match(error.field or "")
    filled = formset.filled_forms()
    if match and int(match.group(1)) < len(filled):
        line_form, name = filled[int(match.group(1))], match.group(2)
        line_form.add_error(name if name in line_form.fields else None, error.message)
        return
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _form_page(request, form, formset, *, invoice=None, supplier=False):
    status = 400 if form.errors or any(formset.errors) or formset.non_form_errors() else 200
    return render(request, "erp/invoicing/invoice_form.html", {
        "form": form, "formset": formset, "invoice": invoice, "supplier": supplier}, status=status)


@erp_view(CUSTOMER_FEATURE, Access.EDIT)
def invoice_create_view(request):
    supplier = request.GET.get("kind") == Kind.IN_INVOICE
    if supplier and not _suppliers_allowed(request):
        return upgrade_page(request, SUPPLIER_FEATURE)
    party = request.GET.get("party", "")
    form = InvoiceForm(request.POST or None, supplier=supplier, initial={
        "date": timezone.localdate(), "currency": "VND", "exchange_rate": 1,
        "party": int(party) if party.isdigit() else None})
    formset = InvoiceLineFormSet(request.POST or None, prefix="lines")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            invoice = services.invoice_create(actor=request.user, kind=Kind.IN_INVOICE if supplier
                                              else Kind.OUT_INVOICE, lines=formset.line_specs(), **form.header())
        except ErpError as error:
            _service_error(form, formset, error)
        else:
            messages.success(request, _("Draft saved: check it, then post it."))
            return redirect("invoice_detail", pk=invoice.pk)
    return _form_page(request, form, formset, supplier=supplier)


@erp_view(CUSTOMER_FEATURE, Access.EDIT)
def invoice_edit_view(request, pk: int):
    invoice, refused = _invoice_or_upgrade(request, pk)
    if refused:
        return refused
    if invoice.state != Invoice.State.DRAFT:
        messages.error(request, _("Only a draft can be changed."))
        return redirect("invoice_detail", pk=pk)
    supplier = not invoice.is_customer
    form = InvoiceForm(request.POST or None, supplier=supplier, initial={
        "party": invoice.party_id, "date": invoice.date, "due_date": invoice.due_date, "currency": invoice.currency,
        "exchange_rate": invoice.exchange_rate, "supplier_reference": invoice.supplier_reference,
        "note": invoice.note})
    formset = InvoiceLineFormSet(request.POST or None, prefix="lines",
                                 initial=[line_initial(line) for line in selectors.invoice_lines(invoice)])
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        header = form.header()
        lines = formset.line_specs()
        if invoice.refund_of_id:  # a credit note keeps its invoice's party, currency and its own lines
            header.pop("party"), header.pop("currency")
            lines = None
        try:
            services.invoice_update(actor=request.user, invoice=invoice, lines=lines, **header)
        except ErpError as error:
            _service_error(form, formset, error)
        else:
            messages.success(request, _("Draft saved."))
            return redirect("invoice_detail", pk=pk)
    return _form_page(request, form, formset, invoice=invoice, supplier=supplier)


urlpatterns = [
    path("", invoice_list, name="invoice_list"),
    path("new/", invoice_create_view, name="invoice_create"),
    path("<int:pk>/", invoice_detail, name="invoice_detail"),
    path("<int:pk>/edit/", invoice_edit_view, name="invoice_edit"),
    path("<int:pk>/post/", invoice_post_view, name="invoice_post"),
    path("<int:pk>/cancel/", invoice_cancel_view, name="invoice_cancel"),
    path("<int:pk>/credit-note/", credit_note_view, name="invoice_credit_note"),
    path("<int:pk>/pdf/", invoice_pdf, name="invoice_pdf"),
    path("from-sales-order/<int:order_pk>/", invoice_from_sales_order_view, name="invoice_from_sales_order"),
    path("from-purchase-order/", bill_from_purchase_order_view, name="bill_from_purchase_order"),
]
