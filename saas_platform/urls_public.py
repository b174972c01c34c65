"""The public site on BASE_DOMAIN: home, the signed-in person's workspaces, the vendor console."""

from django.urls import include, path

from tenants import console_views, public_views

console_patterns = [
    path("", console_views.tenant_list, name="console_tenant_list"),
    path("tenants/<int:tenant_id>/", console_views.tenant_detail, name="console_tenant_detail"),
    path("tenants/<int:tenant_id>/suspend/", console_views.tenant_suspend, name="console_tenant_suspend"),
    path("tenants/<int:tenant_id>/reactivate/", console_views.tenant_reactivate, name="console_tenant_reactivate"),
    path("tenants/<int:tenant_id>/login-as/<int:user_id>/", console_views.tenant_login_as,
         name="console_tenant_login_as"),
    path("audit/", console_views.audit_log, name="console_audit_log"),
]

urlpatterns = [
    path("", public_views.home, name="home"),
    path("workspaces/new/", public_views.workspace_create, name="workspace_create"),
    path("workspaces/jobs/<int:job_id>/", public_views.workspace_progress, name="workspace_progress"),
    path("workspaces/jobs/<int:job_id>/status/", public_views.workspace_progress_status,
         name="workspace_progress_status"),
    path("workspaces/jobs/<int:job_id>/retry/", public_views.workspace_retry, name="workspace_retry"),
    path("workspaces/<slug:slug>/open/", public_views.workspace_open, name="workspace_open"),
    path("console/", include(console_patterns)),
    path("", include("saas_platform.urls_common")),
]
