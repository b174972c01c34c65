"""Journal entries: the list (journal, dates, account, party, text), an entry with its lines and the document it
came from, its reversal, and the manual general-journal entry."""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from modules.erp.accounting import selectors
from modules.erp.accounting.forms import EntryForm, entry_line_formset
from modules.erp.accounting.models import JournalEntry
from modules.erp.accounting.reports.table import amount_text
from modules.erp.accounting.services.posting import LineSpec, entry_post, entry_reverse
from modules.erp.accounting.views._common import LEDGER, accounting_view, branches_shown, can_edit, language
from modules.erp.errors import ErpError
from modules.parties.models import Party
from tenants.roles import Access

PAGE_SIZE = 50
SOURCE_PAGES = {  # source kind -> page names to try (pages other helpers serve may not exist yet)
    "invoice": ("invoice_detail", "invoicing_invoice_detail"),
    "payment": ("payment_detail", "invoicing_payment_detail"),
}


def _date(value: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value.strip())
    except ValueError:
        return None


def _url(names: tuple[str, ...], *args) -> str | None:
    for name in names:
        try:
            return reverse(name, args=args)
        except NoReverseMatch:
            continue
    return None


@accounting_view(LEDGER)
def entry_list(request):
    params = request.GET
    party_id = params.get("party", "")
    filters = selectors.EntryFilters(
        journal=params.get("journal", "").strip(), date_from=_date(params.get("from", "")),
        date_to=_date(params.get("to", "")), account=params.get("account", "").strip(),
        party_id=int(party_id) if party_id.isdigit() else None,
        party="" if party_id.isdigit() else party_id.strip(), q=params.get("q", "").strip())
    page = Paginator(selectors.entry_list(filters), PAGE_SIZE).get_page(params.get("page"))
    party = Party.objects.filter(pk=filters.party_id).first() if filters.party_id else None
    return render(request, "erp/accounting/entry_list.html", {
        "page": page, "filters": filters, "party": party, "journals": selectors.journal_list(),
        "can_edit": can_edit(request),
        "query": urlencode({key: value for key, value in params.items() if key != "page" and value})})


def _source_link(entry: JournalEntry) -> tuple[str, str | None]:
    """What the entry was posted from, and the page showing it when there is one."""
    kind, ident = selectors.source_of(entry)
    if kind in SOURCE_PAGES and ident:
        label = _("Invoice") if kind == "invoice" else _("Payment")
        return label, _url(SOURCE_PAGES[kind], ident)
    if kind == "moves" and ident:
        from modules.erp.inventory.models import StockMove

        move = StockMove.objects.filter(pk=ident).only("picking_id").first()
        if move is not None and move.picking_id:
            return _("Stock operation"), reverse("inventory_picking_detail", args=[move.picking_id])
        return _("Stock moves"), reverse("inventory_move_list")
    if kind == "reversal" and entry.reversal_of_id:
        return _("Reversal"), reverse("accounting_entry_detail", args=[entry.reversal_of_id])
    if kind == "opening":
        return _("Opening balance"), None
    return (_("Entered by hand"), None) if not kind else (entry.source, None)


def _detail(request, entry: JournalEntry, status: int = 200):
    lines = selectors.entry_lines(entry)
    source_label, source_url = _source_link(entry)
    reversed_by = getattr(entry, "reversed_by", None)  # the reverse one-to-one raises when there is none
    return render(request, "erp/accounting/entry_detail.html", {
        "entry": entry, "lines": lines, "source_label": source_label, "source_url": source_url,
        "reversed_by": reversed_by, "can_edit": can_edit(request),
        "can_reverse": can_edit(request) and entry.reversal_of_id is None and reversed_by is None,
        "total_debit": sum(line.debit for line in lines), "total_credit": sum(line.credit for line in lines)},
        status=status)


def _get(pk: int) -> JournalEntry:
    try:
        return selectors.entry_for_detail(pk)
    except JournalEntry.DoesNotExist:
        raise Http404 from None


@accounting_view(LEDGER)
def entry_detail(request, pk: int):
    return _detail(request, _get(pk))


@require_POST
@accounting_view(LEDGER, Access.EDIT)
def entry_reverse_view(request, pk: int):
    entry = _get(pk)
    day = _date(request.POST.get("date", "")) or None
    try:
        reversal = entry_reverse(actor=request.user, entry=entry, date=day)
    except ErpError as error:
        messages.error(request, error.message)
        return redirect("accounting_entry_detail", pk=entry.pk)
    messages.success(request, _("Entry %(number)s reversed by %(reversal)s.") % {
        "number": entry.number, "reversal": reversal.number})
    return redirect("accounting_entry_detail", pk=reversal.pk)


@accounting_view(LEDGER, Access.EDIT)
def entry_create(request):
    """A general-journal (TH) entry typed in. Errors, the service's included, come back on the form with every
    line as typed."""
    accounts = {account.code: account for account in selectors.postable_accounts()}
    has_branches = bool(branches_shown(request))
    data = request.POST if request.method == "POST" else None
    form = EntryForm(data, branches=has_branches)
    formset = entry_line_formset(data, accounts=accounts)
    balance_error = ""
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        rows = [line.cleaned_data for line in formset if not line.cleaned_data.get("blank", True)]
        specs = [LineSpec(account=row["account"], amount=row["amount"], label=row.get("label") or "",
                          party_id=row["party"].pk if row.get("party") else None) for row in rows]
        debit = sum(spec.amount for spec in specs if spec.amount > 0)
        credit = -sum(spec.amount for spec in specs if spec.amount < 0)
        if len(specs) < 2:
            balance_error = _("An entry needs at least two lines: what is debited and what is credited.")
        elif debit != credit:
            lang = language()
            balance_error = _("Debits (%(debit)s) and credits (%(credit)s) differ by %(difference)s: the entry must "
                              "balance.") % {"debit": amount_text(debit, lang), "credit": amount_text(credit, lang),
                                             "difference": amount_text(abs(debit - credit), lang)}
        else:
            header = form.cleaned_data
            try:
                entry = entry_post(actor=request.user, journal_code="TH", date=header["date"], lines=specs,
                                   reference=header.get("reference") or "", memo=header["memo"],
                                   branch=header.get("branch"))
            except ErpError as error:
                if error.field in form.fields:
                    form.add_error(error.field, error.message)
                else:
                    balance_error = error.message
            else:
                messages.success(request, _("Entry %(number)s posted.") % {"number": entry.number})
                return redirect("accounting_entry_detail", pk=entry.pk)
    failed = request.method == "POST"
    return render(request, "erp/accounting/entry_form.html", {
        "form": form, "formset": formset, "accounts": accounts.values(), "balance_error": balance_error},
        status=400 if failed else 200)


urlpatterns = [
    path("entries/", entry_list, name="accounting_entry_list"),
    path("entries/new/", entry_create, name="accounting_entry_create"),
    path("entries/<int:pk>/", entry_detail, name="accounting_entry_detail"),
    path("entries/<int:pk>/reverse/", entry_reverse_view, name="accounting_entry_reverse"),
]
