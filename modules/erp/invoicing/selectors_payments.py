"""Reads on payments: the payment list and detail, a party's statement, AR/AP aging, and a party's open balance.

Where the numbers come from, so they agree:
- The statement reads the ledger: the party's lines on 131 (customer) or 331 (supplier), one row per entry, so its
  closing balance is the account's balance for the party, reversals and exchange differences included (in VND; in
  another currency, the lines in that currency by their foreign amounts).
- Aging and the open balance read the documents: open posted invoices (residual at the invoice's rate, credit
  notes and refunds negative) less advances not yet allocated. For VND they equal the same 131/331 balance, less
  what a supplier's goods received and not billed yet add to 331.
Every read is a fixed number of queries.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from modules.erp.accounting.models import JournalLine
from modules.erp.accounting.services.posting import accounting_settings, role_accounts
from modules.erp.catalog.money import money_round
from modules.erp.invoicing.models import Invoice, Payment, PaymentAllocation
from modules.parties.models import Party

ZERO = Decimal(0)
AMOUNT = DecimalField(max_digits=24, decimal_places=6)
COMPANY_CURRENCY = "VND"
CUSTOMER, SUPPLIER = "customer", "supplier"
# side -> (kind that adds to the balance, kind that takes from it, payments whose advance sits there)
SIDES = {CUSTOMER: (Invoice.Kind.OUT_INVOICE, Invoice.Kind.OUT_REFUND, Payment.Kind.INBOUND),
         SUPPLIER: (Invoice.Kind.IN_INVOICE, Invoice.Kind.IN_REFUND, Payment.Kind.OUTBOUND)}
BUCKETS = [("b0", _("0-30 days")), ("b1", _("31-60 days")), ("b2", _("61-90 days")), ("b3", _("Over 90 days"))]
BUCKET_EDGES = (30, 60, 90)


# --- payments ----------------------------------------------------------------------------------------------------

def payment_list(*, q: str = "", kind: str = "", state: str = "", party_id: int | str | None = None) -> QuerySet:
    """Payments with their party and journal, and how many invoices each settles, newest first."""
    payments = (Payment.objects.select_related("party", "journal")
                .annotate(invoice_count=Count("allocations")).order_by("-date", "-id"))
    if kind in Payment.Kind.values:
        payments = payments.filter(kind=kind)
    if state in Payment.State.values:
        payments = payments.filter(state=state)
    if party_id and str(party_id).isdigit():
        payments = payments.filter(party_id=int(party_id))
    q = " ".join((q or "").split())
    if q:
        payments = payments.filter(Q(number__icontains=q) | Q(party__name__icontains=q) | Q(reference__icontains=q))
    return payments


def payment_get(pk: int) -> Payment:
    return get_object_or_404(Payment.objects.select_related("party", "journal", "entry", "entry__reversed_by"), pk=pk)


def payment_allocations(payment: Payment) -> list[PaymentAllocation]:
    return list(payment.allocations.select_related("invoice", "invoice__symbol").order_by("invoice__date", "pk"))


def entry_lines(entry) -> list[JournalLine]:
    if entry is None:
        return []
    return list(entry.lines.select_related("account").order_by("pk"))


def payment_entries(payment: Payment) -> list:
    """The payment's entry, the entries allocating its advance later, and their reversals, with their lines."""
    from modules.erp.accounting.models import JournalEntry

    if not payment.entry_id:
        return []
    own = Q(pk=payment.entry_id) | Q(source__startswith=f"payment:{payment.pk}:")
    entries = JournalEntry.objects.filter(own | Q(reversal_of__in=JournalEntry.objects.filter(own)))
    return list(entries.select_related("journal").prefetch_related("lines__account").order_by("date", "pk"))


def open_invoices_for(payment: Payment) -> list[Invoice]:
    """Invoices ``payment_allocate`` may settle with what is left on ``payment``, oldest first."""
    from modules.erp.invoicing.services.payments import SETTLES

    return list(Invoice.objects.select_related("symbol").filter(
        party_id=payment.party_id, kind__in=SETTLES[payment.kind], state=Invoice.State.POSTED,
        currency=payment.currency, amount_residual__gt=0).order_by("date", "pk"))


def invoice_for_payment(pk) -> Invoice | None:
    """The posted invoice a register form was opened from (None when the id names nothing payable)."""
    if not str(pk or "").isdigit():
        return None
    return (Invoice.objects.select_related("symbol", "party")
            .filter(pk=int(pk), state=Invoice.State.POSTED).first())


def parties() -> QuerySet:
    """Parties a payment may name: active, not merged away."""
    return Party.objects.filter(is_active=True, merged_into__isnull=True).filter(
        Q(is_customer=True) | Q(is_supplier=True)).order_by("name")


# --- statement ---------------------------------------------------------------------------------------------------

@dataclass
class StatementRow:
    date: datetime.date
    number: str
    reference: str
    memo: str
    source: str
    debit: Decimal
    credit: Decimal
    balance: Decimal = ZERO

    @property
    def document(self) -> tuple[str, int] | None:
        """("invoice" | "payment", id) from the entry's source, for a link."""
        kind, _sep, rest = (self.source or "").partition(":")
        number = rest.split(":")[0]
        return (kind, int(number)) if kind in ("invoice", "payment") and number.isdigit() else None

    @property
    def document_kind(self) -> str:
        kind = (self.source or "").split(":")[0]
        return {"invoice": _("Invoice"), "payment": _("Payment"), "reversal": _("Reversal"),
                "moves": _("Goods received")}.get(kind, _("Entry"))


@dataclass
class Statement:
    party: Party
    side: str
    currency: str
    date_from: datetime.date
    date_to: datetime.date
    opening: Decimal = ZERO
    rows: list[StatementRow] = field(default_factory=list)
    closing: Decimal = ZERO
    debit_total: Decimal = ZERO
    credit_total: Decimal = ZERO
    accounting: bool = True


def _side_account(side: str) -> str | None:
    settings_row = accounting_settings()
    if settings_row is None:
        return None
    return role_accounts(settings_row.chart)["receivable" if side == CUSTOMER else "payable"]


def party_statement(*, party: Party, date_from: datetime.date, date_to: datetime.date, side: str = CUSTOMER,
                    currency: str = COMPANY_CURRENCY) -> Statement:
    """The party's account (131 for a customer, 331 for a supplier) from ``date_from`` to ``date_to``: opening
    balance, one row per entry with a running balance, closing balance. Balances are what the customer owes us,
    or what we owe the supplier. In VND every line counts by its VND; in another currency, the lines in it by their
    foreign amounts. Three queries."""
    statement = Statement(party=party, side=side, currency=currency, date_from=date_from, date_to=date_to)
    code = _side_account(side)
    if code is None:
        statement.accounting = False
        return statement
    lines = JournalLine.objects.filter(account__code=code, party=party)
    if currency == COMPANY_CURRENCY:
        debit, credit = F("debit"), F("credit")
    else:
        lines = lines.filter(currency=currency)
        debit = Case(When(amount_currency__gt=0, then=F("amount_currency")), default=Value(ZERO))
        credit = Case(When(amount_currency__lt=0, then=-F("amount_currency")), default=Value(ZERO))
    sums = {"debit": Coalesce(Sum(debit, output_field=AMOUNT), Value(ZERO), output_field=AMOUNT),
            "credit": Coalesce(Sum(credit, output_field=AMOUNT), Value(ZERO), output_field=AMOUNT)}
    sign = 1 if side == CUSTOMER else -1
    before = lines.filter(date__lt=date_from).aggregate(**sums)
    statement.opening = sign * (before["debit"] - before["credit"])
    rows = (lines.filter(date__gte=date_from, date__lte=date_to)
            .values("entry_id", "entry__date", "entry__number", "entry__reference", "entry__memo", "entry__source")
            .annotate(**sums).order_by("entry__date", "entry_id"))
    balance = statement.opening
    for row in rows:
        balance += sign * (row["debit"] - row["credit"])
        statement.rows.append(StatementRow(
            date=row["entry__date"], number=row["entry__number"], reference=row["entry__reference"],
            memo=row["entry__memo"], source=row["entry__source"] or "", debit=row["debit"], credit=row["credit"],
            balance=balance))
        statement.debit_total += row["debit"]
        statement.credit_total += row["credit"]
    statement.closing = balance
    return statement


def statement_currencies(party: Party) -> list[str]:
    """VND first, then the other currencies the party's invoices or payments were in."""
    used = set(Invoice.objects.filter(party=party).exclude(currency=COMPANY_CURRENCY)
               .values_list("currency", flat=True).distinct())
    return [COMPANY_CURRENCY, *sorted(used)]


# --- aging -------------------------------------------------------------------------------------------------------

@dataclass
class AgingRow:
    party_id: int
    party_name: str
    buckets: list[Decimal]
    advance: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return sum(self.buckets, ZERO) - self.advance


@dataclass
class Aging:
    side: str
    as_of: datetime.date
    rows: list[AgingRow]
    labels: list[str]

    @property
    def totals(self) -> list[Decimal]:
        return [sum((row.buckets[index] for row in self.rows), ZERO) for index in range(len(self.labels))]

    @property
    def advance_total(self) -> Decimal:
        return sum((row.advance for row in self.rows), ZERO)

    @property
    def total(self) -> Decimal:
        return sum(self.totals, ZERO) - self.advance_total


def _paid_by(as_of: datetime.date) -> Subquery:
    """What posted payments dated up to ``as_of`` allocated to the outer invoice."""
    return Subquery(PaymentAllocation.objects.filter(
        invoice=OuterRef("pk"), payment__state=Payment.State.POSTED, payment__date__lte=as_of)
        .values("invoice").annotate(total=Sum("amount")).values("total")[:1], output_field=AMOUNT)


def aging(*, side: str = CUSTOMER, as_of: datetime.date | None = None) -> Aging:
    """Open posted invoices per party in VND (at the invoice's rate), by days past the due date (the invoice date
    when it has none) on ``as_of``: 0-30 (not yet due included), 31-60, 61-90, over 90; credit notes and refunds
    negative; advances not yet allocated beside. Two queries, summed in SQL."""
    as_of = as_of or timezone.localdate()
    plus, minus, payment_kind = SIDES[side]
    due = Coalesce("due_date", "date")
    edges = [as_of - datetime.timedelta(days=days) for days in BUCKET_EDGES]
    conditions = [Q(due__gte=edges[0]), Q(due__lt=edges[0], due__gte=edges[1]), Q(due__lt=edges[1], due__gte=edges[2]),
                  Q(due__lt=edges[2])]
    invoices = (Invoice.objects.filter(state=Invoice.State.POSTED, kind__in=(plus, minus), date__lte=as_of)
                .annotate(open=ExpressionWrapper(F("amount_total") - Coalesce(_paid_by(as_of), Value(ZERO)),
                                                 output_field=AMOUNT))
                .filter(open__gt=0)
                .annotate(due=due, signed=Case(When(kind=plus, then=F("open") * F("exchange_rate")),
                                               default=-F("open") * F("exchange_rate"), output_field=AMOUNT))
                .values("party_id", "party__name")
                .annotate(**{key: Coalesce(Sum(Case(When(condition, then=F("signed")), default=Value(ZERO),
                                                    output_field=AMOUNT)), Value(ZERO), output_field=AMOUNT)
                             for (key, _label), condition in zip(BUCKETS, conditions, strict=True)})
                .order_by())
    rows: dict[int, AgingRow] = {}
    for row in invoices:
        rows[row["party_id"]] = AgingRow(party_id=row["party_id"], party_name=row["party__name"],
                                         buckets=[money_round(row[key], COMPANY_CURRENCY) for key, _label in BUCKETS])
    advances = (Payment.objects.filter(state=Payment.State.POSTED, kind=payment_kind, date__lte=as_of,
                                       amount_unallocated__gt=0)
                .values("party_id", "party__name")
                .annotate(advance=Sum(F("amount_unallocated") * F("exchange_rate"), output_field=AMOUNT)).order_by())
    for row in advances:
        entry = rows.setdefault(row["party_id"], AgingRow(party_id=row["party_id"], party_name=row["party__name"],
                                                         buckets=[ZERO] * len(BUCKETS)))
        entry.advance = money_round(row["advance"], COMPANY_CURRENCY)
    ordered = sorted(rows.values(), key=lambda row: (-row.total, row.party_name))
    return Aging(side=side, as_of=as_of, rows=ordered, labels=[str(label) for _key, label in BUCKETS])


PALETTE = ["#2563eb", "#16a34a", "#f59e0b", "#dc2626", "#7c3aed", "#0891b2", "#94a3b8"]


def aging_chart(report: Aging, *, parties_shown: int = 6) -> dict:
    """Stacked bars, one per bucket, one colour per party (the largest ``parties_shown``, the rest together)."""
    top, rest = report.rows[:parties_shown], report.rows[parties_shown:]
    datasets = [{"label": row.party_name, "data": [float(value) for value in row.buckets],
                 "color": PALETTE[index % (len(PALETTE) - 1)]} for index, row in enumerate(top)]
    if rest:
        datasets.append({"label": str(_("Others")), "color": PALETTE[-1], "data": [
            float(sum((row.buckets[index] for row in rest), ZERO)) for index in range(len(BUCKETS))]})
    return {"type": "bar", "stacked": True, "currency": COMPANY_CURRENCY, "labels": report.labels,
            "datasets": datasets}


# --- a party's balance (CRM party page) --------------------------------------------------------------------------

@dataclass
class PartyBalance:
    receivable: Decimal
    payable: Decimal
    overdue_receivable: Decimal
    overdue_payable: Decimal
    advance_received: Decimal
    advance_paid: Decimal
    not_paid: int
    partial: int
    paid: int
    invoices: list[Invoice]

    @property
    def has_any(self) -> bool:
        return bool(self.invoices or self.receivable or self.payable or self.advance_received or self.advance_paid)

    @property
    def receivable_net(self) -> Decimal:
        return self.receivable - self.advance_received

    @property
    def payable_net(self) -> Decimal:
        return self.payable - self.advance_paid


def _scalar(queryset: QuerySet, expression) -> Subquery:
    """One summed value of ``queryset`` (filtered on the outer party) as a subquery."""
    return Coalesce(Subquery(queryset.values("party").annotate(total=expression).values("total")[:1],
                             output_field=AMOUNT), Value(ZERO), output_field=AMOUNT)


def party_balance(party: Party, *, today: datetime.date | None = None, limit: int = 10) -> PartyBalance:
    """What the party owes and is owed on open posted invoices (VND at the invoices' rates), the overdue part,
    advances not yet allocated, how many of its invoices are unpaid / partly paid / paid, and its latest open or
    recent invoices. Two queries."""
    today = today or timezone.localdate()
    posted = Invoice.objects.filter(party=OuterRef("pk"), state=Invoice.State.POSTED)
    open_vnd = F("amount_residual") * F("exchange_rate")
    overdue = Q(due_date__lt=today) | Q(due_date__isnull=True, date__lt=today)

    def signed(plus, minus):
        return Sum(Case(When(kind=plus, then=open_vnd), When(kind=minus, then=-open_vnd),
                        default=Value(ZERO), output_field=AMOUNT))

    advances = Payment.objects.filter(party=OuterRef("pk"), state=Payment.State.POSTED, amount_unallocated__gt=0)
    advance = Sum(F("amount_unallocated") * F("exchange_rate"), output_field=AMOUNT)
    count = Count("pk")
    values = Party.objects.filter(pk=party.pk).annotate(
        receivable=_scalar(posted, signed(Invoice.Kind.OUT_INVOICE, Invoice.Kind.OUT_REFUND)),
        payable=_scalar(posted, signed(Invoice.Kind.IN_INVOICE, Invoice.Kind.IN_REFUND)),
        overdue_receivable=_scalar(posted.filter(overdue, kind=Invoice.Kind.OUT_INVOICE), Sum(open_vnd)),
        overdue_payable=_scalar(posted.filter(overdue, kind=Invoice.Kind.IN_INVOICE), Sum(open_vnd)),
        advance_received=_scalar(advances.filter(kind=Payment.Kind.INBOUND), advance),
        advance_paid=_scalar(advances.filter(kind=Payment.Kind.OUTBOUND), advance),
        **{state: Coalesce(Subquery(posted.filter(payment_state=state).values("party").annotate(n=count)
                                    .values("n")[:1]), Value(0))
           for state in Invoice.PaymentState.values},
    ).values("receivable", "payable", "overdue_receivable", "overdue_payable", "advance_received", "advance_paid",
             *Invoice.PaymentState.values).first() or {}
    money = {key: money_round(values.get(key) or ZERO, COMPANY_CURRENCY) for key in (
        "receivable", "payable", "overdue_receivable", "overdue_payable", "advance_received", "advance_paid")}
    invoices = list(Invoice.objects.select_related("symbol").filter(party=party, state=Invoice.State.POSTED)
                    .annotate(is_open=Case(When(amount_residual__gt=0, then=Value(0)), default=Value(1)))
                    .order_by("is_open", "-date", "-pk")[:limit])
    return PartyBalance(**money, not_paid=values.get("not_paid") or 0, partial=values.get("partial") or 0,
                        paid=values.get("paid") or 0, invoices=invoices)
