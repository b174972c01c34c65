"""Invitations: single use, expiry, wrong email, existing members, new and existing users."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from tenants.errors import TenantError
from tenants.models import Invitation, Membership
from tenants.services import invitation_accept, invitation_create, membership_leave, membership_remove
from tests.conftest import client_for
from tests.factories import PASSWORD, InvitationFactory, UserFactory


def _invite(ws, email="new.person@x.test", role="member"):
    return invitation_create(tenant=ws.tenant, email=email, role=role, actor=ws.users["owner"], actor_role="owner")


def test_owner_invites_by_email_with_a_single_use_link(ws_a, django_capture_on_commit_callbacks):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        invitation = _invite(ws_a)
    # then
    assert len(mail.outbox) == 1
    assert f"alpha.localhost/invitations/{invitation.token}/" in mail.outbox[0].body


def test_new_user_creates_account_and_joins(ws_a):
    # given
    invitation = _invite(ws_a, email="fresh@x.test", role="manager")
    client = client_for(ws_a)
    # when
    response = client.post(f"/invitations/{invitation.token}/", {"password1": PASSWORD, "password2": PASSWORD})
    # then
    assert response.status_code == 302
    membership = Membership.objects.get(tenant=ws_a.tenant, user__email="fresh@x.test")
    assert membership.role == "manager"
    assert client.get("/").status_code == 200


def test_new_user_with_bad_password_sees_field_errors_and_nothing_is_written(ws_a):
    # given
    invitation = _invite(ws_a, email="weak@x.test")
    # when
    response = client_for(ws_a).post(f"/invitations/{invitation.token}/", {"password1": "123", "password2": "123"})
    # then
    assert response.status_code == 400
    assert "field-error" in response.content.decode()
    assert not Membership.objects.filter(user__email="weak@x.test").exists()


def test_existing_user_is_linked(ws_a, ws_b):
    # given: B's member is invited to A
    user = ws_b.users["member"]
    invitation = _invite(ws_a, email=user.email)
    # when
    response = client_for(ws_a, user).post(f"/invitations/{invitation.token}/")
    # then
    assert response.status_code == 302
    assert Membership.objects.filter(tenant=ws_a.tenant, user=user, is_active=True).exists()


def test_expired_invitation_is_refused(ws_a):
    # given
    invitation = _invite(ws_a, email="late@x.test")
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    user = UserFactory(email="late@x.test")
    # when / then
    with pytest.raises(TenantError) as error:
        invitation_accept(token=invitation.token, user=user)
    assert error.value.code == "invitation_expired"
    assert client_for(ws_a, user).get(f"/invitations/{invitation.token}/").status_code == 410


def test_used_invitation_is_refused(ws_a):
    # given
    invitation = _invite(ws_a, email="twice@x.test")
    user = UserFactory(email="twice@x.test")
    invitation_accept(token=invitation.token, user=user)
    membership_leave(membership=Membership.objects.get(tenant=ws_a.tenant, user=user))
    # when / then
    with pytest.raises(TenantError) as error:
        invitation_accept(token=invitation.token, user=user)
    assert error.value.code == "invitation_used"


def test_invitation_for_another_email_is_refused(ws_a):
    # given
    invitation = _invite(ws_a, email="right@x.test")
    wrong = UserFactory(email="wrong@x.test")
    # when
    response = client_for(ws_a, wrong).post(f"/invitations/{invitation.token}/")
    # then
    assert response.status_code == 400
    assert not Membership.objects.filter(tenant=ws_a.tenant, user=wrong).exists()


def test_already_a_member_cannot_be_invited_or_accept_twice(ws_a):
    # given
    member = ws_a.users["member"]
    stale = InvitationFactory(tenant=ws_a.tenant, email=member.email, invited_by=ws_a.users["owner"])
    # when / then
    with pytest.raises(TenantError) as invite_error:
        _invite(ws_a, email=member.email)
    with pytest.raises(TenantError) as accept_error:
        invitation_accept(token=stale.token, user=member)
    assert invite_error.value.code == "already_member"
    assert accept_error.value.code == "already_member"


def test_admin_cannot_hand_out_owner(ws_a):
    with pytest.raises(TenantError) as error:
        invitation_create(tenant=ws_a.tenant, email="boss@x.test", role="owner", actor=ws_a.users["admin"],
                          actor_role="admin")
    assert error.value.code == "role_not_grantable"


def test_invite_form_shows_field_errors(ws_a):
    # when
    response = client_for(ws_a, ws_a.users["owner"]).post("/team/invitations/", {"email": "not-an-email",
                                                                                 "role": "member"})
    # then
    assert response.status_code == 400
    assert "field-error" in response.content.decode()


def test_last_owner_cannot_be_removed_or_leave(ws_a):
    # given
    owner = ws_a.membership("owner")
    # when / then
    with pytest.raises(TenantError) as remove_error:
        membership_remove(membership=owner, actor=ws_a.users["admin"], actor_role="owner")
    with pytest.raises(TenantError) as leave_error:
        membership_leave(membership=owner)
    assert remove_error.value.code == "last_owner"
    assert leave_error.value.code == "last_owner"


def test_owner_removes_a_member_who_keeps_the_row(ws_a):
    # given
    client = client_for(ws_a, ws_a.users["owner"])
    target = ws_a.membership("member")
    # when
    response = client.post(f"/team/members/{target.pk}/remove/")
    # then
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.is_active is False
    assert client_for(ws_a, ws_a.users["member"]).get("/").status_code == 403
