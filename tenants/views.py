"""Workspace-host views: dashboard, team, invitations, switching, sign-in hops."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model, login, logout
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from modules.audit.models import AuditEntry
from modules.audit.services import audit_record
from onboarding import checklist as onboarding_checklist
from onboarding.registry import sample_data_remove as onboarding_sample_data_remove
from tenants import selectors, services
from tenants.access import membership_allows, module_required
from tenants.errors import TenantError
from tenants.forms import InvitationForm, InvitationSignupForm, RoleForm
from tenants.hop import hop_token_make, hop_token_read
from tenants.models import Invitation, Membership
from tenants.roles import Access, Role
from tenants.urls_helpers import public_url, workspace_url

User = get_user_model()


def dashboard(request):
    tenant = request.tenant
    members = selectors.members_of(tenant=tenant).filter(is_active=True)
    context = {
        "member_count": members.count(),
        "pending_invitations": len(selectors.pending_invitations(tenant=tenant)),
        "recent_activity": AuditEntry.objects.select_related("actor")[:8],
        "can_manage_team": membership_allows(request.membership, "team", Access.MANAGE),
        "onboarding": onboarding_checklist.onboarding_card(tenant=tenant, membership=request.membership),
    }
    return render(request, "tenants/dashboard.html", context)


@require_POST
def checklist_dismiss(request):
    try:
        onboarding_checklist.checklist_dismiss(tenant=request.tenant, actor=request.user)
    except TenantError:
        return render(request, "tenants/forbidden.html", {"module": "onboarding"}, status=403)
    messages.success(request, _("The getting-started checklist is hidden."))
    return redirect("dashboard")


@require_POST
def sample_data_remove(request):
    if request.membership.role not in onboarding_checklist.DISMISS_ROLES:
        return render(request, "tenants/forbidden.html", {"module": "onboarding"}, status=403)
    onboarding_sample_data_remove(tenant=request.tenant, actor=request.user)
    messages.success(request, _("The sample data is removed. Your own records are untouched."))
    return redirect("dashboard")


@module_required("team", Access.VIEW)
def team(request):
    membership = request.membership
    can_manage = membership_allows(membership, "team", Access.MANAGE)
    context = {
        "members": selectors.members_of(tenant=request.tenant),
        "invitations": selectors.pending_invitations(tenant=request.tenant) if can_manage else [],
        "form": InvitationForm(actor_role=membership.role) if can_manage else None,
        "role_choices": Role.choices,
        "can_manage": can_manage,
    }
    return render(request, "tenants/team.html", context)


@require_POST
@module_required("team", Access.MANAGE)
def invitation_create(request):
    form = InvitationForm(request.POST, actor_role=request.membership.role)
    if form.is_valid():
        try:
            services.invitation_create(
                tenant=request.tenant,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                actor=request.user,
                actor_role=request.membership.role,
            )
        except TenantError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % form.cleaned_data)
            return redirect("team")
    context = {
        "members": selectors.members_of(tenant=request.tenant),
        "invitations": selectors.pending_invitations(tenant=request.tenant),
        "form": form,
        "role_choices": Role.choices,
        "can_manage": True,
    }
    return render(request, "tenants/team.html", context, status=400)


@require_POST
@module_required("team", Access.MANAGE)
def invitation_revoke(request, invitation_id: int):
    invitation = selectors.get_invitation_for(tenant=request.tenant, invitation_id=invitation_id)
    _run(request, lambda: services.invitation_revoke(invitation=invitation, actor=request.user),
         _("Invitation revoked."))
    return redirect("team")


@require_POST
@module_required("team", Access.MANAGE)
def membership_remove(request, membership_id: int):
    membership = selectors.get_membership_for(tenant=request.tenant, membership_id=membership_id)
    _run(request, lambda: services.membership_remove(
        membership=membership, actor=request.user, actor_role=request.membership.role), _("Member removed."))
    return redirect("team")


@require_POST
@module_required("team", Access.MANAGE)
def membership_role(request, membership_id: int):
    membership = selectors.get_membership_for(tenant=request.tenant, membership_id=membership_id)
    form = RoleForm(request.POST)
    if form.is_valid():
        _run(request, lambda: services.membership_change_role(
            membership=membership, role=form.cleaned_data["role"], actor=request.user,
            actor_role=request.membership.role), _("Role updated."))
    else:
        messages.error(request, _("Choose a valid role."))
    return redirect("team")


@require_POST
def membership_leave(request):
    try:
        services.membership_leave(membership=request.membership)
    except TenantError as error:
        messages.error(request, error.message)
        return redirect("team")
    return redirect(public_url("/"))


def _run(request, action, success_message: str) -> bool:
    try:
        action()
    except TenantError as error:
        messages.error(request, error.message)
        return False
    messages.success(request, success_message)
    return True


def invitation_accept(request, token: str):
    """Open view: accept as the signed-in invited person, or create their account first."""
    invitation = Invitation.objects.filter(token=token, tenant=request.tenant).select_related("tenant").first()
    if invitation is None:
        return render(request, "tenants/invitation.html", {"error": _("This invitation link is not valid.")},
                      status=404)
    context = {"invitation": invitation, "error": None}
    if not invitation.is_pending:
        context["error"] = (
            _("This invitation has already been used.") if invitation.accepted_at
            else _("This invitation has expired. Ask for a new one.")
        )
        return render(request, "tenants/invitation.html", context, status=410)
    context["existing_user"] = User.objects.filter(email__iexact=invitation.email).exists()
    signup_form = InvitationSignupForm(request.POST or None, email=invitation.email)
    context["signup_form"] = signup_form
    if request.method != "POST":
        return render(request, "tenants/invitation.html", context)
    try:
        if request.user.is_authenticated:
            services.invitation_accept(token=token, user=request.user)
        elif context["existing_user"]:
            return redirect(f"/accounts/login/?next={request.path}")
        elif signup_form.is_valid():
            password = signup_form.cleaned_data["password1"]
            membership = services.invitation_accept_new_user(token=token, password=password)
            login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
        else:
            return render(request, "tenants/invitation.html", context, status=400)
    except TenantError as error:
        context["error"] = error.message
        return render(request, "tenants/invitation.html", context, status=400)
    messages.success(request, _("Welcome to %(name)s!") % {"name": request.tenant.name})
    return redirect("dashboard")


def workspace_switch(request, slug: str):
    """Go to another of the user's workspaces, signed in, through a one-time hop token."""
    target = (
        Membership.objects.filter(user=request.user, is_active=True, tenant__schema_name=slug,
                                  tenant__status="active")
        .select_related("tenant")
        .first()
    )
    if target is None:
        messages.error(request, _("You are not a member of that workspace."))
        return redirect("dashboard")
    token = hop_token_make(user_id=request.user.pk, tenant=target.tenant)
    return redirect(workspace_url(target.tenant, f"/hop/?t={token}"))


def workspace_hop(request):
    """Open view: sign in on this host with a token made on another host."""
    try:
        claim = hop_token_read(token=request.GET.get("t", ""), tenant=request.tenant)
    except TenantError as error:
        return render(request, "tenants/hop_failed.html", {"error": error.message}, status=400)
    user = User.objects.filter(pk=claim["user_id"], is_active=True).first()
    is_member = Membership.objects.filter(tenant=request.tenant, user=user, is_active=True).exists()
    if user is None or not is_member:
        return render(request, "tenants/hop_failed.html", {"error": _("No access to this workspace.")}, status=403)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    if claim["impersonator_id"]:
        request.session["impersonator_id"] = claim["impersonator_id"]
        audit_record(actor=user, impersonator=User.objects.get(pk=claim["impersonator_id"]),
                     action="impersonation.started", target=user)
    after = request.GET.get("next", "")
    if after and url_has_allowed_host_and_scheme(after, allowed_hosts={request.get_host()}):
        return redirect(after)
    return redirect("dashboard")


@require_POST
def impersonation_stop(request):
    logout(request)
    return redirect(public_url("/console/"))
