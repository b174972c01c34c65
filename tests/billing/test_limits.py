"""Limits are checked inside the transaction that would exceed them."""

import threading

import pytest
from django.db import connections

from tenants.errors import TenantError
from tenants.models import Invitation, Membership
from tenants.services import invitation_accept, invitation_create
from tests.factories import UserFactory


def test_seat_limit_refuses_the_fourth_person_on_starter(ws_a):
    # given: Starter has 3 seats; keep three people
    from billing.services import subscription_change_plan

    keep = [ws_a.membership(role).pk for role in ("owner", "admin", "manager")]
    subscription_change_plan(tenant=ws_a.tenant, plan_code="starter", actor=ws_a.users["owner"],
                             keep_member_ids=keep)
    invitation = invitation_create(tenant=ws_a.tenant, email="fourth@x.test", role="member",
                                   actor=ws_a.users["owner"], actor_role="owner")
    # when / then
    with pytest.raises(TenantError) as error:
        invitation_accept(token=invitation.token, user=UserFactory(email="fourth@x.test"))
    assert error.value.code == "seat_limit"
    assert Membership.objects.filter(tenant=ws_a.tenant, is_active=True).count() == 3


def test_downgrade_below_the_member_count_needs_the_owners_choice(ws_a):
    from billing.errors import BillingError
    from billing.services import subscription_change_plan

    with pytest.raises(BillingError) as error:
        subscription_change_plan(tenant=ws_a.tenant, plan_code="starter", actor=ws_a.users["owner"])
    assert error.value.code == "choose_members"
    assert Membership.objects.filter(tenant=ws_a.tenant, is_active=True).count() == 5


def test_downgrade_deactivates_the_others_without_deleting_them(ws_a):
    # given
    from billing.services import subscription_change_plan

    keep = [ws_a.membership(role).pk for role in ("owner", "member", "viewer")]
    # when
    subscription_change_plan(tenant=ws_a.tenant, plan_code="starter", actor=ws_a.users["owner"],
                             keep_member_ids=keep)
    # then
    assert set(Membership.objects.filter(tenant=ws_a.tenant, is_active=True).values_list("pk", flat=True)) == set(keep)
    assert Membership.objects.filter(tenant=ws_a.tenant).count() == 5


def test_two_acceptances_for_the_last_seat_give_one_member(own_workspace):
    # given: Starter (3 seats) with the owner and one member: one seat left, two invitations out
    tenant, owner = own_workspace.tenant, own_workspace.users["owner"]
    Membership.objects.create(tenant=tenant, user=UserFactory(), role="member")
    people = [UserFactory(email=f"last{n}@seat.test") for n in range(2)]
    tokens = [invitation_create(tenant=tenant, email=person.email, role="member", actor=owner,
                                actor_role="owner").token for person in people]
    barrier, errors = threading.Barrier(2), []

    def accept(token, person):
        try:
            barrier.wait()
            invitation_accept(token=token, user=person)
        except TenantError as error:
            errors.append(error.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=accept, args=pair) for pair in zip(tokens, people, strict=True)]
    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then
    try:
        assert Membership.objects.filter(tenant=tenant, is_active=True).count() == 3
        assert errors == ["seat_limit"]
    finally:
        Membership.objects.filter(tenant=tenant).exclude(user=owner).delete()
        Invitation.objects.filter(tenant=tenant).delete()
        for person in people:
            person.delete()
