"""Marketing campaigns: the campaign record and its append-only cost ledger.

Costs are never edited or deleted: a wrong entry is corrected by a negative entry, so the ledger shows
what was spent, when, and every correction. The running total may not go below zero.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from modules.crm.audit import audit_change, snapshot
from modules.crm.errors import CrmError
from modules.crm.models import Campaign, CampaignCost
from modules.crm.services._validation import clean_or_raise


def _campaign_lock(campaign_id: int) -> Campaign:
    """Lock one campaign row: cost entries of a campaign are added one at a time (total stays >= 0)."""
    return Campaign.objects.select_for_update().get(pk=campaign_id)


def _campaign_check(*, campaign: Campaign) -> None:
    if campaign.budget is not None and campaign.budget < 0:
        raise CrmError("budget_negative", _("The budget cannot be negative."), field="budget")
    if campaign.starts_on and campaign.ends_on and campaign.ends_on < campaign.starts_on:
        raise CrmError("dates_order", _("The end date is before the start date."), field="ends_on")
    taken = Campaign.objects.filter(utm_campaign=campaign.utm_campaign).exclude(pk=campaign.pk).exists()
    if taken:
        raise CrmError("utm_taken", _("Another campaign already uses this UTM code."), field="utm_campaign")
    clean_or_raise(campaign)


@transaction.atomic
def campaign_create(*, actor, name: str, utm_campaign: str, channel: str = Campaign.Channel.OTHER,
                    budget: Decimal = Decimal(0), currency: str = "VND", starts_on: datetime.date | None = None,
                    ends_on: datetime.date | None = None, owner_id: int | None = None) -> Campaign:
    campaign = Campaign(name=name, utm_campaign=utm_campaign, channel=channel, budget=budget, currency=currency,
                        starts_on=starts_on, ends_on=ends_on, owner_id=owner_id or actor.pk)
    _campaign_check(campaign=campaign)
    campaign.save()
    audit_change(actor=actor, action="campaign.created", target=campaign, before=None, after=snapshot(campaign))
    return campaign


@transaction.atomic
def campaign_update(*, campaign: Campaign, actor, name: str, utm_campaign: str, channel: str, budget: Decimal,
                    currency: str, starts_on: datetime.date | None, ends_on: datetime.date | None) -> Campaign:
    campaign = _campaign_lock(campaign.pk)
    before = snapshot(campaign)
    campaign.name, campaign.utm_campaign, campaign.channel = name, utm_campaign, channel
    campaign.budget, campaign.currency = budget, currency
    campaign.starts_on, campaign.ends_on = starts_on, ends_on
    _campaign_check(campaign=campaign)
    campaign.save(update_fields=["name", "utm_campaign", "channel", "budget", "currency", "starts_on", "ends_on"])
    audit_change(actor=actor, action="campaign.updated", target=campaign, before=before, after=snapshot(campaign))
    return campaign


@transaction.atomic
def campaign_cost_add(*, campaign: Campaign, actor, spent_on: datetime.date, amount: Decimal,
                      note: str = "") -> CampaignCost:
    """Append a cost entry; a negative amount corrects earlier entries (say which in ``note``)."""
    campaign = _campaign_lock(campaign.pk)
    if amount == 0:
        raise CrmError("cost_zero", _("Enter an amount other than zero."), field="amount")
    if amount < 0 and not note.strip():
        raise CrmError("correction_note", _("Say what a correction corrects."), field="note")
    spent = campaign.costs.aggregate(total=Sum("amount"))["total"] or Decimal(0)
    if spent + amount < 0:
        raise CrmError("cost_below_zero", _("A correction cannot take the total cost below zero."), field="amount")
    cost = CampaignCost(campaign=campaign, spent_on=spent_on, amount=amount, note=note.strip(),
                        created_by_id=actor.pk)
    clean_or_raise(cost)
    cost.save()
    action = "campaign.cost_corrected" if amount < 0 else "campaign.cost_added"
    audit_change(actor=actor, action=action, target=campaign, before=None, after=snapshot(cost))
    return cost
