"""Payments: money received from customers and paid to suppliers, in cash (journal TM, 1111) or through the bank
(NH, 1121), allocated to invoices in the invoice's currency; what is not allocated stays on the payment as an
advance (still posted to the party's 131/331) until ``payment_allocate`` settles it against invoices.

Which documents a payment settles, and the account that clears:
  inbound  (phiếu thu, PT…)  customer invoices (131) and supplier refunds (331); an advance goes to 131
  outbound (phiếu chi, PC…)  supplier bills (331) and customer credit notes (131); an advance goes to 331

Posting (source ``payment:<id>``), one counterpart line per invoice so each is cleared at the rate it was booked:
  inbound   Dr 1111/1121  amount * payment rate
            Cr 131        allocated * the invoice's rate (per invoice); the advance * payment rate
  outbound  Dr 331        allocated * the invoice's rate (per invoice); the advance * payment rate
            Cr 1111/1121  amount * payment rate
  the VND difference is the realised exchange difference: Cr 515 (gain) or Dr 635 (loss). Foreign-currency lines
  balance in their currency: the exchange line carries the payment's currency with amount_currency 0.

An invoice's share in VND telescopes: the part cleared after an allocation is round(V * settled / total), V being
what the invoice holds on 131/331 (``booked_vnd``: its total at its rate, rounded once), so the payment that settles
an invoice clears exactly what is left of V.
Allocating an advance later posts only when the rates differ: the advance at the payment rate against the invoice
at its own, and the difference to 515/635 (source ``payment:<id>:left:<what is left>``).

Reversal: every entry of the payment is reversed, its allocations are removed and the invoices' residuals given
back. Invoices are locked in pk order, after the payment, by every service here.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.entitlements import entitlements_for, feature_blocked_error
from modules.crm.audit import audit_change, snapshot
from modules.erp.accounting.models import Branch, Journal, JournalEntry
from modules.erp.accounting.services.posting import LineSpec, entry_post, entry_reverse
from modules.erp.catalog.models import CURRENCIES
from modules.erp.catalog.money import money_round
from modules.erp.common.numbering import sequence_next
from modules.erp.errors import ErpError
from modules.erp.invoicing.models import Invoice, Payment, PaymentAllocation
from modules.erp.invoicing.services.invoices import booked_vnd, payment_state_for
from modules.parties.models import Party
from saas_platform.templatetags.fmt import format_money

FEATURE = "erp.invoicing"
COMPANY_CURRENCY = "VND"
ZERO = Decimal(0)
PAYMENT_FIELDS = ["number", "kind", "method", "state", "party", "date", "amount", "currency", "exchange_rate",
                  "journal", "reference", "entry", "amount_unallocated"]

# kind of payment -> kinds of invoices it settles; the kind automatic allocation picks; the advance's account
SETTLES = {Payment.Kind.INBOUND: (Invoice.Kind.OUT_INVOICE, Invoice.Kind.IN_REFUND),
           Payment.Kind.OUTBOUND: (Invoice.Kind.IN_INVOICE, Invoice.Kind.OUT_REFUND)}
AUTO_KIND = {Payment.Kind.INBOUND: Invoice.Kind.OUT_INVOICE, Payment.Kind.OUTBOUND: Invoice.Kind.IN_INVOICE}
ADVANCE_ROLE = {Payment.Kind.INBOUND: "receivable", Payment.Kind.OUTBOUND: "payable"}
JOURNALS = {Payment.Method.CASH: ("TM", "cash"), Payment.Method.BANK: ("NH", "bank")}
SEQUENCES = {Payment.Kind.INBOUND: "invoicing.payment_in", Payment.Kind.OUTBOUND: "invoicing.payment_out"}


def _plan_check() -> None:
    """Payments come with customer invoices (Growth): a workspace without them cannot write here."""
    tenant = getattr(connection, "tenant", None)
    if getattr(tenant, "pk", None) is None or not entitlements_for(tenant).allows(FEATURE):
        raise feature_blocked_error(FEATURE)


def counter_role(invoice: Invoice) -> str:
    """The account an invoice was booked on: customers' documents on 131, suppliers' on 331."""
    return "receivable" if invoice.is_customer else "payable"


def _decimal(value, field: str) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError) as error:
        raise ErpError("invalid_amount", _("Enter a number."), field=field) from error


def _journal(method: str) -> Journal:
    code, _role = JOURNALS[method]
    journal = Journal.objects.select_related("account").filter(code=code).first()
    if journal is None:
        raise ErpError("accounting_off", _("Set up accounting first: choose a chart of accounts."), field="method")
    return journal


def _party_check(party: Party | None) -> None:
    if party is None or not party.is_active or party.merged_into_id:
        raise ErpError("party_invalid", _("Choose an active customer or supplier."), field="party")


def _lock_invoices(ids=None, **filters) -> dict[int, Invoice]:
    """The invoices, locked in pk order (the symbol joined for their numbers, not locked)."""
    if ids is not None:
        filters["pk__in"] = sorted(set(ids))
    invoices = (Invoice.objects.select_related("symbol").select_for_update(of=("self",))
                .filter(**filters).order_by("pk"))
    return {invoice.pk: invoice for invoice in invoices}


def _allocations_check(payment_kind: str, party: Party, currency: str, allocations: dict, available: Decimal
                       ) -> list[tuple[Invoice, Decimal]]:
    """Lock the named invoices and check each allocation against them; [(invoice, amount)] in pk order."""
    amounts = {}
    for invoice_id, amount in allocations.items():
        amount = money_round(_decimal(amount, "allocations"), currency)
        if amount < 0:
            raise ErpError("invalid_amount", _("Allocate a positive amount."), field="allocations")
        if amount:
            amounts[int(invoice_id)] = amount
    invoices = _lock_invoices(amounts)
    result = []
    for invoice_id, amount in sorted(amounts.items()):
        invoice = invoices.get(invoice_id)
        if invoice is None:
            raise ErpError("invoice_missing", _("This invoice does not exist."), field="allocations")
        if invoice.party_id != party.pk:
            raise ErpError("other_party", _("Invoice %(number)s belongs to another party.") % {
                "number": invoice.display_number}, field="allocations")
        if invoice.state != Invoice.State.POSTED:
            raise ErpError("invoice_not_posted", _("Only posted invoices can be paid: %(number)s is not.") % {
                "number": invoice.display_number}, field="allocations")
        if invoice.kind not in SETTLES[payment_kind]:
            raise ErpError("wrong_kind", _("This payment cannot settle %(number)s (%(kind)s).") % {
                "number": invoice.display_number, "kind": invoice.get_kind_display()}, field="allocations")
        if invoice.currency != currency:
            raise ErpError("currency_mismatch", _("Invoice %(number)s is in %(currency)s: pay it in that currency.")
                           % {"number": invoice.display_number, "currency": invoice.currency}, field="currency")
        if amount > invoice.amount_residual:
            raise ErpError("over_allocation", _("Only %(left)s is left to pay on %(number)s.") % {
                "left": format_money(invoice.amount_residual, currency), "number": invoice.display_number},
                field="allocations")
        result.append((invoice, amount))
    if sum((amount for _invoice, amount in result), ZERO) > available:
        raise ErpError("over_allocation", _("The allocations exceed the amount of the payment."), field="allocations")
    return result


def _allocations_auto(payment_kind: str, party: Party, currency: str, available: Decimal
                      ) -> list[tuple[Invoice, Decimal]]:
    """Settle the party's open posted invoices of the payment's kind and currency, oldest first."""
    invoices = _lock_invoices(party=party, kind=AUTO_KIND[payment_kind], state=Invoice.State.POSTED,
                              currency=currency, amount_residual__gt=0).values()
    result, left = [], available
    for invoice in sorted(invoices, key=lambda invoice: (invoice.date, invoice.pk)):
        if left <= 0:
            break
        amount = min(left, invoice.amount_residual)
        result.append((invoice, amount))
        left -= amount
    return sorted(result, key=lambda pair: pair[0].pk)


def _share_vnd(invoice: Invoice, amount: Decimal) -> Decimal:
    """The VND of 131/331 cleared by paying ``amount`` on ``invoice`` (its residual not yet reduced), as a share of
    what the invoice booked there (``booked_vnd``: its total at its rate, rounded once)."""
    if not invoice.amount_total:
        return ZERO
    booked = booked_vnd(invoice)
    paid_before = invoice.amount_total - invoice.amount_residual
    after = money_round(booked * (paid_before + amount) / invoice.amount_total, COMPANY_CURRENCY)
    before = money_round(booked * paid_before / invoice.amount_total, COMPANY_CURRENCY)
    return after - before


def _exchange_line(lines: list[LineSpec], currency: str) -> None:
    """Close the VND gap of ``lines`` with a realised exchange difference (515 gain, 635 loss)."""
    gap = -sum((line.amount for line in lines), ZERO)
    if gap:
        lines.append(LineSpec(account="fx_loss" if gap > 0 else "fx_gain", amount=gap, currency=currency,
                              amount_currency=ZERO, label=_("Realised exchange difference")))


def _settle(pairs: list[tuple[Invoice, Decimal]], sign: int, payment: Payment) -> list[LineSpec]:
    """Counterpart lines for the allocations (``sign`` +1 debits them), and the invoices' residuals reduced."""
    lines = []
    for invoice, amount in pairs:
        lines.append(LineSpec(account=counter_role(invoice), amount=sign * _share_vnd(invoice, amount),
                              party_id=payment.party_id, label=f"{payment.number} {invoice.display_number}",
                              currency=payment.currency, amount_currency=sign * amount))
        invoice.amount_residual -= amount
        invoice.payment_state = payment_state_for(invoice)
    if pairs:
        Invoice.objects.bulk_update([invoice for invoice, _amount in pairs], ["amount_residual", "payment_state"])
    return lines


def _allocations_save(payment: Payment, pairs: list[tuple[Invoice, Decimal]], new: bool = False) -> None:
    """New allocation rows, or more on a row the payment already has for that invoice."""
    existing = {} if new else {
        row.invoice_id: row for row in payment.allocations.filter(invoice_id__in=[i.pk for i, _a in pairs])}
    grown = []
    for invoice, amount in pairs:
        if invoice.pk in existing:
            existing[invoice.pk].amount += amount
            grown.append(existing[invoice.pk])
    if grown:
        PaymentAllocation.objects.bulk_update(grown, ["amount"])
    PaymentAllocation.objects.bulk_create([PaymentAllocation(payment=payment, invoice=invoice, amount=amount)
                                           for invoice, amount in pairs if invoice.pk not in existing])


@transaction.atomic
def payment_register(*, actor, kind: str, party: Party, amount, method: str, date: datetime.date | None = None,
                     currency: str = "VND", exchange_rate=1, reference: str = "",
                     allocations: dict[int, Decimal] | None = None, branch: Branch | None = None) -> Payment:
    """Record money received (``inbound``) or paid (``outbound``) and post it.

    ``allocations`` maps invoice id -> amount in the invoice's (= the payment's) currency; None settles the party's
    oldest open invoices of the payment's kind automatically; {} keeps it all as an advance."""
    _plan_check()
    if kind not in Payment.Kind.values:
        raise ErpError("invalid_kind", _("Choose money received or money paid."), field="kind")
    if method not in Payment.Method.values:
        raise ErpError("invalid_method", _("Choose cash or bank transfer."), field="method")
    if currency not in dict(CURRENCIES):
        raise ErpError("invalid_currency", _("Choose a currency from the list."), field="currency")
    _party_check(party)
    amount = money_round(_decimal(amount, "amount"), currency)
    if amount <= 0:
        raise ErpError("invalid_amount", _("Enter an amount above zero."), field="amount")
    rate = Decimal(1) if currency == COMPANY_CURRENCY else _decimal(exchange_rate, "exchange_rate")
    if rate <= 0:
        raise ErpError("invalid_rate", _("Enter the exchange rate: VND for one unit of the currency."),
                       field="exchange_rate")
    journal = _journal(method)
    if allocations is None:
        pairs = _allocations_auto(kind, party, currency, amount)
    else:
        pairs = _allocations_check(kind, party, currency, allocations, amount)
    allocated = sum((value for _invoice, value in pairs), ZERO)
    payment = Payment.objects.create(
        number=sequence_next(SEQUENCES[kind]), kind=kind, method=method, party=party,
        date=date or timezone.localdate(), amount=amount, currency=currency, exchange_rate=rate, journal=journal,
        reference=(reference or "").strip()[:100], branch=branch, amount_unallocated=amount - allocated,
        created_by=actor if getattr(actor, "pk", None) else None)
    _allocations_save(payment, pairs, new=True)
    sign = 1 if kind == Payment.Kind.INBOUND else -1  # the money account's side
    money_account = journal.account.code if journal.account_id else JOURNALS[method][1]
    lines = [LineSpec(account=money_account, amount=sign * money_round(amount * rate, COMPANY_CURRENCY),
                      label=f"{payment.number} {party.name}", currency=currency, amount_currency=sign * amount)]
    lines += _settle(pairs, -sign, payment)
    if payment.amount_unallocated:
        lines.append(LineSpec(account=ADVANCE_ROLE[kind],
                              amount=-sign * money_round(payment.amount_unallocated * rate, COMPANY_CURRENCY),
                              party_id=party.pk, label=f"{payment.number} {_('Advance')}", currency=currency,
                              amount_currency=-sign * payment.amount_unallocated))
    _exchange_line(lines, currency)
    memo = (_("Received from %(party)s") if sign > 0 else _("Paid to %(party)s")) % {"party": party.name}
    payment.entry = entry_post(actor=actor, journal_code=journal.code, date=payment.date, lines=lines,
                               source=f"payment:{payment.pk}", reference=payment.number, memo=memo, branch=branch)
    payment.save(update_fields=["entry"])
    audit_change(actor=actor, action="payment.registered", target=payment, before=None,
                 after={**snapshot(payment, PAYMENT_FIELDS),
                        "allocations": {str(invoice.pk): str(value) for invoice, value in pairs}})
    return payment


def _payment_lock(payment: Payment) -> Payment:
    locked = Payment.objects.select_related("party", "journal").select_for_update(of=("self",)).get(pk=payment.pk)
    if locked.state != Payment.State.POSTED:
        raise ErpError("payment_reversed", _("This payment was reversed."), field="payment")
    return locked


@transaction.atomic
def payment_allocate(*, actor, payment: Payment, allocations: dict[int, Decimal],
                     date: datetime.date | None = None) -> Payment:
    """Settle invoices with what is still unallocated on ``payment`` (an advance). When the invoice's rate differs
    from the payment's, the exchange difference is posted (dated ``date``, today by default)."""
    _plan_check()
    payment = _payment_lock(payment)
    if not payment.amount_unallocated:
        raise ErpError("over_allocation", _("Nothing is left to allocate on this payment."), field="allocations")
    pairs = _allocations_check(payment.kind, payment.party, payment.currency, allocations or {},
                               payment.amount_unallocated)
    if not pairs:
        raise ErpError("allocation_empty", _("Enter an amount for at least one invoice."), field="allocations")
    before = snapshot(payment, ["amount_unallocated"])
    allocated = sum((value for _invoice, value in pairs), ZERO)
    _allocations_save(payment, pairs)
    sign = 1 if payment.kind == Payment.Kind.INBOUND else -1
    lines = [LineSpec(account=ADVANCE_ROLE[payment.kind],
                      amount=sign * money_round(allocated * payment.exchange_rate, COMPANY_CURRENCY),
                      party_id=payment.party_id, label=f"{payment.number} {_('Advance')}", currency=payment.currency,
                      amount_currency=sign * allocated)]
    lines += _settle(pairs, -sign, payment)
    payment.amount_unallocated -= allocated
    payment.save(update_fields=["amount_unallocated"])
    # Same account and same VND on both sides (a VND payment, or equal rates) nets to nothing: no entry then.
    nets_out = all(line.account == ADVANCE_ROLE[payment.kind] for line in lines) and not sum(
        (line.amount for line in lines), ZERO)
    if not nets_out:
        _exchange_line(lines, payment.currency)
        entry_post(actor=actor, journal_code="TH", date=date or timezone.localdate(), lines=lines,
                   source=f"payment:{payment.pk}:left:{payment.amount_unallocated}", reference=payment.number,
                   memo=_("Advance %(number)s allocated") % {"number": payment.number}, branch=payment.branch)
    audit_change(actor=actor, action="payment.allocated", target=payment, before=before,
                 after={**snapshot(payment, ["amount_unallocated"]),
                        "allocations": {str(invoice.pk): str(value) for invoice, value in pairs}})
    return payment


@transaction.atomic
def payment_reverse(*, actor, payment: Payment, date: datetime.date | None = None) -> Payment:
    """Undo a payment: its entries reversed (dated ``date``, today by default), its allocations removed and the
    invoices' residuals restored."""
    _plan_check()
    payment = _payment_lock(payment)
    allocations = list(payment.allocations.all())
    invoices = _lock_invoices([row.invoice_id for row in allocations])
    before = {**snapshot(payment, ["state", "amount_unallocated"]),
              "allocations": {str(row.invoice_id): str(row.amount) for row in allocations}}
    day = date or timezone.localdate()
    entries = list(JournalEntry.objects.filter(source__startswith=f"payment:{payment.pk}:").order_by("pk"))
    if payment.entry_id:
        entries.insert(0, payment.entry)
    for entry in entries:
        entry_reverse(actor=actor, entry=entry, date=day,
                      memo=_("Reversal of payment %(number)s") % {"number": payment.number})
    for row in allocations:
        invoice = invoices[row.invoice_id]
        invoice.amount_residual += row.amount
        invoice.payment_state = payment_state_for(invoice)
    if invoices:
        Invoice.objects.bulk_update(list(invoices.values()), ["amount_residual", "payment_state"])
    PaymentAllocation.objects.filter(payment=payment).delete()
    payment.state = Payment.State.REVERSED
    payment.amount_unallocated = ZERO
    payment.save(update_fields=["state", "amount_unallocated"])
    audit_change(actor=actor, action="payment.reversed", target=payment, before=before,
                 after=snapshot(payment, ["state", "amount_unallocated"]))
    return payment


def payment_prefill(invoice: Invoice) -> dict:
    """What the register form starts with when opened from an invoice: the rest of it, in its currency."""
    kind = next(kind for kind, kinds in SETTLES.items() if invoice.kind in kinds)
    return {"kind": kind, "party": invoice.party_id, "amount": invoice.amount_residual, "currency": invoice.currency,
            "exchange_rate": invoice.exchange_rate, "method": Payment.Method.BANK, "invoice": invoice.pk}
