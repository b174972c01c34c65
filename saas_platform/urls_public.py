"""The public site on BASE_DOMAIN: home, the signed-in person's workspaces, the vendor console."""

from django.urls import include, path

from billing import console_views as billing_console
from billing import webhook_views
from tenants import console_views, public_views

console_patterns = [
    path("", console_views.tenant_list, name="console_tenant_list"),
    path("tenants/<int:tenant_id>/", console_views.tenant_detail, name="console_tenant_detail"),
    path("tenants/<int:tenant_id>/suspend/", console_views.tenant_suspend, name="console_tenant_suspend"),
    path("tenants/<int:tenant_id>/reactivate/", console_views.tenant_reactivate, name="console_tenant_reactivate"),
    path("tenants/<int:tenant_id>/login-as/<int:user_id>/", console_views.tenant_login_as,
         name="console_tenant_login_as"),
    path("audit/", console_views.audit_log, name="console_audit_log"),
    path("tenants/<int:tenant_id>/plan/", billing_console.tenant_plan, name="console_tenant_plan"),
    path("billing/", billing_console.dashboard, name="console_billing"),
    path("billing/orders/<int:order_id>/confirm/", billing_console.order_confirm, name="console_order_confirm"),
    path("billing/transfers/<int:transaction_id>/resolve/", billing_console.transfer_resolve,
         name="console_transfer_resolve"),
    path("plans/", billing_console.plan_list, name="console_plans"),
    path("plans/<slug:code>/", billing_console.plan_edit, name="console_plan_edit"),
]

urlpatterns = [
    path("", public_views.home, name="home"),
    path("", include("onboarding.urls_public")),
    path("workspaces/new/", public_views.workspace_create, name="workspace_create"),
    path("workspaces/jobs/<int:job_id>/", public_views.workspace_progress, name="workspace_progress"),
    path("workspaces/jobs/<int:job_id>/status/", public_views.workspace_progress_status,
         name="workspace_progress_status"),
    path("workspaces/jobs/<int:job_id>/retry/", public_views.workspace_retry, name="workspace_retry"),
    path("workspaces/<slug:slug>/open/", public_views.workspace_open, name="workspace_open"),
    path("console/", include(console_patterns)),
    path("billing/stripe/webhook/", webhook_views.stripe_webhook, name="stripe_webhook"),
    path("billing/bank-feed/", webhook_views.bank_feed, name="bank_feed"),
    path("", include("saas_platform.urls_common")),
]
