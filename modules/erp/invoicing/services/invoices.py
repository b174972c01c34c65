"""Customer invoices, credit notes and supplier bills: written as drafts (from a sales order, a purchase order or
by hand), posted once, cancelled while still drafts.

Posting (``invoice_post``), in one transaction:
- a customer invoice or credit note takes the next number of the default invoice symbol, whose row is locked
  until the commit: numbers are gap-free per symbol even when many invoices are posted at once (a rolled-back
  posting gives its number back);
- VAT is computed again at the rate valid on the invoice date (a credit note keeps the rate of the invoice it
  corrects), per rate on the sum of that rate's lines and rounded once;
- the journal entry is posted through ``entry_post`` with ``source="invoice:<id>"`` (so never twice):

    customer invoice   Dr 131 receivable (total) / Cr 511x revenue (goods / services) / Cr 33311 output VAT per rate
    credit note        the mirror: Dr 511x / Dr 33311 / Cr 131
    supplier bill      Dr 1331 input VAT / Dr expense (lines not received into stock) / Cr 331 payable
    supplier refund    the mirror

  Goods on a supplier bill must have been received: the receipt already posted Dr 156 / Cr 331 at the received
  cost (``modules/erp/accounting/services/stock.py``), so the bill adds only their VAT and any difference between
  the billed and the received value (711 other income / 811 other expenses), and 156 stays equal to the stock
  valuation at every commit. A foreign-currency document turns each line into VND at its exchange rate, rounded
  per line; what the rounding leaves over is posted to 711 / 811, never dropped.
- a credit note is matched with the invoice it corrects at once: both residuals go down by the smaller of the
  two (payments are matched by ``payments.py``; both leave ``amount_residual`` and ``payment_state`` consistent).

Lock order (modules/erp/inventory/locks.py): the sales / purchase order first, then invoices by primary key, then
the invoice symbol, then what ``entry_post`` takes (document sequences).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.entitlements import entitlements_for, feature_blocked_error
from modules.crm.audit import audit_change, snapshot
from modules.erp.accounting.models import Account
from modules.erp.accounting.services.posting import (
    COMPANY_CURRENCY,
    LineSpec,
    accounting_required,
    entry_post,
    role_accounts,
)
from modules.erp.catalog.models import CURRENCIES, Product
from modules.erp.catalog.money import money_round
from modules.erp.catalog.selectors import price_for, vat_rates_on
from modules.erp.common.lines import HUNDRED, document_totals_set, trade_lines_build, vat_groups
from modules.erp.common.numbering import sequence_next
from modules.erp.errors import ErpError
from modules.erp.invoicing.models import Invoice, InvoiceLine, InvoiceSymbol
from modules.erp.purchasing.models import PurchaseOrder
from modules.erp.sales.models import SalesOrder

Kind = Invoice.Kind
State = Invoice.State
PaymentState = Invoice.PaymentState
ZERO = Decimal(0)
QTY_PLACES = Decimal("0.001")
PAYMENT_TERMS_DAYS = 30  # due date when none is given
CUSTOMER_FEATURE = "erp.invoicing"
SUPPLIER_FEATURE = "erp.accounting"
INVOICE_FIELDS = ["kind", "state", "symbol", "number", "supplier_reference", "party", "date", "due_date", "currency",
                  "exchange_rate", "amount_untaxed", "amount_tax", "amount_total", "amount_residual",
                  "payment_state", "entry", "note"]
EDITABLE = {"party", "date", "due_date", "currency", "exchange_rate", "note", "supplier_reference"}
# Expense account of a bill line that is not stock and names no account of its own; a chart may later name it
# with a "purchase_expense" role, which then wins.
BASES = ("delivered", "ordered")


# --- small helpers ------------------------------------------------------------------------------------------------

def _user(actor):
    return actor if getattr(actor, "pk", None) else None


def feature_of(kind: str) -> str:
    """Customer invoices are Growth (``erp.invoicing``); supplier bills come with the ledger (``erp.accounting``)."""
    return CUSTOMER_FEATURE if kind in (Kind.OUT_INVOICE, Kind.OUT_REFUND) else SUPPLIER_FEATURE


def _plan_check(kind: str) -> None:
    feature = feature_of(kind)
    tenant = getattr(connection, "tenant", None)
    if getattr(tenant, "pk", None) is None or not entitlements_for(tenant).allows(feature):
        raise feature_blocked_error(feature)


def payment_state_for(invoice: Invoice) -> str:
    """What ``amount_residual`` says about the invoice: not paid, partly paid or paid."""
    if invoice.amount_residual <= 0:
        return PaymentState.PAID
    return PaymentState.PARTIAL if invoice.amount_residual < invoice.amount_total else PaymentState.NOT_PAID


def _stocked(product: Product | None) -> bool:
    return product is not None and product.kind == Product.Kind.GOODS


def _vat_day(invoice: Invoice) -> datetime.date:
    """A credit note corrects its invoice at that invoice's rates (an expired 8% cut stays 8% on its credit note)."""
    return invoice.refund_of.date if invoice.refund_of_id else invoice.date


def _header_check(invoice: Invoice) -> None:
    party = invoice.party
    if party is None or not party.is_active or party.merged_into_id:
        raise ErpError("party_inactive", _("Choose an active customer or supplier."), field="party")
    if invoice.kind in (Kind.IN_INVOICE, Kind.IN_REFUND) and not party.is_supplier:
        raise ErpError("not_a_supplier", _("Choose a supplier: mark the company as a supplier first."),
                       field="party")
    if invoice.currency not in dict(CURRENCIES):
        raise ErpError("currency_unknown", _("Choose VND or USD."), field="currency")
    if invoice.currency == COMPANY_CURRENCY:
        invoice.exchange_rate = Decimal(1)
    invoice.exchange_rate = Decimal(str(invoice.exchange_rate or 0))
    if invoice.exchange_rate <= 0:
        raise ErpError("exchange_rate_invalid", _("The exchange rate must be above zero."), field="exchange_rate")
    if invoice.due_date and invoice.due_date < invoice.date:
        raise ErpError("due_before_date", _("The due date cannot be before the invoice date."), field="due_date")
    invoice.note = (invoice.note or "").strip()
    invoice.supplier_reference = (invoice.supplier_reference or "").strip()[:60]


def _accounts(specs: list[dict]) -> dict[str, Account]:
    """Accounts named by line specs (``account``: a code), leaves only, in one query."""
    codes = {str(spec["account"]).strip() for spec in specs if spec.get("account")}
    if not codes:
        return {}
    found = {account.code: account for account in Account.objects.filter(code__in=codes, is_leaf=True)}
    missing = codes - set(found)
    if missing:
        raise ErpError("account_unknown", _("Choose a detail account of the chart: %(codes)s is not one.") % {
            "codes": ", ".join(sorted(missing))}, field="account")
    return found


def _lines_build(invoice: Invoice, specs: list[dict]) -> list[InvoiceLine]:
    """Unsaved lines at the VAT rates valid on the invoice's VAT day; a spec may also carry ``sales_line``,
    ``purchase_line`` and ``account`` (a code). Sets the invoice's totals and residual."""

    def default_price(product: Product, quantity: Decimal) -> Decimal:
        if invoice.kind in (Kind.OUT_INVOICE, Kind.OUT_REFUND):
            return price_for(product=product, party=invoice.party, quantity=quantity, currency=invoice.currency,
                             day=invoice.date)
        return ZERO

    accounts = _accounts(specs)
    lines = trade_lines_build(line_model=InvoiceLine, specs=specs, currency=invoice.currency, day=_vat_day(invoice),
                              default_price=default_price)
    for line, spec in zip(lines, specs, strict=True):
        line.invoice = invoice
        line.sales_line = spec.get("sales_line")
        line.purchase_line = spec.get("purchase_line")
        line.account = accounts.get(str(spec.get("account") or "").strip())
    document_totals_set(invoice, lines)
    invoice.amount_residual = invoice.amount_total
    return lines


def _spec_from_order_line(line, quantity_base: Decimal, **extra) -> dict:
    """A line spec for ``quantity_base`` base units of an order line: in the line's unit when that is exact to
    three places, else in the product's base unit at the unit's price spread over its base units."""
    quantity = quantity_base / line.factor
    spec = {"product": line.product, "description": line.description, "unit": line.unit,
            "quantity": quantity, "unit_price": line.unit_price, "discount_percent": line.discount_percent,
            "vat_code": line.vat_code, **extra}
    if quantity != quantity.quantize(QTY_PLACES) and line.product_id:
        spec.update(unit=line.product.base_unit, quantity=quantity_base, unit_price=line.unit_price / line.factor)
    return spec


def _invoiced(field: str, ids, *, kinds: tuple[str, str], exclude: Invoice | None = None) -> dict[int, Decimal]:
    """Base quantities per order line (``sales_line`` / ``purchase_line``) on invoices of ``kinds[0]`` that are
    drafts or posted, less what posted refunds (``kinds[1]``) took back."""
    if not ids:
        return {}
    lines = InvoiceLine.objects.filter(**{f"{field}__in": ids})
    if exclude is not None:
        lines = lines.exclude(invoice=exclude)
    rows = (lines.filter(Q(invoice__kind=kinds[0], invoice__state__in=(State.DRAFT, State.POSTED))
                         | Q(invoice__kind=kinds[1], invoice__state=State.POSTED))
            .values(field, "invoice__kind").annotate(quantity=Sum("quantity_base")))
    result: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for row in rows:
        sign = 1 if row["invoice__kind"] == kinds[0] else -1
        result[row[field]] += sign * row["quantity"]
    return result


def invoiced_quantities(sales_line_ids, *, exclude: Invoice | None = None) -> dict[int, Decimal]:
    """Base quantities of each sales line on customer invoices (drafts and posted) less posted credit notes."""
    return _invoiced("sales_line", sales_line_ids, kinds=(Kind.OUT_INVOICE, Kind.OUT_REFUND), exclude=exclude)


def billed_quantities(purchase_line_ids, *, exclude: Invoice | None = None) -> dict[int, Decimal]:
    """Base quantities of each purchase line on supplier bills (drafts and posted) less posted refunds."""
    return _invoiced("purchase_line", purchase_line_ids, kinds=(Kind.IN_INVOICE, Kind.IN_REFUND), exclude=exclude)


def _order_lines_check(invoice: Invoice, lines: list[InvoiceLine]) -> None:
    """Lines tied to order lines stay within what is left of them: the ordered quantity of a sales line, the
    received quantity of a purchase line, less what other invoices already hold. Goods on a bill must come from
    a receipt (their value is already in 156)."""
    if invoice.kind not in (Kind.OUT_INVOICE, Kind.IN_INVOICE):
        return
    if invoice.kind == Kind.IN_INVOICE:
        for index, line in enumerate(lines):
            if _stocked(line.product) and line.purchase_line is None:
                raise ErpError("goods_not_received", _(
                    "%(product)s is stocked: bill it from its purchase order once it is received.") % {
                    "product": line.product.name}, field=f"lines-{index}-product")
    field, limit_of, taken_of = (
        ("sales_line", lambda ol: ol.quantity_base, invoiced_quantities) if invoice.kind == Kind.OUT_INVOICE
        else ("purchase_line", lambda ol: ol.qty_received if _stocked(ol.product) else ol.quantity_base,
              billed_quantities))
    wanted: dict[int, Decimal] = defaultdict(lambda: ZERO)
    order_lines = {}
    order_id = invoice.sales_order_id if invoice.kind == Kind.OUT_INVOICE else invoice.purchase_order_id
    for line in lines:
        order_line = getattr(line, field)
        if order_line is not None:
            if order_line.order_id != order_id:
                raise ErpError("line_not_of_order", _("A line can only come from this invoice's own order."),
                               field="lines")
            wanted[order_line.pk] += line.quantity_base
            order_lines[order_line.pk] = order_line
    taken = taken_of(list(wanted), exclude=invoice if invoice.pk else None)
    for pk, quantity in wanted.items():
        left = limit_of(order_lines[pk]) - taken.get(pk, ZERO)
        if quantity > left:
            raise ErpError("quantity_exceeds_order", _("%(line)s: only %(left)s left to invoice.") % {
                "line": order_lines[pk].description, "left": f"{max(left, ZERO).normalize():f}"}, field="lines")


def _lines_save(invoice: Invoice, lines: list[InvoiceLine]) -> None:
    for line in lines:
        line.invoice = invoice
    InvoiceLine.objects.bulk_create(lines)


def _invoice_lock(invoice: Invoice) -> Invoice:
    return (Invoice.objects.select_for_update(of=("self",)).select_related("party", "refund_of", "symbol")
            .get(pk=invoice.pk))


def _draft_check(invoice: Invoice) -> None:
    if invoice.state != State.DRAFT:
        raise ErpError("invoice_not_draft", _("This invoice is %(state)s: only a draft can be changed.") % {
            "state": invoice.get_state_display().lower()}, field="state")


def _create(invoice: Invoice, lines: list[InvoiceLine], *, actor, action: str) -> Invoice:
    invoice.created_by = _user(actor)
    invoice.save()
    _lines_save(invoice, lines)
    audit_change(actor=actor, action=action, target=invoice, before=None, after=snapshot(invoice, INVOICE_FIELDS))
    return invoice


# --- drafts -------------------------------------------------------------------------------------------------------

@transaction.atomic
def invoice_from_sales_order(*, actor, order: SalesOrder, basis: str = "delivered",
                             date: datetime.date | None = None) -> Invoice:
    """A draft customer invoice for what of ``order`` is delivered (``basis="delivered"``) or ordered
    (``"ordered"``) and not yet on another invoice (drafts and posted, less credit notes). Lines that are not
    delivered from stock (services, consumables, free text) count as delivered once the order is confirmed."""
    _plan_check(Kind.OUT_INVOICE)
    if basis not in BASES:
        raise ErpError("basis_unknown", _("Invoice what was delivered or what was ordered."), field="basis")
    order = SalesOrder.objects.select_for_update(of=("self",)).select_related("party").get(pk=order.pk)
    if order.state not in (SalesOrder.State.CONFIRMED, SalesOrder.State.DONE):
        raise ErpError("order_not_confirmed", _("Only a confirmed sales order can be invoiced."), field="state")
    order_lines = list(order.lines.select_related("product__base_unit", "unit"))
    taken = invoiced_quantities([line.pk for line in order_lines])
    specs = []
    for line in order_lines:
        target = line.qty_delivered if basis == "delivered" and _stocked(line.product) else line.quantity_base
        left = target - taken.get(line.pk, ZERO)
        if left > 0:
            specs.append(_spec_from_order_line(line, left, sales_line=line))
    if not specs:
        message = (_("Everything delivered on this order is already invoiced.") if basis == "delivered"
                   else _("Everything ordered is already invoiced."))
        raise ErpError("nothing_to_invoice", message, field="basis")
    day = date or timezone.localdate()
    invoice = Invoice(kind=Kind.OUT_INVOICE, party=order.party, date=day,
                      due_date=day + datetime.timedelta(days=PAYMENT_TERMS_DAYS), currency=order.currency,
                      exchange_rate=order.exchange_rate, sales_order=order)
    _header_check(invoice)
    lines = _lines_build(invoice, specs)
    return _create(invoice, lines, actor=actor, action="invoicing.invoice_created")


@transaction.atomic
def bill_from_purchase_order(*, actor, order: PurchaseOrder, date: datetime.date | None = None,
                             supplier_reference: str = "") -> Invoice:
    """A draft supplier bill for what of ``order`` was received and not yet billed (lines that are not stocked:
    everything ordered, once the order is confirmed), at the order's prices and exchange rate."""
    _plan_check(Kind.IN_INVOICE)
    order = PurchaseOrder.objects.select_for_update(of=("self",)).select_related("party").get(pk=order.pk)
    if order.state not in (PurchaseOrder.State.CONFIRMED, PurchaseOrder.State.DONE):
        raise ErpError("order_not_confirmed", _("Only a confirmed purchase order can be billed."), field="state")
    order_lines = list(order.lines.select_related("product__base_unit", "unit"))
    taken = billed_quantities([line.pk for line in order_lines])
    specs = []
    for line in order_lines:
        target = line.qty_received if _stocked(line.product) else line.quantity_base
        left = target - taken.get(line.pk, ZERO)
        if left > 0:
            specs.append(_spec_from_order_line(line, left, purchase_line=line))
    if not specs:
        raise ErpError("nothing_to_invoice", _("Everything received on this order is already billed."),
                       field="order")
    day = date or timezone.localdate()
    invoice = Invoice(kind=Kind.IN_INVOICE, party=order.party, date=day,
                      due_date=day + datetime.timedelta(days=PAYMENT_TERMS_DAYS), currency=order.currency,
                      exchange_rate=order.exchange_rate, purchase_order=order, supplier_reference=supplier_reference)
    _header_check(invoice)
    lines = _lines_build(invoice, specs)
    return _create(invoice, lines, actor=actor, action="invoicing.bill_created")


@transaction.atomic
def invoice_create(*, actor, kind: str, party, lines: list[dict], date: datetime.date | None = None,
                   due_date: datetime.date | None = None, currency: str = "VND", exchange_rate=1, note: str = "",
                   supplier_reference: str = "") -> Invoice:
    """A draft invoice (``out_invoice``) or supplier bill (``in_invoice``) written by hand. Line dicts: product,
    description, quantity, unit, unit_price (None: the customer's list price), discount_percent, vat_code (None:
    the product's), account (a code; None: revenue or expense by the kind of product). Stocked goods cannot be
    billed by hand: they are billed from their purchase order once received."""
    if kind not in (Kind.OUT_INVOICE, Kind.IN_INVOICE):
        raise ErpError("kind_invalid", _("Write an invoice or a supplier bill; credit notes correct a posted one."),
                       field="kind")
    _plan_check(kind)
    day = date or timezone.localdate()
    invoice = Invoice(kind=kind, party=party, date=day,
                      due_date=due_date or day + datetime.timedelta(days=PAYMENT_TERMS_DAYS), currency=currency,
                      exchange_rate=exchange_rate, note=note, supplier_reference=supplier_reference)
    _header_check(invoice)
    built = _lines_build(invoice, lines)
    _order_lines_check(invoice, built)
    return _create(invoice, built, actor=actor, action="invoicing.invoice_created" if kind == Kind.OUT_INVOICE
                   else "invoicing.bill_created")


def _credit_key(line: InvoiceLine) -> tuple:
    """What a credited quantity is counted against (a price reduction uses up the quantity it applies to)."""
    return line.sales_line_id, line.purchase_line_id, line.product_id, line.description, line.vat_code


def _line_spec_of(line: InvoiceLine) -> dict:
    return {"product": line.product, "description": line.description, "unit": line.unit, "quantity": line.quantity,
            "unit_price": line.unit_price, "discount_percent": line.discount_percent, "vat_code": line.vat_code,
            "sales_line": line.sales_line, "purchase_line": line.purchase_line,
            "account": line.account.code if line.account_id else None}


@transaction.atomic
def invoice_update(*, actor, invoice: Invoice, lines: list[dict] | None = None, **fields) -> Invoice:
    """Change a draft: header fields of EDITABLE and, when given, all its lines (dicts as for ``invoice_create``,
    plus ``sales_line`` / ``purchase_line`` to keep a line tied to its order). A new date or currency recomputes
    the lines (VAT valid on the new date)."""
    unknown = set(fields) - EDITABLE
    if unknown:
        raise ErpError("field_unknown", _("These fields cannot be changed: %(fields)s") % {
            "fields": ", ".join(sorted(unknown))})
    _plan_check(invoice.kind)
    if invoice.sales_order_id:  # the order's lock guards its invoiced quantities
        SalesOrder.objects.select_for_update().filter(pk=invoice.sales_order_id).values_list("pk").first()
    elif invoice.purchase_order_id:
        PurchaseOrder.objects.select_for_update().filter(pk=invoice.purchase_order_id).values_list("pk").first()
    invoice = _invoice_lock(invoice)
    _draft_check(invoice)
    if invoice.refund_of_id and ({"party", "currency"} & set(fields) or lines is not None):
        raise ErpError("refund_fixed", _("A credit note keeps the party, currency and lines it was written with: "
                                         "cancel the draft and credit the invoice again."))
    before = snapshot(invoice, INVOICE_FIELDS)
    for name, value in fields.items():
        setattr(invoice, name, value)
    _header_check(invoice)
    if lines is None and {"currency", "date", "party"} & set(fields):
        lines = [_line_spec_of(line) for line in
                 invoice.lines.select_related("product", "unit", "sales_line", "purchase_line", "account")]
    if lines is not None:
        built = _lines_build(invoice, lines)
        _order_lines_check(invoice, built)
        invoice.lines.all().delete()
        _lines_save(invoice, built)
    invoice.save()
    audit_change(actor=actor, action="invoicing.invoice_updated", target=invoice, before=before,
                 after=snapshot(invoice, INVOICE_FIELDS))
    return invoice


@transaction.atomic
def invoice_cancel(*, actor, invoice: Invoice) -> Invoice:
    """Cancel a draft (its quantities go back to the order). A posted invoice is corrected by a credit note."""
    _plan_check(invoice.kind)
    invoice = _invoice_lock(invoice)
    if invoice.state == State.CANCELLED:
        return invoice
    _draft_check(invoice)
    invoice.state = State.CANCELLED
    invoice.amount_residual = ZERO
    invoice.save(update_fields=["state", "amount_residual"])
    audit_change(actor=actor, action="invoicing.invoice_cancelled", target=invoice, before=None,
                 after={"state": invoice.state})
    return invoice


@transaction.atomic
def credit_note_create(*, actor, invoice: Invoice, lines: list[dict] | None = None, reason: str,
                       date: datetime.date | None = None, post: bool = True) -> Invoice:
    """A credit note (supplier refund for a bill) correcting the posted ``invoice``: ``lines`` are dicts
    ``{"line": <a line of the invoice or its id>, "quantity": <in that line's unit>}`` (``unit_price`` may lower
    the price, for a price reduction); None credits everything not yet credited. Same party, currency, exchange
    rate and VAT rates as the invoice. Posted at once unless ``post=False``."""
    _plan_check(invoice.kind)
    reason = (reason or "").strip()
    if not reason:
        raise ErpError("reason_required", _("Say why the invoice is corrected."), field="reason")
    original = _invoice_lock(invoice)
    if original.state != State.POSTED or original.kind not in (Kind.OUT_INVOICE, Kind.IN_INVOICE):
        raise ErpError("not_creditable", _("Only a posted invoice or bill can be credited."), field="invoice")
    original_lines = {line.pk: line for line in
                      original.lines.select_related("product__base_unit", "unit", "sales_line", "purchase_line",
                                                    "account")}
    # A credit note's lines name no line of the invoice: they are matched by what they credit.
    left: dict[tuple, Decimal] = defaultdict(lambda: ZERO)
    for line in original_lines.values():
        left[_credit_key(line)] += line.quantity_base
    for line in InvoiceLine.objects.filter(invoice__refund_of=original,
                                           invoice__state__in=(State.DRAFT, State.POSTED)):
        left[_credit_key(line)] -= line.quantity_base
    wanted = lines if lines is not None else [{"line": line} for line in original_lines.values()]
    specs = []
    for index, item in enumerate(wanted):
        source = original_lines.get(getattr(item.get("line"), "pk", item.get("line")))
        if source is None:
            raise ErpError("line_unknown", _("Choose lines of the invoice being credited."), field=f"lines-{index}")
        key = _credit_key(source)
        everything = item.get("quantity") in (None, "")
        quantity_base = (min(source.quantity_base, left[key]) if everything
                         else Decimal(str(item["quantity"])) * source.factor)
        if everything and quantity_base <= 0:
            continue  # credited already
        if quantity_base <= 0 or quantity_base > left[key]:
            raise ErpError("credit_exceeds_invoice", _("%(line)s: at most %(left)s can be credited.") % {
                "line": source.description, "left": f"{max(left[key] / source.factor, ZERO).normalize():f}"},
                field=f"lines-{index}-quantity")
        left[key] -= quantity_base
        spec = _spec_from_order_line(source, quantity_base, sales_line=source.sales_line,
                                     purchase_line=source.purchase_line,
                                     account=source.account.code if source.account_id else None)
        if item.get("unit_price") not in (None, ""):
            price = Decimal(str(item["unit_price"]))
            if not 0 <= price <= source.unit_price:
                raise ErpError("price_invalid", _("A credit note's price is at most the invoiced one."),
                               field=f"lines-{index}-unit_price")
            # in the base unit when the quantity was not exact in the line's unit (see _spec_from_order_line)
            spec["unit_price"] = price if spec["unit_price"] == source.unit_price else price / source.factor
        specs.append(spec)
    if not specs:
        raise ErpError("nothing_to_credit", _("Everything on this invoice is already credited."), field="lines")
    refund = Invoice(kind=Kind.OUT_REFUND if original.kind == Kind.OUT_INVOICE else Kind.IN_REFUND,
                     party=original.party, date=date or timezone.localdate(), due_date=None,
                     currency=original.currency, exchange_rate=original.exchange_rate, refund_of=original,
                     sales_order_id=original.sales_order_id, purchase_order_id=original.purchase_order_id,
                     branch_id=original.branch_id, note=reason)
    if refund.date < original.date:
        raise ErpError("refund_before_invoice", _("A credit note cannot be dated before its invoice."), field="date")
    refund.due_date = refund.date
    _header_check(refund)
    built = _lines_build(refund, specs)
    refund = _create(refund, built, actor=actor, action="invoicing.credit_note_created")
    return invoice_post(actor=actor, invoice=refund) if post else refund


# --- posting ------------------------------------------------------------------------------------------------------

def _symbol_for_year(symbol: InvoiceSymbol, day: datetime.date) -> InvoiceSymbol:
    """Decree 123 symbols carry the year ("1C26TAA" for 2026): an invoice of another year takes the same symbol
    with that year's digits, registered on first use, with its own counter."""
    code = symbol.symbol
    if len(code) < 4 or not code[2:4].isdigit() or code[2:4] == f"{day:%y}":
        return symbol
    return InvoiceSymbol.objects.get_or_create(symbol=f"{code[:2]}{day:%y}{code[4:]}",
                                               defaults={"template": symbol.template})[0]


def _symbol_take(day: datetime.date) -> tuple[InvoiceSymbol, int]:
    """The next number of the default active symbol for ``day``'s year, its row locked until the caller's commit
    (gap-free numbers)."""
    default = InvoiceSymbol.objects.filter(is_active=True).order_by("-is_default", "symbol").first()
    if default is None:
        accounting_required()  # enabling accounting registers the first symbol: say that first
        raise ErpError("symbol_missing", _("Register an invoice symbol first (for example 1C26TAA)."),
                       field="symbol")
    symbol = _symbol_for_year(default, day)
    # One statement takes the number and holds the row's lock until the caller commits.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE invoicing_invoicesymbol SET next_number = next_number + 1 WHERE id = %s "
                       "RETURNING next_number - 1", [symbol.pk])
        (number,) = cursor.fetchone()
    symbol.next_number = number + 1
    return symbol, number


def _vnd(amount: Decimal, invoice: Invoice) -> Decimal:
    return money_round(amount * invoice.exchange_rate, COMPANY_CURRENCY)


def _revenue_role(line: InvoiceLine) -> str:
    kind = line.product.kind if line.product_id else Product.Kind.SERVICE
    return "revenue_services" if kind == Product.Kind.SERVICE else "revenue_goods"


def _received_value(line: InvoiceLine) -> Decimal:
    """What the receipts posted to 156 / 331 for this bill line's quantity (the purchase line's cost per base
    unit in VND at the order's exchange rate, as ``receipt_unit_cost`` gave the receipt)."""
    from modules.erp.purchasing.services import receipt_unit_cost

    purchase_line = line.purchase_line
    cost = receipt_unit_cost(purchase_line, purchase_line.order.exchange_rate)
    return money_round(line.quantity_base * cost, COMPANY_CURRENCY)


def _customer_specs(invoice: Invoice, lines: list[InvoiceLine], groups, sign: int) -> list[LineSpec]:
    currency, party = invoice.currency, invoice.party_id
    specs = [LineSpec(account="receivable", amount=sign * booked_vnd(invoice), party_id=party,
                      label=invoice.display_number, currency=currency, amount_currency=sign * invoice.amount_total)]
    revenue: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for line in lines:
        account = line.account.code if line.account_id else _revenue_role(line)
        revenue[account][0] += _vnd(line.amount_untaxed, invoice)
        revenue[account][1] += line.amount_untaxed
    for account, (vnd, amount) in revenue.items():
        specs.append(LineSpec(account=account, amount=-sign * vnd, party_id=party, label=invoice.display_number,
                              currency=currency, amount_currency=-sign * amount))
    for group in groups:
        if group.tax:
            specs.append(LineSpec(account="output_vat", amount=-sign * _vnd(group.tax, invoice), party_id=party,
                                  label=_vat_label(group), currency=currency, amount_currency=-sign * group.tax))
    return specs


def _vat_label(group) -> str:
    return _("VAT %(rate)s%%") % {"rate": f"{group.rate.normalize():f}"}


def _supplier_specs(invoice: Invoice, lines: list[InvoiceLine], groups, sign: int, chart: str) -> list[LineSpec]:
    currency, party = invoice.currency, invoice.party_id
    roles = role_accounts(chart)
    expense = roles["purchase_expense"]
    specs, received, payable_currency = [], ZERO, ZERO
    for line in lines:
        if _stocked(line.product):
            if line.purchase_line_id is None:
                raise ErpError("goods_not_received", _(
                    "%(product)s is stocked: bill it from its purchase order once it is received.") % {
                    "product": line.product.name}, field="lines")
            received += _received_value(line)  # the receipt already put it on 156 / 331
            continue
        account = line.account.code if line.account_id else expense
        specs.append(LineSpec(account=account, amount=sign * _vnd(line.amount_untaxed, invoice), party_id=party,
                              label=line.description, currency=currency, amount_currency=sign * line.amount_untaxed))
        payable_currency += line.amount_untaxed
    for group in groups:
        if group.tax:
            specs.append(LineSpec(account="input_vat", amount=sign * _vnd(group.tax, invoice), party_id=party,
                                  label=_vat_label(group), currency=currency, amount_currency=sign * group.tax))
            payable_currency += group.tax
    # 331 ends up holding the bill's total at its rate: the receipts' part plus this entry's
    specs.append(LineSpec(account="payable", amount=-sign * (booked_vnd(invoice) - received), party_id=party,
                          label=invoice.display_number, currency=currency, amount_currency=-sign * payable_currency))
    return specs


def booked_vnd(invoice: Invoice) -> Decimal:
    """What a posted invoice holds on 131 / 331 in VND: its total at its exchange rate, rounded once (for a bill,
    the receipts of its goods booked part of it). Rounding and billed-against-received differences went to
    711 / 811."""
    return _vnd(invoice.amount_total, invoice)


def _rounding_spec(invoice: Invoice, specs: list[LineSpec], *, received: bool) -> LineSpec | None:
    """What is left once every line is in VND (each rounded on its own; on a bill, also the billed value of
    received goods against their received value): to 711 when the debits exceed the credits, to 811 otherwise
    (in the document's currency with no foreign amount, so that currency still balances)."""
    left = sum((money_round(spec.amount, COMPANY_CURRENCY) for spec in specs), ZERO)
    if not left:
        return None
    label = _("Billed against received value, rounding") if received else _("Currency rounding")
    return LineSpec(account="rounding_gain" if left > 0 else "rounding_loss", amount=-left, currency=invoice.currency,
                    amount_currency=ZERO, party_id=invoice.party_id, label=label)


def _vat_recompute(invoice: Invoice, lines: list[InvoiceLine]) -> None:
    """Each line's VAT at the rate valid on the invoice's VAT day, then the totals (rounded once per rate)."""
    valid = vat_rates_on({line.vat_code for line in lines}, _vat_day(invoice))
    rates = {code: rate.rate for code, rate in valid.items()}
    changed = []
    for line in lines:
        rate = rates[line.vat_code]
        tax = money_round(line.amount_untaxed * rate / HUNDRED, invoice.currency) if rate else ZERO
        if (line.vat_rate, line.amount_tax) != (rate, tax):
            line.vat_rate, line.amount_tax = rate, tax
            changed.append(line)
    if changed:
        InvoiceLine.objects.bulk_update(changed, ["vat_rate", "amount_tax"])
    document_totals_set(invoice, lines)


def _refund_match(refund: Invoice, original: Invoice) -> None:
    """A posted credit note settles its invoice: both residuals go down by the smaller of the two."""
    matched = min(original.amount_residual, refund.amount_total)
    original.amount_residual -= matched
    original.payment_state = payment_state_for(original)
    original.save(update_fields=["amount_residual", "payment_state"])
    refund.amount_residual = refund.amount_total - matched


@transaction.atomic
def invoice_post(*, actor, invoice: Invoice) -> Invoice:
    """Post a draft: number (customer documents), VAT at the date's rates, the journal entry, the residual. Posting
    a posted invoice again returns it unchanged (a retried task posts once)."""
    _plan_check(invoice.kind)
    if invoice.refund_of_id:  # the credited invoice and its credit note, by primary key
        rows = {row.pk: row for row in Invoice.objects.select_for_update(of=("self",))
                .filter(pk__in=(invoice.pk, invoice.refund_of_id)).order_by("pk")}
        original = rows[invoice.refund_of_id]
    invoice = _invoice_lock(invoice)
    if invoice.state == State.POSTED:
        return invoice
    _draft_check(invoice)
    # customer documents leave the "set up accounting first" check to entry_post (one query less per posting)
    chart = None if invoice.is_customer else accounting_required().chart
    lines = list(invoice.lines.select_related("product", "account", "purchase_line__order"))
    if not lines:
        raise ErpError("lines_required", _("Add at least one line."), field="lines")
    if invoice.refund_of_id and original.state != State.POSTED:
        raise ErpError("not_creditable", _("Only a posted invoice or bill can be credited."), field="invoice")
    before = snapshot(invoice, INVOICE_FIELDS)
    _vat_recompute(invoice, lines)
    if invoice.is_customer:
        invoice.symbol, invoice.number = _symbol_take(invoice.date)
    elif not invoice.supplier_reference and invoice.kind == Kind.IN_INVOICE:
        invoice.supplier_reference = sequence_next("invoicing.bill")
    sign = -1 if invoice.is_refund else 1
    groups = vat_groups(lines, invoice.currency)
    specs = (_customer_specs(invoice, lines, groups, sign) if invoice.is_customer
             else _supplier_specs(invoice, lines, groups, sign, chart))
    rounding = _rounding_spec(invoice, specs, received=not invoice.is_customer and any(
        _stocked(line.product) for line in lines))
    if rounding is not None:
        specs.append(rounding)
    kind_label = invoice.get_kind_display()
    invoice.entry = entry_post(
        actor=actor, journal_code="BH" if invoice.is_customer else "MH", date=invoice.date, lines=specs,
        source=f"invoice:{invoice.pk}", reference=invoice.display_number, branch=invoice.branch,
        memo=f"{kind_label} {invoice.display_number} · {invoice.party.name}")
    invoice.state, invoice.posted_at = State.POSTED, timezone.now()
    invoice.amount_residual = invoice.amount_total
    if invoice.refund_of_id:
        _refund_match(invoice, original)
    invoice.payment_state = payment_state_for(invoice)
    invoice.save(update_fields=["state", "posted_at", "symbol", "number", "supplier_reference", "amount_untaxed",
                                "amount_tax", "amount_total", "amount_residual", "payment_state", "entry"])
    audit_change(actor=actor, action="invoicing.invoice_posted", target=invoice, before=before,
                 after=snapshot(invoice, INVOICE_FIELDS))
    return invoice
