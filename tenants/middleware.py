"""Routing by host, and the membership guard that every workspace request passes.

``TenantMiddleware`` picks the schema from the host: ``BASE_DOMAIN`` is the public site,
``<slug>.BASE_DOMAIN`` a workspace, anything else 404 (never the public site's pages).
``AccessGuardMiddleware`` denies by default on workspace hosts: a view is reached only by
an active member, except the few open views in ``OPEN_URL_NAMES``.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.db import connection
from django.http import HttpResponseNotFound
from django.shortcuts import render
from django.urls import Resolver404, resolve, set_urlconf

from billing.entitlements import entitlements_of_request
from saas_platform.sentry import sentry_tag_request
from tenants.models import Tenant
from tenants.roles import Role
from tenants.tenant_cache import membership_for, tenant_for_host

OPEN_URL_NAMES = frozenset(
    {
        "account_login",
        "account_logout",
        "account_reset_password",
        "account_reset_password_done",
        "account_reset_password_from_key",
        "account_reset_password_from_key_done",
        "account_email_verification_sent",
        "account_confirm_email",
        "mfa_authenticate",
        "invitation_accept",
        "workspace_hop",
        "healthz",
        "readyz",
        "set_language",
    }
)
# Views that act on the user's own account, not on workspace data: viewers may post to them.
USER_SCOPE_PREFIXES = ("account_", "mfa_", "membership_leave", "set_language", "impersonation_stop")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class TenantMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        hostname = request.get_host().rsplit(":", 1)[0].lower()  # DisallowedHost -> 400 for forged hosts
        if hostname == settings.BASE_DOMAIN:
            connection.set_schema_to_public()
            request.tenant = None
            request.urlconf = settings.PUBLIC_SCHEMA_URLCONF
        else:
            tenant = tenant_for_host(hostname)
            if tenant is None or tenant.status not in (Tenant.Status.ACTIVE, Tenant.Status.SUSPENDED):
                connection.set_schema_to_public()
                return HttpResponseNotFound("Unknown workspace")
            connection.set_tenant(tenant)
            request.tenant = tenant
            request.urlconf = settings.ROOT_URLCONF
        set_urlconf(request.urlconf)
        return self.get_response(request)


class AccessGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = None
        tenant = request.tenant
        sentry_tag_request(tenant=tenant, user=getattr(request, "user", None))
        if tenant is None:
            return self.get_response(request)
        try:
            url_name = resolve(request.path_info, urlconf=request.urlconf).url_name or ""
        except Resolver404:
            url_name = ""
        if url_name in OPEN_URL_NAMES:
            return self.get_response(request)
        if tenant.status == Tenant.Status.SUSPENDED:
            return render(request, "tenants/suspended.html", status=403)
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        membership = membership_for(tenant=tenant, user=request.user)
        if membership is None:
            return render(request, "tenants/not_member.html", status=403)
        request.membership = membership
        if request.method not in SAFE_METHODS and not url_name.startswith(USER_SCOPE_PREFIXES):
            if membership.role == Role.VIEWER:
                return render(request, "tenants/read_only.html", status=403)
            if not url_name.startswith("billing_") and entitlements_of_request(request).read_only:
                # Unpaid past the grace period: reads and exports work; writes wait for the payment.
                return render(request, "billing/read_only.html", status=402)
        return self.get_response(request)

