"""The membership guard: deny by default on every workspace URL."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tenants.middleware import OPEN_URL_NAMES
from tests.conftest import client_for


def _workspace_routes(patterns=None, prefix=""):
    """Every concrete URL of the workspace urlconf, with sample arguments filled in."""
    patterns = get_resolver("saas_platform.urls_tenant").url_patterns if patterns is None else patterns
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _workspace_routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            path = "/" + route.replace("<int:invitation_id>", "1").replace("<int:membership_id>", "1")
            path = path.replace("<slug:slug>", "beta").replace("<str:token>", "tok").replace("^", "").replace("$", "")
            if "<" in path or "(?P" in path:
                continue  # allauth's regex routes with keys; covered by name below
            yield pattern.name, path


GUARDED = sorted({(name, path) for name, path in _workspace_routes() if name not in OPEN_URL_NAMES})


def test_the_route_list_is_not_empty():
    assert len(GUARDED) > 10


@pytest.mark.parametrize(("name", "path"), GUARDED)
def test_anonymous_is_sent_to_login_on_every_guarded_url(ws_a, name, path):
    # given
    client = client_for(ws_a)
    # when
    response = client.get(path)
    # then
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(("name", "path"), GUARDED)
def test_outsider_is_refused_on_every_guarded_url(workspaces, ws_a, name, path):
    # given
    client = client_for(ws_a, workspaces["outsider"])
    # when
    response = client.get(path)
    # then
    assert response.status_code == 403


def test_inactive_member_is_refused(ws_a):
    # given
    membership = ws_a.membership("member")
    membership.is_active = False
    membership.save()
    # when
    response = client_for(ws_a, ws_a.users["member"]).get("/")
    # then
    assert response.status_code == 403


@pytest.mark.parametrize("path", ["/accounts/login/", "/accounts/password/reset/", "/healthz"])
def test_open_views_answer_anonymous(ws_a, path):
    # given
    client = client_for(ws_a)
    # when
    response = client.get(path)
    # then
    assert response.status_code == 200


def test_viewer_reads_but_cannot_write(ws_a):
    # given
    client = client_for(ws_a, ws_a.users["viewer"])
    target = ws_a.membership("member")
    # when
    read = client.get("/team/")
    write = client.post("/team/invitations/", {"email": "new@x.test", "role": "member"})
    remove = client.post(f"/team/members/{target.pk}/remove/")
    # then
    assert read.status_code == 200
    assert write.status_code == 403
    assert remove.status_code == 403
    target.refresh_from_db()
    assert target.is_active


def test_viewer_may_still_leave_and_log_out(ws_a):
    # given
    client = client_for(ws_a, ws_a.users["viewer"])
    # when
    leave = client.post("/team/leave/")
    # then
    assert leave.status_code == 302
    assert not ws_a.membership("viewer").is_active


@pytest.mark.parametrize(("role", "status"), [("owner", 200), ("admin", 200), ("manager", 403), ("member", 403)])
def test_only_owners_and_admins_manage_the_team(ws_a, role, status):
    # given
    client = client_for(ws_a, ws_a.users[role])
    # when
    response = client.post("/team/invitations/", {"email": "someone@x.test", "role": "member"}, follow=True)
    # then
    assert response.status_code == status


def test_suspended_workspace_shows_a_clear_page_and_keeps_data(ws_a, workspaces, django_capture_on_commit_callbacks):
    # given
    from tenants.services import tenant_suspend

    vendor = workspaces["outsider"]
    with django_capture_on_commit_callbacks(execute=True):
        tenant_suspend(tenant=ws_a.tenant, actor=vendor, reason="unpaid")
    # when
    response = client_for(ws_a, ws_a.users["owner"]).get("/team/")
    # then
    assert response.status_code == 403
    assert 'data-testid="suspended"' in response.content.decode()
    assert ws_a.membership("member").is_active
