"""VAT summaries: output VAT of posted customer invoices (less credit notes) and input VAT of posted supplier
bills (less refunds), invoice by invoice and rate by rate, in VND, with the ledger account (33311, 1331) beside
them so a difference (rounding, a manual entry) shows."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import F, Sum
from django.utils.translation import gettext as _

from modules.erp.accounting.models import Account, Branch
from modules.erp.accounting.reports.periods import ReportPeriod
from modules.erp.accounting.reports.sums import account_sums
from modules.erp.accounting.reports.table import Column, Row, Table, amount_text
from modules.erp.catalog.money import money_round
from modules.erp.invoicing.models import Invoice, InvoiceLine

ZERO = Decimal(0)
HUNDRED = Decimal(100)
SIDES = {
    "output": {"kinds": (Invoice.Kind.OUT_INVOICE, Invoice.Kind.OUT_REFUND), "refund": Invoice.Kind.OUT_REFUND,
               "account": "33311"},
    "input": {"kinds": (Invoice.Kind.IN_INVOICE, Invoice.Kind.IN_REFUND), "refund": Invoice.Kind.IN_REFUND,
              "account": "1331"},
}


def _vnd(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal(1), rounding=ROUND_HALF_UP)


@dataclass
class VatInvoice:
    invoice_id: int
    number: str
    date: object
    party: str
    tax_code: str
    base: Decimal
    tax: Decimal


@dataclass
class VatGroup:
    rate: Decimal | None  # None: exempt
    invoices: list[VatInvoice] = field(default_factory=list)

    @property
    def base(self) -> Decimal:
        return sum((row.base for row in self.invoices), ZERO)

    @property
    def tax(self) -> Decimal:
        return sum((row.tax for row in self.invoices), ZERO)


@dataclass
class VatSummary:
    side: str
    groups: list[VatGroup]
    ledger: Decimal  # the period's movement of the VAT account (credit for output, debit for input)

    @property
    def base(self) -> Decimal:
        return sum((group.base for group in self.groups), ZERO)

    @property
    def tax(self) -> Decimal:
        return sum((group.tax for group in self.groups), ZERO)


def vat_summary(*, side: str, period: ReportPeriod, branch: Branch | None = None) -> VatSummary:
    """One query over the posted invoices' lines of the period, summed per invoice and VAT code; the tax is
    rounded once per code on its base, as the invoice computed and posted it (``vat_groups``), then brought to
    VND at the invoice's rate. Credit notes count negative. One more query for the VAT account's movement."""
    spec = SIDES[side]
    lines = InvoiceLine.objects.filter(invoice__state=Invoice.State.POSTED, invoice__kind__in=spec["kinds"],
                                       invoice__date__gte=period.date_from, invoice__date__lte=period.date_to)
    if branch is not None:
        lines = lines.filter(invoice__branch=branch)
    rows = (lines.order_by().values("invoice_id", "vat_code", "vat_rate", "invoice__kind", "invoice__date",
                                    "invoice__currency", "invoice__exchange_rate", "invoice__symbol__symbol",
                                    "invoice__number", "invoice__supplier_reference", "invoice__party__name",
                                    "invoice__party__tax_code")
            .annotate(base=Sum("amount_untaxed"))
            .order_by(F("vat_rate").desc(nulls_last=True), "invoice__date", "invoice_id"))
    groups: dict[object, VatGroup] = {}
    ordered: list[VatGroup] = []
    seen: dict[tuple, VatInvoice] = {}
    for row in rows:
        rate, currency, exchange = row["vat_rate"], row["invoice__currency"], row["invoice__exchange_rate"]
        sign = -1 if row["invoice__kind"] == spec["refund"] else 1
        base = row["base"] or ZERO
        tax = money_round(base * rate / HUNDRED, currency) if rate else ZERO
        base_vnd, tax_vnd = sign * _vnd(base * exchange), sign * _vnd(tax * exchange)
        group = groups.get(rate)
        if group is None:
            group = groups[rate] = VatGroup(rate=rate)
            ordered.append(group)
        known = seen.get((rate, row["invoice_id"]))
        if known is not None:  # two VAT codes at the same rate on one invoice
            known.base += base_vnd
            known.tax += tax_vnd
            continue
        if row["invoice__symbol__symbol"] and row["invoice__number"]:
            number = f"{row['invoice__symbol__symbol']}-{row['invoice__number']:08d}"
        else:
            number = row["invoice__supplier_reference"] or f"#{row['invoice_id']}"
        seen[(rate, row["invoice_id"])] = invoice = VatInvoice(
            invoice_id=row["invoice_id"], number=number, date=row["invoice__date"], party=row["invoice__party__name"],
            tax_code=row["invoice__party__tax_code"], base=base_vnd, tax=tax_vnd)
        group.invoices.append(invoice)
    account_ids = Account.objects.filter(code__startswith=spec["account"]).values_list("pk", flat=True)
    sums = account_sums(date_from=period.date_from, date_to=period.date_to, branch=branch, account_ids=account_ids,
                        opening=False)
    movement = sum((figures.credit - figures.debit if side == "output" else figures.debit - figures.credit
                    for figures in sums.values()), ZERO)
    return VatSummary(side=side, groups=ordered, ledger=movement)


def rate_label(rate: Decimal | None) -> str:
    if rate is None:
        return _("Not subject to VAT")
    return _("VAT %(rate)s%%") % {"rate": f"{rate.normalize():f}"}


def vat_table(summary: VatSummary, *, period: ReportPeriod, branch: Branch | None, lang: str) -> Table:
    facts = [(_("Period"), period.label())]
    if branch is not None:
        facts.append((_("Branch"), branch.name))
    output = summary.side == "output"
    table = Table(key=f"vat_{summary.side}", title=_("Output VAT summary") if output else _("Input VAT summary"),
                  facts=facts, landscape=True,
                  columns=[Column(_("Invoice"), width=36), Column(_("Date"), "date", width=22),
                           Column(_("Customer") if output else _("Supplier"), width=0),
                           Column(_("Tax code"), width=28), Column(_("Amount before VAT"), "money", width=34),
                           Column(_("VAT"), "money", width=30)])
    for group in summary.groups:
        key = "exempt" if group.rate is None else f"{group.rate.normalize():f}"
        table.rows.append(Row([rate_label(group.rate), "", "", "", "", ""], style="strong", key=f"rate-{key}"))
        for row in group.invoices:
            table.rows.append(Row([row.number, row.date, row.party, row.tax_code, row.base, row.tax], level=1,
                                  key=f"invoice-{row.invoice_id}"))
        table.rows.append(Row([_("Total %(rate)s") % {"rate": rate_label(group.rate)}, "", "", "", group.base,
                               group.tax], style="strong", key=f"total-{key}"))
    table.rows.append(Row([_("Grand total"), "", "", "", summary.base, summary.tax], style="total", key="total"))
    account = SIDES[summary.side]["account"]
    table.rows.append(Row([_("Account %(account)s in the ledger") % {"account": account}, "", "", "", "",
                           summary.ledger], style="muted", key="ledger"))
    if summary.ledger != summary.tax:
        table.notes.append(_("The ledger's account %(account)s differs from the invoices by %(difference)s: entries "
                             "posted by hand, or rounding.") % {
            "account": account, "difference": amount_text(summary.ledger - summary.tax, lang)})
    table.notes.append(_("Credit notes and refunds count negative; amounts in another currency at the invoice's "
                         "exchange rate."))
    return table
