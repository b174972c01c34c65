"""Enabling finance in a workspace: the chart chosen, its accounts, the five journals, this fiscal year with
its monthly periods, a default invoice symbol, and the stock already held brought in as opening balance."""

from __future__ import annotations

import calendar
import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from modules.crm.audit import audit_change
from modules.erp.accounting.models import Account, AccountingSettings, FiscalYear, Journal, Period
from modules.erp.accounting.services.posting import LineSpec, entry_post, role_accounts
from modules.erp.errors import ErpError

JOURNALS = [  # code, name, kind, role of its money account
    ("BH", "Nhật ký bán hàng", Journal.Kind.SALE, None),
    ("MH", "Nhật ký mua hàng", Journal.Kind.PURCHASE, None),
    ("TM", "Sổ quỹ tiền mặt", Journal.Kind.CASH, "cash"),
    ("NH", "Sổ tiền gửi ngân hàng", Journal.Kind.BANK, "bank"),
    ("TH", "Nhật ký chung", Journal.Kind.GENERAL, None),
]


def fiscal_year_ensure(year: int) -> FiscalYear:
    """The calendar year ``year`` with its twelve monthly periods (created once)."""
    fiscal_year, created = FiscalYear.objects.get_or_create(
        name=str(year), defaults={"date_start": datetime.date(year, 1, 1), "date_end": datetime.date(year, 12, 31)})
    if created:
        Period.objects.bulk_create([Period(
            fiscal_year=fiscal_year, date_start=datetime.date(year, month, 1),
            date_end=datetime.date(year, month, calendar.monthrange(year, month)[1])) for month in range(1, 13)])
    return fiscal_year


def _accounts_create(chart: str) -> None:
    from modules.erp.accounting.charts import chart_rows

    rows = chart_rows(chart)
    parents = {row.parent for row in rows if row.parent}
    Account.objects.bulk_create([Account(code=row.code, name=row.name_vi, name_en=row.name_en, kind=row.kind,
                                         normal=row.normal, is_leaf=row.code not in parents) for row in rows])
    by_code = {account.code: account for account in Account.objects.all()}
    children = []
    for row in rows:
        if row.parent:
            by_code[row.code].parent = by_code[row.parent]
            children.append(by_code[row.code])
    Account.objects.bulk_update(children, ["parent"])


def _opening_stock(actor, day: datetime.date) -> None:
    from modules.erp.inventory.models import ProductValuation

    value = ProductValuation.objects.aggregate(total=Sum("value"))["total"] or Decimal(0)
    if value:
        entry_post(actor=actor, journal_code="TH", date=day, source="opening:stock",
                   memo=_("Stock held when accounting was set up"),
                   lines=[LineSpec(account="inventory", amount=value), LineSpec(account="opening", amount=-value)])


@transaction.atomic
def accounting_enable(*, actor, chart: str) -> AccountingSettings:
    """Set up finance with ``chart`` ("tt99" or "tt133"); once per workspace (the chart is not switched later)."""
    existing = AccountingSettings.objects.select_for_update().first()
    if existing is not None:
        if existing.chart != chart:
            raise ErpError("chart_chosen", _("This workspace already keeps its books on another chart."),
                           field="chart")
        return existing
    if chart not in AccountingSettings.Chart.values:
        raise ErpError("chart_unknown", _("Choose a chart of accounts from the list."), field="chart")
    _accounts_create(chart)
    settings_row = AccountingSettings.objects.create(chart=chart, enabled_by=actor if getattr(actor, "pk", None)
                                                     else None)
    roles = role_accounts(chart)
    accounts = {account.code: account for account in Account.objects.filter(code__in=roles.values())}
    Journal.objects.bulk_create([Journal(code=code, name=name, kind=kind, account=accounts.get(roles.get(role, "")))
                                 for code, name, kind, role in JOURNALS])
    today = timezone.localdate()
    fiscal_year_ensure(today.year)
    from modules.erp.invoicing.models import InvoiceSymbol

    InvoiceSymbol.objects.get_or_create(symbol=f"1C{today:%y}TAA", defaults={"is_default": True})
    _opening_stock(actor, today)
    audit_change(actor=actor, action="accounting.enabled", target=settings_row, before=None, after={"chart": chart})
    return settings_row


@transaction.atomic
def lock_date_set(*, actor, lock_date: datetime.date | None) -> AccountingSettings:
    settings_row = AccountingSettings.objects.select_for_update().get()
    before = {"lock_date": settings_row.lock_date.isoformat() if settings_row.lock_date else None}
    settings_row.lock_date = lock_date
    settings_row.save(update_fields=["lock_date"])
    audit_change(actor=actor, action="accounting.lock_date_set", target=settings_row, before=before,
                 after={"lock_date": lock_date.isoformat() if lock_date else None})
    return settings_row


@transaction.atomic
def period_lock_set(*, actor, period: Period, locked: bool) -> Period:
    period = Period.objects.select_for_update().get(pk=period.pk)
    period.is_locked = locked
    period.save(update_fields=["is_locked"])
    audit_change(actor=actor, action="accounting.period_locked" if locked else "accounting.period_unlocked",
                 target=period, before=None, after={"period": str(period)})
    return period
