"""Sales teams, their members and monthly quotas.

Owners and admins create teams and manage all of them; a team's manager manages its members and quotas.
Members are people of the workspace (active memberships). Leaving a team deactivates the member row (its
history stays: quotas, round-robin position). Round-robin lead assignment lives with the leads.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from modules.crm.audit import audit_change, snapshot
from modules.crm.errors import CrmError
from modules.crm.models import Quota, SalesTeam, TeamMember
from modules.crm.selectors.teams import may_manage_team
from modules.crm.services._validation import clean_or_raise
from tenants.models import Membership


def _manage_check(*, membership, team: SalesTeam | None) -> None:
    if not may_manage_team(membership, team):
        raise CrmError("not_team_manager", _("Only an admin or the team's manager can change this team."))


def _workspace_member_check(*, tenant, user_id: int | None, field: str) -> None:
    if user_id is None:
        return
    if not Membership.objects.filter(tenant=tenant, user_id=user_id, is_active=True).exists():
        raise CrmError("not_a_member", _("Choose someone who is a member of this workspace."), field=field)


def _team_lock(team_id: int) -> SalesTeam:
    return SalesTeam.objects.select_for_update().get(pk=team_id)


@transaction.atomic
def sales_team_create(*, tenant, actor, actor_membership, name: str, manager_id: int | None = None) -> SalesTeam:
    _manage_check(membership=actor_membership, team=None)
    _workspace_member_check(tenant=tenant, user_id=manager_id, field="manager")
    if SalesTeam.objects.filter(name__iexact=name.strip()).exists():
        raise CrmError("team_name_taken", _("A team with this name already exists."), field="name")
    team = SalesTeam(name=name.strip(), manager_id=manager_id)
    clean_or_raise(team)
    team.save()
    audit_change(actor=actor, action="sales_team.created", target=team, before=None, after=snapshot(team))
    return team


@transaction.atomic
def sales_team_update(*, team: SalesTeam, tenant, actor, actor_membership, name: str,
                      manager_id: int | None) -> SalesTeam:
    team = _team_lock(team.pk)
    _manage_check(membership=actor_membership, team=team)
    _workspace_member_check(tenant=tenant, user_id=manager_id, field="manager")
    if SalesTeam.objects.filter(name__iexact=name.strip()).exclude(pk=team.pk).exists():
        raise CrmError("team_name_taken", _("A team with this name already exists."), field="name")
    before = snapshot(team)
    team.name, team.manager_id = name.strip(), manager_id
    clean_or_raise(team)
    team.save(update_fields=["name", "manager"])
    audit_change(actor=actor, action="sales_team.updated", target=team, before=before, after=snapshot(team))
    return team


@transaction.atomic
def team_member_add(*, team: SalesTeam, tenant, actor, actor_membership, user_id: int) -> TeamMember:
    """Add a workspace member to the team (again, if they had left it)."""
    team = _team_lock(team.pk)
    _manage_check(membership=actor_membership, team=team)
    _workspace_member_check(tenant=tenant, user_id=user_id, field="user")
    member = TeamMember.objects.filter(team=team, user_id=user_id).first()
    if member is not None and member.is_active:
        raise CrmError("already_member", _("This person is already in the team."), field="user")
    if member is not None:
        before = snapshot(member)
        member.is_active = True
        member.save(update_fields=["is_active"])
        audit_change(actor=actor, action="sales_team.member_rejoined", target=member, before=before,
                     after=snapshot(member))
        return member
    member = TeamMember(team=team, user_id=user_id)
    clean_or_raise(member)
    member.save()
    audit_change(actor=actor, action="sales_team.member_added", target=member, before=None, after=snapshot(member))
    return member


@transaction.atomic
def team_member_remove(*, member: TeamMember, actor, actor_membership) -> TeamMember:
    team = _team_lock(member.team_id)
    _manage_check(membership=actor_membership, team=team)
    member = TeamMember.objects.select_for_update().get(pk=member.pk)
    if not member.is_active:
        return member
    before = snapshot(member)
    member.is_active = False
    member.save(update_fields=["is_active"])
    audit_change(actor=actor, action="sales_team.member_removed", target=member, before=before,
                 after=snapshot(member))
    return member


@transaction.atomic
def quota_set(*, team: SalesTeam, actor, actor_membership, user_id: int, month: datetime.date,
              amount: Decimal) -> Quota:
    """Set (or change) a member's won-revenue target for a month; the audit keeps every earlier value."""
    team = _team_lock(team.pk)
    _manage_check(membership=actor_membership, team=team)
    if not TeamMember.objects.filter(team=team, user_id=user_id, is_active=True).exists():
        raise CrmError("not_in_team", _("Quotas are for members of the team."), field="user")
    if amount < 0:
        raise CrmError("quota_negative", _("A quota cannot be negative."), field="amount")
    month = month.replace(day=1)
    quota = Quota.objects.select_for_update().filter(team=team, user_id=user_id, month=month).first()
    before = snapshot(quota) if quota is not None else None
    if quota is None:
        quota = Quota(team=team, user_id=user_id, month=month)
    quota.amount = amount
    clean_or_raise(quota)
    quota.save()
    audit_change(actor=actor, action="sales_team.quota_set", target=quota, before=before, after=snapshot(quota))
    return quota
