"""Leads: rule-based scoring with its explanation, round-robin assignment, conversion to a deal."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from modules.crm.audit import audit_change, snapshot
from modules.crm.errors import CrmError
from modules.crm.models import Deal, Lead, Pipeline, SalesTeam, ScoringRule, TeamMember
from modules.parties.models import Party, Unaccent
from modules.parties.services import party_create
from modules.parties.validation import email_normalise, phone_normalise, tax_code_normalise

LEAD_FIELDS = ["name", "company", "email", "phone", "tax_code", "source", "campaign", "status", "estimated_value",
               "notes", "owner", "team"]


def _rule_matches(rule: ScoringRule, lead: Lead) -> bool:
    if rule.field == "source":
        value = lead.source.code if lead.source_id else ""
    elif rule.field == "campaign":
        value = lead.campaign.utm_campaign if lead.campaign_id else ""
    else:
        value = getattr(lead, rule.field, "")
    if rule.operator == ScoringRule.Operator.IS_SET:
        return value not in (None, "")
    if rule.operator == ScoringRule.Operator.EQUALS:
        return str(value or "").lower() == rule.value.lower()
    if rule.operator == ScoringRule.Operator.CONTAINS:
        return rule.value.lower() in str(value or "").lower()
    try:
        return value is not None and value != "" and Decimal(str(value)) > Decimal(rule.value)
    except InvalidOperation:
        return False


def lead_score(lead: Lead, rules: list[ScoringRule] | None = None) -> tuple[int, list[dict]]:
    """The score and why: one line per rule that matched, e.g. {"points": 20, "reason": "From a referral"}."""
    rules = rules if rules is not None else list(ScoringRule.objects.filter(is_active=True))
    explanation = [{"points": rule.points, "reason": rule.name} for rule in rules if _rule_matches(rule, lead)]
    return sum(line["points"] for line in explanation), explanation


def _next_member(team: SalesTeam) -> TeamMember | None:
    """Round robin: the active member after the one who got the last lead (by join order)."""
    members = list(team.members.filter(is_active=True).order_by("id"))
    if not members:
        return None
    last = team.last_assigned_member_id
    after = [member for member in members if last is not None and member.pk > last]
    return after[0] if after else members[0]


@transaction.atomic
def lead_assign_round_robin(*, lead: Lead, team: SalesTeam, actor) -> Lead:
    team = SalesTeam.objects.select_for_update().get(pk=team.pk)  # one assignment at a time per team
    member = _next_member(team)
    if member is None:
        raise CrmError("team_empty", _("This team has no active members to assign to."), field="team")
    before = snapshot(lead, LEAD_FIELDS)
    lead.team, lead.owner_id = team, member.user_id
    lead.save(update_fields=["team", "owner", "updated_at"])
    team.last_assigned_member = member
    team.save(update_fields=["last_assigned_member"])
    audit_change(actor=actor, action="lead.assigned", target=lead, before=before, after=snapshot(lead, LEAD_FIELDS))
    return lead


def _normalised(fields: dict) -> dict:
    """Phones, emails and tax codes are stored the way the party master stores them, so they match."""
    cleaned = dict(fields)
    for name, normalise in (("phone", phone_normalise), ("email", email_normalise), ("tax_code", tax_code_normalise)):
        if name in cleaned:
            cleaned[name] = normalise(cleaned[name])
    return cleaned


@transaction.atomic
def lead_create(*, actor, assign_round_robin: bool = False, **fields) -> Lead:
    lead = Lead(**_normalised(fields))
    if lead.owner_id is None and not assign_round_robin:
        lead.owner_id = actor.pk
    lead.full_clean()
    lead.score, lead.score_explanation = lead_score(lead)
    lead.save()
    audit_change(actor=actor, action="lead.created", target=lead, before=None, after=snapshot(lead, LEAD_FIELDS))
    if assign_round_robin and lead.team_id:
        lead_assign_round_robin(lead=lead, team=lead.team, actor=actor)
    return lead


@transaction.atomic
def lead_update(*, lead: Lead, actor, **fields) -> Lead:
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    if lead.status == Lead.Status.CONVERTED:
        raise CrmError("lead_converted", _("A converted lead is kept as it was; edit its deal instead."))
    before = snapshot(lead, LEAD_FIELDS)
    for name, value in _normalised(fields).items():
        setattr(lead, name, value)
    lead.full_clean()
    lead.score, lead.score_explanation = lead_score(lead)
    lead.save()
    audit_change(actor=actor, action="lead.updated", target=lead, before=before, after=snapshot(lead, LEAD_FIELDS))
    return lead


def party_matching(*, name: str = "", tax_code: str = "", email: str = "", phone: str = "") -> Party | None:
    """An existing active party that is the same business or person (tax code, email, phone, exact name)."""
    conditions = Q()
    if tax_code:
        conditions |= Q(tax_code=tax_code)
    if email:
        conditions |= Q(email__iexact=email)
    if phone:
        conditions |= Q(phone=phone)
    if conditions:
        found = Party.objects.filter(conditions, is_active=True).order_by("pk").first()
        if found is not None:
            return found
    if name:
        return (Party.objects.annotate(plain=Unaccent(Lower("name")))
                .filter(is_active=True, plain=_plain(name)).order_by("pk").first())
    return None


def _owner_of(lead: Lead, actor):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(pk=lead.owner_id).first() or actor


def _plain(text: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT public.f_unaccent(lower(%s))", [text])
        return cursor.fetchone()[0]


@transaction.atomic
def lead_convert(*, lead: Lead, actor, pipeline: Pipeline | None = None, title: str = "") -> tuple[Party, Deal]:
    """Turn a lead into a deal for a party, reusing the party when it already exists."""
    from modules.crm.services.deals import deal_create

    lead = Lead.objects.select_for_update(of=("self",)).select_related("campaign", "team").get(pk=lead.pk)
    if lead.status == Lead.Status.CONVERTED:
        raise CrmError("lead_converted", _("This lead is already converted."))
    if lead.status == Lead.Status.DISQUALIFIED:
        raise CrmError("lead_disqualified", _("A disqualified lead cannot be converted."))
    is_company = bool(lead.company)
    party = party_matching(name=lead.company or lead.name, tax_code=lead.tax_code,
                           email="" if is_company else lead.email, phone="" if is_company else lead.phone)
    owner = _owner_of(lead, actor)
    if party is None:
        # Through the party master's service: validation, the plan's contact limit, the audit row.
        party = party_create(actor=actor, kind=Party.Kind.ORGANIZATION if is_company else Party.Kind.PERSON,
                             name=lead.company or lead.name, tax_code=lead.tax_code, is_prospect=True,
                             email="" if is_company else lead.email, phone="" if is_company else lead.phone,
                             owner=owner)
    contact = None
    if is_company:
        contact = party_matching(email=lead.email, phone=lead.phone)
        if contact is None or contact.pk == party.pk:
            contact = party_create(actor=actor, kind=Party.Kind.PERSON, name=lead.name, email=lead.email,
                                   phone=lead.phone, organization=party, owner=owner)
    deal = deal_create(actor=actor, party=party, contact=contact, title=title or f"{party.name}",
                       pipeline=pipeline, value=lead.estimated_value or Decimal(0), owner_id=lead.owner_id,
                       team=lead.team, campaign=lead.campaign, lead=lead)
    before = snapshot(lead, LEAD_FIELDS)
    lead.status, lead.party, lead.converted_at = Lead.Status.CONVERTED, party, timezone.now()
    lead.save(update_fields=["status", "party", "converted_at", "updated_at"])
    lead.activities.filter(party__isnull=True).update(party=party)
    audit_change(actor=actor, action="lead.converted", target=lead, before=before, after=snapshot(lead, LEAD_FIELDS))
    return party, deal
