"""URLs on a workspace host (<slug>.BASE_DOMAIN). All pass the access guard (tenants.middleware)."""

from django.urls import include, path

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
    path("", include("saas_platform.urls_common")),
]
