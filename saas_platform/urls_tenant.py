"""URLs on a workspace host (<slug>.BASE_DOMAIN). All pass the access guard (tenants.middleware)."""

from django.urls import include, path

from billing import views as billing_views
from modules.audit import views as audit_views
from onboarding import views_workspace as onboarding_views
from tenants import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("team/", views.team, name="team"),
    path("team/invitations/", views.invitation_create, name="invitation_create"),
    path("team/invitations/<int:invitation_id>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("team/members/<int:membership_id>/remove/", views.membership_remove, name="membership_remove"),
    path("team/members/<int:membership_id>/role/", views.membership_role, name="membership_role"),
    path("team/leave/", views.membership_leave, name="membership_leave"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("switch/<slug:slug>/", views.workspace_switch, name="workspace_switch"),
    path("hop/", views.workspace_hop, name="workspace_hop"),
    path("impersonation/stop/", views.impersonation_stop, name="impersonation_stop"),
    path("billing/", billing_views.overview, name="billing_overview"),
    path("billing/change/<slug:plan_code>/", billing_views.change, name="billing_change"),
    path("billing/orders/<str:reference>/", billing_views.order, name="billing_order"),
    path("billing/receipts/<str:receipt_number>/", billing_views.receipt, name="billing_receipt"),
    path("billing/portal/", billing_views.portal, name="billing_portal"),
    path("upgrade/<str:feature>/", billing_views.upgrade, name="billing_upgrade"),
    path("audit/", audit_views.audit_log, name="audit_log"),
    path("audit/export.csv", audit_views.audit_export_csv, name="audit_export_csv"),
    path("audit/export/email/", audit_views.audit_export_email, name="audit_export_email"),
    path("api/v1/plan/", billing_views.plan_api, name="api_plan"),
    path("api/v1/audit-log/", audit_views.audit_export_api, name="api_audit_log"),
    path("", include(onboarding_views.urlpatterns)),
    path("welcome/checklist/dismiss/", views.checklist_dismiss, name="onboarding_checklist_dismiss"),
    path("welcome/sample-data/remove/", views.sample_data_remove, name="onboarding_sample_data_remove"),
    path("crm/", include("modules.crm.urls")),
    path("parties/", include("modules.parties.urls")),
    path("erp/", include("modules.erp.dashboard.views")),
    path("erp/catalog/", include("modules.erp.catalog.views")),
    path("erp/company/", include("modules.erp.common.views")),
    path("erp/imports/", include("modules.erp.dataio.views")),
    path("erp/sales/", include("modules.erp.sales.views")),
    path("erp/inventory/", include("modules.erp.inventory.views")),
    path("erp/purchasing/", include("modules.erp.purchasing.views")),
    path("erp/invoicing/", include("modules.erp.invoicing.views_payments")),
    path("erp/invoicing/", include("modules.erp.invoicing.views")),
    path("erp/accounting/", include("modules.erp.accounting.views")),
    path("erp/", include("modules.erp.sales.views_from_deal")),
    path("", include("saas_platform.urls_common")),
]
