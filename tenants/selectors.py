"""Reads for workspaces and memberships."""

from __future__ import annotations

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from tenants.models import Invitation, Membership, Tenant, UsageSnapshot


def memberships_for_user(*, user) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user, is_active=True, tenant__status__in=["active", "suspended"])
        .select_related("tenant")
        .order_by("tenant__name")
    )


def members_of(*, tenant: Tenant) -> QuerySet[Membership]:
    return Membership.objects.filter(tenant=tenant).select_related("user").order_by("-is_active", "user__email")


def pending_invitations(*, tenant: Tenant) -> list[Invitation]:
    invitations = Invitation.objects.filter(tenant=tenant, accepted_at=None, revoked_at=None)
    return [invitation for invitation in invitations.select_related("invited_by") if invitation.is_pending]


def get_membership_for(*, tenant: Tenant, membership_id: int) -> Membership:
    """A membership of this workspace; another workspace's id answers 404 like a missing one."""
    membership = Membership.objects.filter(tenant=tenant, pk=membership_id).select_related("user", "tenant").first()
    if membership is None:
        raise Http404
    return membership


def get_invitation_for(*, tenant: Tenant, invitation_id: int) -> Invitation:
    invitation = Invitation.objects.filter(tenant=tenant, pk=invitation_id).select_related("tenant").first()
    if invitation is None:
        raise Http404
    return invitation


def tenants_for_console(*, q: str = "", status: str = "", plan: str = "", created_from=None,
                        created_to=None) -> QuerySet[Tenant]:
    tenants = Tenant.objects.exclude(status__in=[Tenant.Status.POOLED, Tenant.Status.PROVISIONING])
    if q:
        tenants = tenants.filter(
            Q(name__icontains=q) | Q(schema_name__icontains=q) | Q(domains__domain__icontains=q)
        ).distinct()
    if status:
        tenants = tenants.filter(status=status)
    if plan:
        tenants = tenants.filter(subscription__plan__code=plan)
    if created_from:
        tenants = tenants.filter(created_at__date__gte=created_from)
    if created_to:
        tenants = tenants.filter(created_at__date__lte=created_to)
    return tenants.select_related("subscription__plan").annotate(
        member_count=Count("memberships", filter=Q(memberships__is_active=True), distinct=True)
    ).order_by("-created_at")


def schema_size_bytes(*, schema_name: str) -> int:
    """Total on-disk size of a schema's tables, indexes and TOAST."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0)
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = %s AND c.relkind IN ('r', 'm', 'p')
            """,
            [schema_name],
        )
        return int(cursor.fetchone()[0])


def latest_usage(*, tenant: Tenant) -> UsageSnapshot | None:
    return UsageSnapshot.objects.filter(tenant=tenant).first()
