"""Record rules: who sees which CRM records.

- admins and owners see everything; viewers see everything, read-only (the guard refuses their writes);
- managers see their teams' records (teams they manage or belong to) and their own;
- members see their own, or their team's when the workspace sets ``member_visibility = team``.

Every list and every detail view goes through ``scope``; a record outside it answers 404, the same as a
missing one, so an id typed into the URL reveals nothing.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from modules.crm.models import CrmSettings, SalesTeam, TeamMember
from tenants.roles import Role


def team_ids_of(user_id: int) -> set[int]:
    managed = SalesTeam.objects.filter(manager_id=user_id).values_list("pk", flat=True)
    joined = TeamMember.objects.filter(user_id=user_id, is_active=True).values_list("team_id", flat=True)
    return set(managed) | set(joined)


def sees_everything(membership) -> bool:
    return membership.role in (Role.OWNER, Role.ADMIN, Role.VIEWER)


def scope(queryset: QuerySet, *, membership, owner_field: str = "owner", team_field: str | None = "team") -> QuerySet:
    """Narrow ``queryset`` to what ``membership`` may see."""
    if sees_everything(membership):
        return queryset
    user_id = membership.user_id
    own = Q(**{f"{owner_field}_id": user_id})
    if team_field is None:
        return queryset.filter(own)
    team_wide = membership.role == Role.MANAGER or (
        CrmSettings.objects.values_list("member_visibility", flat=True).first() == CrmSettings.Visibility.TEAM)
    if not team_wide:
        return queryset.filter(own)
    teams = team_ids_of(user_id)
    if not teams:
        return queryset.filter(own)
    members = TeamMember.objects.filter(team_id__in=teams, is_active=True).values_list("user_id", flat=True)
    return queryset.filter(own | Q(**{f"{team_field}_id__in": teams}) | Q(**{f"{owner_field}_id__in": members}))


def get_for(queryset: QuerySet, *, membership, pk: int, owner_field: str = "owner",
            team_field: str | None = "team"):
    """One record the member may see; missing and forbidden both answer 404."""
    visible = scope(queryset, membership=membership, owner_field=owner_field, team_field=team_field)
    record = visible.filter(pk=pk).first()
    if record is None:
        raise Http404
    return record
