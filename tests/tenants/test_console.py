"""The vendor console: staff only, lists and filters, suspend / reactivate, log in as, audit."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tenants.models import Tenant, UsageSnapshot, VendorAuditLog
from tenants.tasks import usage_snapshot
from tests.conftest import client_for
from tests.factories import UserFactory


@pytest.fixture
def vendor(db):
    user = UserFactory(email="staff@vendor.test")
    user.is_staff = True
    user.save()
    return user


def test_console_is_for_vendor_staff_only(ws_a):
    # when
    owner = client_for(None, ws_a.users["owner"]).get("/console/")
    anonymous = client_for(None).get("/console/")
    # then
    assert owner.status_code == 403
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/")


def test_console_is_not_served_on_workspace_hosts(ws_a, vendor):
    # when
    response = client_for(ws_a, vendor).get("/console/")
    # then
    assert response.status_code == 403


def test_list_searches_and_filters_without_n_plus_one(ws_a, ws_b, vendor):
    # given
    client = client_for(None, vendor)
    # when
    with CaptureQueriesContext(connection) as queries:
        everything = client.get("/console/")
    searched = client.get("/console/?q=alph")
    on_scale = client.get("/console/?plan=scale")
    on_growth = client.get("/console/?plan=growth")
    suspended = client.get("/console/?status=suspended")
    # then
    assert everything.status_code == 200
    assert "alpha.localhost" in everything.content.decode()
    assert "beta.localhost" in everything.content.decode()
    assert "beta.localhost" not in searched.content.decode()
    assert "alpha.localhost" not in suspended.content.decode()
    assert "alpha.localhost" not in on_scale.content.decode()
    assert "beta.localhost" in on_growth.content.decode()
    assert len(queries.captured_queries) <= 8


def test_list_query_count_does_not_grow_with_workspaces(ws_a, vendor):
    # given
    client = client_for(None, vendor)
    with CaptureQueriesContext(connection) as before:
        client.get("/console/")
    for n in range(5):
        Tenant.objects.create(schema_name=f"extra{n}", name=f"Extra {n}", status=Tenant.Status.ACTIVE)
    # when
    with CaptureQueriesContext(connection) as after:
        client.get("/console/")
    # then
    assert len(after.captured_queries) == len(before.captured_queries)


def test_detail_shows_members_usage_and_schema_size(ws_a, vendor):
    # given
    usage_snapshot(tenant_id=ws_a.tenant.pk)
    # when
    response = client_for(None, vendor).get(f"/console/tenants/{ws_a.tenant.pk}/")
    # then
    page = response.content.decode()
    assert response.status_code == 200
    assert "viewer@alpha.test" in page
    assert " MB" in page
    assert UsageSnapshot.objects.get(tenant=ws_a.tenant).active_members == 5


def test_usage_snapshot_twice_a_day_keeps_one_row(ws_a):
    # when
    usage_snapshot(tenant_id=ws_a.tenant.pk)
    usage_snapshot(tenant_id=ws_a.tenant.pk)
    # then
    assert UsageSnapshot.objects.filter(tenant=ws_a.tenant).count() == 1


def test_suspend_and_reactivate_are_audited(ws_a, vendor, django_capture_on_commit_callbacks):
    # given
    client = client_for(None, vendor)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/console/tenants/{ws_a.tenant.pk}/suspend/", {"reason": "chargeback"})
    suspended_page = client_for(ws_a, ws_a.users["owner"]).get("/")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/console/tenants/{ws_a.tenant.pk}/reactivate/")
    active_page = client_for(ws_a, ws_a.users["owner"]).get("/")
    # then
    assert suspended_page.status_code == 403
    assert active_page.status_code == 200
    actions = list(VendorAuditLog.objects.filter(tenant=ws_a.tenant).values_list("action", flat=True))
    assert actions == ["tenant.reactivated", "tenant.suspended"]


def test_suspend_needs_a_reason(ws_a, vendor):
    # when
    client_for(None, vendor).post(f"/console/tenants/{ws_a.tenant.pk}/suspend/", {"reason": ""})
    # then
    ws_a.tenant.refresh_from_db()
    assert ws_a.tenant.status == Tenant.Status.ACTIVE


def test_log_in_as_is_audited_and_shows_a_banner(ws_a, vendor):
    # given
    member = ws_a.users["member"]
    console = client_for(None, vendor)
    # when
    hop = console.post(f"/console/tenants/{ws_a.tenant.pk}/login-as/{member.pk}/")
    workspace = client_for(ws_a)
    landed = workspace.get(hop["Location"].split("localhost", 1)[1].lstrip(":0123456789"))
    page = workspace.get("/")
    # then
    assert landed.status_code == 302
    assert page.status_code == 200
    assert 'class="banner banner-warn"' in page.content.decode()
    assert VendorAuditLog.objects.filter(action="tenant.login_as", target_user=member).count() == 1


def test_hop_token_is_single_use(ws_a, vendor):
    # given
    from tenants.hop import hop_token_make

    token = hop_token_make(user_id=ws_a.users["member"].pk, tenant=ws_a.tenant)
    # when
    first = client_for(ws_a).get(f"/hop/?t={token}")
    second = client_for(ws_a).get(f"/hop/?t={token}")
    # then
    assert first.status_code == 302
    assert second.status_code == 400


def test_audit_log_page_lists_vendor_actions(vendor, ws_a):
    # given
    VendorAuditLog.objects.create(actor=vendor, action="tenant.suspended", tenant=ws_a.tenant)
    # when
    response = client_for(None, vendor).get("/console/audit/")
    # then
    assert "tenant.suspended" in response.content.decode()
