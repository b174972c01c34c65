"""Writes for workspaces, memberships and invitations. Views call these, nothing else writes."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from modules.audit.services import audit_record
from tenants.errors import TenantError
from tenants.locks import membership_lock_for_tenant
from tenants.models import Invitation, Membership, ProvisioningJob, Tenant, VendorAuditLog
from tenants.roles import Role, roles_grantable_by
from tenants.tenant_cache import tenant_host_cache_clear

User = get_user_model()


def _audit_in_workspace(*, tenant: Tenant, actor, action: str, target=None, detail=None) -> None:
    with schema_context(tenant.schema_name):
        audit_record(actor=actor, action=action, target=target, detail=detail)


def _forget_cached_access() -> None:
    """Membership and status changes take effect at once in this process (and on commit again, so that
    a request racing the commit cannot keep the old state); other processes within seconds."""
    tenant_host_cache_clear()
    transaction.on_commit(tenant_host_cache_clear)


@transaction.atomic
def invitation_create(*, tenant: Tenant, email: str, role: str, actor, actor_role: str) -> Invitation:
    """Invite ``email`` with ``role``. Emails the single-use link on commit."""
    email = User.objects.normalize_email(email).lower()
    if role not in roles_grantable_by(actor_role):
        raise TenantError("role_not_grantable", _("You cannot give this role."), field="role")
    if Membership.objects.filter(tenant=tenant, user__email__iexact=email, is_active=True).exists():
        raise TenantError("already_member", _("This person is already a member."), field="email")
    # A new invitation replaces any pending one for the same address.
    Invitation.objects.filter(tenant=tenant, email__iexact=email, accepted_at=None, revoked_at=None).update(
        revoked_at=timezone.now()
    )
    invitation = Invitation(tenant=tenant, email=email, role=role, invited_by=actor)
    invitation.full_clean()
    invitation.save()
    _audit_in_workspace(tenant=tenant, actor=actor, action="invitation.created", target=invitation,
                        detail={"email": email, "role": role})
    transaction.on_commit(lambda: _invitation_send(invitation))
    return invitation


def _invitation_send(invitation: Invitation) -> None:
    from tenants.urls_helpers import workspace_url

    link = workspace_url(invitation.tenant, f"/invitations/{invitation.token}/")
    body = render_to_string("tenants/email/invitation.txt", {"invitation": invitation, "link": link})
    send_mail(
        subject=_("You are invited to %(name)s") % {"name": invitation.tenant.name},
        message=body,
        from_email=None,
        recipient_list=[invitation.email],
    )


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor) -> None:
    if not invitation.is_pending:
        raise TenantError("invitation_not_pending", _("This invitation is no longer pending."))
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    _audit_in_workspace(tenant=invitation.tenant, actor=actor, action="invitation.revoked", target=invitation)


@transaction.atomic
def invitation_accept(*, token: str, user) -> Membership:
    """Accept an invitation as ``user`` (who must hold the invited email). Single use."""
    invitation = (
        Invitation.objects.select_for_update().select_related("tenant").filter(token=token).first()
    )
    if invitation is None or invitation.revoked_at is not None:
        raise TenantError("invitation_invalid", _("This invitation link is not valid."))
    if invitation.accepted_at is not None:
        raise TenantError("invitation_used", _("This invitation has already been used."))
    if invitation.expires_at <= timezone.now():
        raise TenantError("invitation_expired", _("This invitation has expired. Ask for a new one."))
    if user.email.lower() != invitation.email.lower():
        raise TenantError(
            "invitation_wrong_email",
            _("This invitation was sent to another email address. Log in as %(email)s to accept it.")
            % {"email": invitation.email},
        )
    tenant = invitation.tenant
    membership_lock_for_tenant(tenant=tenant)
    membership = Membership.objects.filter(tenant=tenant, user=user).first()
    if membership is not None and membership.is_active:
        raise TenantError("already_member", _("You are already a member of this workspace."))
    _seat_check(tenant)
    if membership is None:
        membership = Membership(tenant=tenant, user=user, role=invitation.role)
    membership.role = invitation.role
    membership.is_active = True
    membership.full_clean()
    membership.save()
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    _forget_cached_access()
    _audit_in_workspace(tenant=tenant, actor=user, action="membership.joined", target=membership,
                        detail={"role": membership.role})
    return membership


def _seat_check(tenant: Tenant) -> None:
    """Counted under the tenant row lock, so two acceptances cannot both take the last seat."""
    from billing.entitlements import limit_check
    from billing.errors import BillingError

    active = Membership.objects.filter(tenant=tenant, is_active=True).count()
    try:
        limit_check(tenant=tenant, key="seats", current=active)
    except BillingError as error:
        raise TenantError("seat_limit", _("All seats of this workspace's plan are taken. The owner can upgrade "
                                          "the plan or free a seat.")) from error


def _ensure_not_last_owner(membership: Membership) -> None:
    if membership.role != Role.OWNER:
        return
    owners = Membership.objects.filter(tenant=membership.tenant, role=Role.OWNER, is_active=True)
    if not owners.exclude(pk=membership.pk).exists():
        raise TenantError("last_owner", _("A workspace needs at least one owner. Make someone else owner first."))


@transaction.atomic
def membership_remove(*, membership: Membership, actor, actor_role: str) -> None:
    """Deactivate a membership (the row and the person's work stay)."""
    membership_lock_for_tenant(tenant=membership.tenant)
    membership.refresh_from_db()
    if actor_role not in (Role.OWNER, Role.ADMIN):
        raise TenantError("forbidden", _("Only owners and admins can remove people."))
    if membership.role == Role.OWNER and actor_role != Role.OWNER:
        raise TenantError("forbidden", _("Only an owner can remove another owner."))
    _ensure_not_last_owner(membership)
    membership.is_active = False
    membership.save(update_fields=["is_active", "updated_at"])
    _forget_cached_access()
    _audit_in_workspace(tenant=membership.tenant, actor=actor, action="membership.removed", target=membership)


@transaction.atomic
def membership_leave(*, membership: Membership) -> None:
    membership_lock_for_tenant(tenant=membership.tenant)
    membership.refresh_from_db()
    _ensure_not_last_owner(membership)
    membership.is_active = False
    membership.save(update_fields=["is_active", "updated_at"])
    _forget_cached_access()
    _audit_in_workspace(tenant=membership.tenant, actor=membership.user, action="membership.left",
                        target=membership)


@transaction.atomic
def membership_change_role(*, membership: Membership, role: str, actor, actor_role: str) -> Membership:
    membership_lock_for_tenant(tenant=membership.tenant)
    membership.refresh_from_db()
    if role not in roles_grantable_by(actor_role) or (
        membership.role == Role.OWNER and actor_role != Role.OWNER
    ):
        raise TenantError("role_not_grantable", _("You cannot give this role."), field="role")
    if role != Role.OWNER:
        _ensure_not_last_owner(membership)
    previous = membership.role
    membership.role = role
    membership.full_clean()
    membership.save(update_fields=["role", "updated_at"])
    _forget_cached_access()
    _audit_in_workspace(tenant=membership.tenant, actor=actor, action="membership.role_changed",
                        target=membership, detail={"from": previous, "to": role})
    return membership


def vendor_audit(*, actor, action: str, tenant: Tenant | None = None, target_user=None, detail=None,
                 ip_address: str | None = None) -> VendorAuditLog:
    return VendorAuditLog.objects.create(actor=actor, action=action, tenant=tenant, target_user=target_user,
                                         detail=detail or {}, ip_address=ip_address)


@transaction.atomic
def tenant_suspend(*, tenant: Tenant, actor, reason: str, ip_address: str | None = None) -> Tenant:
    """Suspend a workspace: its users see a clear page; no data is touched."""
    tenant = Tenant.objects.select_for_update().get(pk=tenant.pk)
    if tenant.status != Tenant.Status.ACTIVE:
        raise TenantError("not_active", _("Only an active workspace can be suspended."))
    tenant.status = Tenant.Status.SUSPENDED
    tenant.suspended_reason = reason
    tenant.save(update_fields=["status", "suspended_reason", "updated_at"])
    vendor_audit(actor=actor, action="tenant.suspended", tenant=tenant, detail={"reason": reason},
                 ip_address=ip_address)
    _forget_cached_access()
    return tenant


@transaction.atomic
def tenant_reactivate(*, tenant: Tenant, actor, ip_address: str | None = None) -> Tenant:
    tenant = Tenant.objects.select_for_update().get(pk=tenant.pk)
    if tenant.status != Tenant.Status.SUSPENDED:
        raise TenantError("not_suspended", _("Only a suspended workspace can be reactivated."))
    tenant.status = Tenant.Status.ACTIVE
    tenant.suspended_reason = ""
    tenant.save(update_fields=["status", "suspended_reason", "updated_at"])
    vendor_audit(actor=actor, action="tenant.reactivated", tenant=tenant, ip_address=ip_address)
    _forget_cached_access()
    return tenant


def user_create(*, email: str, password: str | None, verified: bool) -> User:
    """A global user who logs in with ``email``. ``verified`` marks the address confirmed."""
    from allauth.account.models import EmailAddress

    email = User.objects.normalize_email(email).lower()
    user = User(email=email, username=email[:150])
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=verified)
    return user


@transaction.atomic
def invitation_accept_new_user(*, token: str, password: str) -> Membership:
    """Create the invited person's account (the emailed link proves the address) and accept."""
    invitation = Invitation.objects.filter(token=token).first()
    if invitation is None:
        raise TenantError("invitation_invalid", _("This invitation link is not valid."))
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise TenantError("account_exists", _("An account with this email exists. Log in to accept."))
    user = user_create(email=invitation.email, password=password, verified=True)
    return invitation_accept(token=token, user=user)


@transaction.atomic
def provisioning_job_start(*, name: str, slug: str, owner) -> ProvisioningJob:
    """Queue a new workspace for ``owner``; the page polls the job for progress."""
    from tenants.tasks import provision_workspace

    job = ProvisioningJob(name=name, slug=slug, owner=owner)
    job.full_clean(exclude=["tenant"])
    job.save()
    transaction.on_commit(lambda: provision_workspace.delay(job_id=job.pk))
    return job


@transaction.atomic
def provisioning_job_retry(*, job: ProvisioningJob) -> ProvisioningJob:
    """Run a failed job again (a failed run leaves nothing behind, so a retry starts clean)."""
    from tenants.tasks import provision_workspace

    job = ProvisioningJob.objects.select_for_update().get(pk=job.pk)
    if job.state != ProvisioningJob.State.FAILED:
        raise TenantError("job_not_failed", _("Only a failed job can be retried."))
    job.state, job.progress, job.message = ProvisioningJob.State.PENDING, 0, ""
    job.save(update_fields=["state", "progress", "message", "updated_at"])
    transaction.on_commit(lambda: provision_workspace.delay(job_id=job.pk))
    return job


@transaction.atomic
def tenant_billing_suspend(*, tenant: Tenant, reason: str) -> None:
    """Dunning's last step (no vendor actor): the workspace shows the suspended page; data is kept."""
    updated = Tenant.objects.filter(pk=tenant.pk, status=Tenant.Status.ACTIVE).update(
        status=Tenant.Status.SUSPENDED, suspended_reason=reason, updated_at=timezone.now())
    if updated:
        _forget_cached_access()


BILLING_SUSPENSION_PREFIX = "billing:"


@transaction.atomic
def tenant_billing_reactivate(*, tenant: Tenant) -> None:
    """A payment lifts a billing suspension at once (a suspension by vendor staff stays)."""
    updated = Tenant.objects.filter(
        pk=tenant.pk, status=Tenant.Status.SUSPENDED, suspended_reason__startswith=BILLING_SUSPENSION_PREFIX
    ).update(status=Tenant.Status.ACTIVE, suspended_reason="", updated_at=timezone.now())
    if updated:
        _forget_cached_access()
