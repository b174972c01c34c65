"""Campaign results: what each campaign brought in against what it cost.

Attribution: a lead belongs to its ``campaign``; a deal belongs to its own ``campaign``, or, when that is
empty, to its lead's campaign (one campaign per deal, so no revenue is counted twice). Results are
campaign-wide figures, whoever owns the deals.

Revenue has two bases (``revenue_basis``): before the workspace invoices, the won deals' value in the
campaign's currency; once finance is set up and customer invoices are posted, what was invoiced: posted
customer invoices less credit notes, before VAT, in the campaign's currency, whose sales order came from a
deal of the campaign (invoice -> sales order -> deal -> campaign). Invoiced revenue is what the customer was
actually billed, so the ROI no longer counts deals that were won but never delivered.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from modules.crm.models import Campaign, CampaignCost, Deal, Lead, Stage

ZERO = Decimal(0)
WON, INVOICED = "won", "invoiced"


def attributed_campaign():
    """The campaign a deal counts for: its own, else its lead's."""
    return Coalesce(F("campaign_id"), F("lead__campaign_id"))


def _ratio(part, whole) -> Decimal | None:
    return None if not whole else Decimal(part) / Decimal(whole)


@dataclass(frozen=True)
class CampaignResults:
    leads: int
    converted_leads: int
    deals: int
    won_deals: int
    cost: Decimal
    revenue: Decimal
    basis: str = WON  # WON: won deals' value; INVOICED: posted invoices less credit notes

    @property
    def won_revenue(self) -> Decimal:
        """The revenue on the campaign's basis (the name predates invoiced revenue)."""
        return self.revenue

    @property
    def lead_to_deal(self) -> Decimal | None:
        """Share of the campaign's leads that were converted into a deal."""
        return _ratio(self.converted_leads, self.leads)

    @property
    def deal_to_won(self) -> Decimal | None:
        """Share of the campaign's deals that were won."""
        return _ratio(self.won_deals, self.deals)

    @property
    def roi(self) -> Decimal | None:
        """Revenue per unit of cost (3 = three times the spend); none without a positive cost."""
        return None if self.cost <= 0 else self.revenue / self.cost


def _count(queryset: QuerySet, group: str, aggregate=None):
    """A correlated subquery of one number per campaign (no joins, so no multiplied rows)."""
    aggregate = aggregate or Count("pk")
    value = queryset.values(group).annotate(result=aggregate).values("result")
    output = DecimalField(max_digits=18, decimal_places=2) if not isinstance(aggregate, Count) else IntegerField()
    return Coalesce(Subquery(value, output_field=output), Value(0), output_field=output)


def revenue_basis() -> str:
    """INVOICED once finance is set up and a customer invoice is posted, else WON. One query."""
    from modules.erp.accounting.models import AccountingSettings
    from modules.erp.invoicing.models import Invoice

    posted = Invoice.objects.filter(state=Invoice.State.POSTED, kind=Invoice.Kind.OUT_INVOICE)
    return INVOICED if AccountingSettings.objects.filter(Exists(posted)).exists() else WON


def invoiced_lines():
    """Posted customer invoices and credit notes with the campaign they count for (a credit note through the
    invoice it corrects when it has no order of its own) and their signed amount before VAT."""
    from modules.erp.invoicing.models import Invoice

    out, refund = Invoice.Kind.OUT_INVOICE, Invoice.Kind.OUT_REFUND
    return (Invoice.objects.filter(state=Invoice.State.POSTED, kind__in=(out, refund))
            .annotate(attributed=Coalesce(F("sales_order__deal__campaign_id"),
                                          F("sales_order__deal__lead__campaign_id"),
                                          F("refund_of__sales_order__deal__campaign_id"),
                                          F("refund_of__sales_order__deal__lead__campaign_id")),
                      signed=Case(When(kind=refund, then=-F("amount_untaxed")), default=F("amount_untaxed"),
                                  output_field=DecimalField(max_digits=18, decimal_places=2))))


def with_results(campaigns: QuerySet, basis: str = WON) -> QuerySet:
    """Annotate campaigns with their results in the same query (lists stay one query)."""
    leads = Lead.objects.filter(campaign=OuterRef("pk"))
    deals = Deal.objects.annotate(attributed=attributed_campaign()).filter(attributed=OuterRef("pk"))
    won = deals.filter(stage__kind=Stage.Kind.WON)
    if basis == INVOICED:
        revenue = _count(invoiced_lines().filter(attributed=OuterRef("pk"), currency=OuterRef("currency")),
                         "attributed", Sum("signed"))
    else:
        revenue = _count(won.filter(currency=OuterRef("currency")), "attributed", Sum("value"))
    return campaigns.annotate(
        r_leads=_count(leads, "campaign"),
        r_converted=_count(leads.filter(status=Lead.Status.CONVERTED), "campaign"),
        r_deals=_count(deals, "attributed"),
        r_won=_count(won, "attributed"),
        r_revenue=revenue,
        r_cost=_count(CampaignCost.objects.filter(campaign=OuterRef("pk")), "campaign", Sum("amount")),
    )


def results_of(campaign: Campaign, basis: str = WON) -> CampaignResults:
    """The results of a campaign fetched through ``with_results`` on the same ``basis``."""
    return CampaignResults(leads=campaign.r_leads, converted_leads=campaign.r_converted, deals=campaign.r_deals,
                           won_deals=campaign.r_won, cost=campaign.r_cost, revenue=campaign.r_revenue, basis=basis)


def campaign_rows(campaigns: QuerySet, basis: str | None = None) -> list[tuple[Campaign, CampaignResults]]:
    basis = basis or revenue_basis()
    return [(campaign, results_of(campaign, basis)) for campaign in with_results(campaigns, basis)]


def campaign_costs(campaign: Campaign) -> list[tuple[CampaignCost, Decimal]]:
    """The cost ledger, oldest first, each entry with the running total after it."""
    running = ZERO
    rows = []
    for cost in campaign.costs.order_by("spent_on", "id"):
        running += cost.amount
        rows.append((cost, running))
    return rows


@dataclass(frozen=True)
class MonthPoint:
    month: datetime.date
    cost: Decimal
    won_revenue: Decimal  # the revenue on the campaign's basis (the name predates invoiced revenue)


def campaign_by_month(campaign: Campaign, basis: str = WON) -> list[MonthPoint]:
    """Cost (by day spent) and revenue per month, months with either: won revenue by close date (local time),
    or invoiced revenue by invoice date."""
    costs = dict(
        campaign.costs.annotate(month=TruncMonth("spent_on")).values("month").annotate(total=Sum("amount"))
        .values_list("month", "total"))
    if basis == INVOICED:
        revenue = dict(
            invoiced_lines().filter(attributed=campaign.pk, currency=campaign.currency)
            .annotate(month=TruncMonth("date")).order_by().values("month").annotate(total=Sum("signed"))
            .values_list("month", "total"))
    else:
        revenue = dict(
            Deal.objects.annotate(attributed=attributed_campaign())
            .filter(attributed=campaign.pk, stage__kind=Stage.Kind.WON, currency=campaign.currency,
                    closed_at__isnull=False)
            .annotate(month=TruncMonth("closed_at", tzinfo=timezone.get_current_timezone()))
            .values("month").annotate(total=Sum("value")).values_list("month", "total"))
    revenue = {_as_date(month): total for month, total in revenue.items()}
    costs = {_as_date(month): total for month, total in costs.items()}
    return [MonthPoint(month=month, cost=costs.get(month, ZERO), won_revenue=revenue.get(month, ZERO))
            for month in sorted(set(costs) | set(revenue))]


def _as_date(value) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def campaign_chart(points: list[MonthPoint], *, cost_label: str, revenue_label: str, currency: str) -> dict:
    return {
        "type": "bar",
        "currency": currency,
        "labels": [point.month.strftime("%m/%Y") for point in points],
        "datasets": [
            {"label": cost_label, "data": [float(point.cost) for point in points], "color": "#f0a030"},
            {"label": revenue_label, "data": [float(point.won_revenue) for point in points], "color": "#1e5eff"},
        ],
    }


def other_currency_deals(campaign: Campaign, basis: str = WON) -> bool:
    """Whether won deals (invoices, on the invoiced basis) in another currency than the campaign's were left out
    of its revenue."""
    if basis == INVOICED:
        return invoiced_lines().filter(attributed=campaign.pk).exclude(currency=campaign.currency).exists()
    return (Deal.objects.annotate(attributed=attributed_campaign())
            .filter(attributed=campaign.pk, stage__kind=Stage.Kind.WON).exclude(currency=campaign.currency)
            .exists())

