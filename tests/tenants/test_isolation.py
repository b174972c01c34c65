"""Tenant isolation, tested from the attacker's side."""

import pytest
from django.core.cache import cache
from django.db import connection
from django_tenants.utils import schema_context

from modules.audit.models import AuditEntry
from modules.audit.services import audit_record
from tests.conftest import client_for
from tests.factories import InvitationFactory


def test_member_of_a_is_refused_on_b_host(ws_a, ws_b):
    # given
    client = client_for(ws_b, ws_a.users["owner"])
    # when
    response = client.get("/")
    # then
    assert response.status_code == 403
    assert ws_b.tenant.name not in response.content.decode()


def test_session_cookie_from_a_replayed_on_b_is_refused(ws_a, ws_b):
    # given: a real login on A's host
    client_a = client_for(ws_a, ws_a.users["member"])
    assert client_a.get("/").status_code == 200
    stolen = client_a.cookies["sessionid"].value
    # when: the cookie is replayed against B's host
    client_b = client_for(ws_b)
    client_b.cookies["sessionid"] = stolen
    response = client_b.get("/team/")
    # then
    assert response.status_code == 403
    assert "member@beta.test" not in response.content.decode()


@pytest.mark.parametrize("host", ["evil.example.com", "alpha.localhost.evil.com", "localhost.evil.com"])
def test_forged_host_header_is_not_answered(ws_a, host):
    # given
    client = client_for(None, ws_a.users["owner"])
    # when
    response = client.get("/", HTTP_HOST=host)
    # then
    assert response.status_code == 400


@pytest.mark.parametrize("host", ["nosuch.localhost", "pool.localhost", "a.b.localhost"])
def test_unknown_workspace_host_is_404_not_the_public_site(ws_a, host):
    # given
    client = client_for(None)
    # when
    response = client.get("/", HTTP_HOST=host)
    # then
    assert response.status_code == 404
    assert b"ERP-CRM that grows" not in response.content


def test_pooled_schema_has_no_host(ws_a):
    # given: pool entries have no domain, and their names are not even valid host labels
    from tenants.provisioning import schema_build

    pooled = schema_build()
    # when
    guessed = client_for(None).get("/", HTTP_HOST=f"{pooled.schema_name}.localhost")
    hyphenated = client_for(None).get("/", HTTP_HOST=f"{pooled.schema_name.replace('_', '-')}.localhost")
    # then
    assert guessed.status_code == 400
    assert hyphenated.status_code == 404


def test_membership_id_of_b_used_on_a_is_404(ws_a, ws_b):
    # given
    victim = ws_b.membership("member")
    client = client_for(ws_a, ws_a.users["owner"])
    # when
    response = client.post(f"/team/members/{victim.pk}/remove/")
    # then
    assert response.status_code == 404
    victim.refresh_from_db()
    assert victim.is_active


def test_invitation_id_of_b_used_on_a_is_404(ws_a, ws_b):
    # given
    invitation = InvitationFactory(tenant=ws_b.tenant, invited_by=ws_b.users["owner"])
    client = client_for(ws_a, ws_a.users["owner"])
    # when
    response = client.post(f"/team/invitations/{invitation.pk}/revoke/")
    # then
    assert response.status_code == 404
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_invitation_token_of_b_does_not_open_on_a(ws_a, ws_b):
    # given
    invitation = InvitationFactory(tenant=ws_b.tenant, invited_by=ws_b.users["owner"], email="x@a.test")
    # when
    response = client_for(ws_a).get(f"/invitations/{invitation.token}/")
    # then
    assert response.status_code == 404


def test_tenant_rows_of_b_are_invisible_from_a_schema(ws_a, ws_b):
    # given
    with schema_context(ws_b.tenant.schema_name):
        secret = audit_record(actor=ws_b.users["owner"], action="secret.b")
    # when
    with schema_context(ws_a.tenant.schema_name):
        seen = list(AuditEntry.objects.filter(pk=secret.pk, action="secret.b"))
    # then
    assert seen == []


def test_cache_key_written_in_a_is_not_read_in_b(ws_a, ws_b):
    # given
    connection.set_tenant(ws_a.tenant)
    cache.set("report:totals", "secret-of-a", 30)
    # when
    connection.set_tenant(ws_b.tenant)
    seen_in_b = cache.get("report:totals")
    # then
    assert seen_in_b is None
    connection.set_tenant(ws_a.tenant)
    assert cache.get("report:totals") == "secret-of-a"
    cache.delete("report:totals")


def test_hop_token_for_a_is_refused_on_b(ws_a, ws_b):
    # given: a valid sign-in token minted for A
    from tenants.hop import hop_token_make

    token = hop_token_make(user_id=ws_a.users["owner"].pk, tenant=ws_a.tenant)
    # when: replayed on B
    response = client_for(ws_b).get(f"/hop/?t={token}")
    # then
    assert response.status_code == 400
    assert "_auth_user_id" not in client_for(ws_b).session
