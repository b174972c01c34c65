"""Per-module access: role defaults, per-membership overrides, and viewers never writing."""

import pytest

from tenants.roles import Access, module_access
from tests.conftest import client_for


@pytest.mark.parametrize(
    ("role", "expected"),
    [("owner", Access.MANAGE), ("admin", Access.MANAGE), ("manager", Access.VIEW), ("member", Access.VIEW),
     ("viewer", Access.VIEW)],
)
def test_team_module_defaults(role, expected):
    assert module_access(role=role, module="team") == expected


def test_viewer_override_never_grants_writes():
    assert module_access(role="viewer", module="team", overrides={"team": Access.MANAGE}) == Access.VIEW


def test_unknown_module_is_no_access():
    assert module_access(role="owner", module="no-such-module") == Access.NONE


def test_membership_override_is_applied_by_the_guard(ws_a):
    # given: this member may not even see the team
    membership = ws_a.membership("member")
    membership.module_access = {"team": int(Access.NONE)}
    membership.save()
    client = client_for(ws_a, ws_a.users["member"])
    # when
    team = client.get("/team/")
    dashboard = client.get("/").content.decode()
    # then
    assert team.status_code == 403
    assert 'data-nav="team"' not in dashboard


def test_membership_override_can_grant_more(ws_a):
    # given
    membership = ws_a.membership("manager")
    membership.module_access = {"team": int(Access.MANAGE)}
    membership.save()
    # when
    response = client_for(ws_a, ws_a.users["manager"]).post("/team/invitations/", {"email": "z@x.test",
                                                                                   "role": "member"})
    # then
    assert response.status_code == 302
