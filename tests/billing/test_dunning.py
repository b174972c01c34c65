"""The whole dunning timeline, and the trial's, on a frozen clock."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from billing.dunning import dunning_run
from billing.models import Subscription
from billing.services import payment_order_confirm, payment_order_create, trial_start
from tenants.models import Tenant
from tests.conftest import client_for

START = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


def _run_at(moment, django_capture_on_commit_callbacks):
    with time_machine.travel(moment, tick=False), django_capture_on_commit_callbacks(execute=True):
        return dunning_run()


def _subscription(ws):
    return Subscription.objects.select_related("tenant").get(tenant=ws.tenant)


@pytest.fixture
def paid_by_bank(ws_a):
    """Workspace A paid one month of Scale by bank transfer on START."""
    with time_machine.travel(START, tick=False):
        order = payment_order_create(tenant=ws_a.tenant, plan_code="scale", period="month", actor=ws_a.users["owner"])
        payment_order_confirm(order=order)
    return _subscription(ws_a).current_period_end


def test_bank_renewal_timeline(ws_a, paid_by_bank, django_capture_on_commit_callbacks):
    end = paid_by_bank
    owner = client_for(ws_a, ws_a.users["owner"])
    # 7 days before the end: a reminder; run twice, still one
    reminded = _run_at(end - timedelta(days=6, hours=23), django_capture_on_commit_callbacks)
    _run_at(end - timedelta(days=6, hours=22), django_capture_on_commit_callbacks)
    assert reminded["renewal_reminded"] == 1
    assert len(mail.outbox) == 1
    # 1 day before: the last reminder
    _run_at(end - timedelta(hours=20), django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2
    # the period ends unpaid: past_due, with a banner and full access during the grace period
    _run_at(end + timedelta(hours=1), django_capture_on_commit_callbacks)
    assert _subscription(ws_a).status == "past_due"
    with time_machine.travel(end + timedelta(days=2), tick=False):
        page = owner.get("/").content.decode()
        assert 'data-testid="billing-banner"' in page
        assert owner.post("/team/invitations/", {"email": "grace@x.test", "role": "member"}).status_code == 302
    # 7 days later: read-only; reads work, writes are refused with a clear page, billing still works
    _run_at(end + timedelta(days=7, hours=2), django_capture_on_commit_callbacks)
    assert _subscription(ws_a).status == "unpaid"
    refused = owner.post("/team/invitations/", {"email": "late@x.test", "role": "member"})
    assert refused.status_code == 402
    assert 'data-testid="read-only"' in refused.content.decode()
    assert owner.get("/team/").status_code == 200
    assert owner.post("/billing/change/scale/", {"action": "bank", "period": "month"}).status_code == 302
    # 30 days: suspended, data untouched
    _run_at(end + timedelta(days=30, hours=2), django_capture_on_commit_callbacks)
    assert Tenant.objects.get(pk=ws_a.tenant.pk).status == "suspended"
    assert owner.get("/team/").status_code == 403
    # a payment restores everything at once
    order = ws_a.tenant.payment_orders.get(status="pending")
    with time_machine.travel(end + timedelta(days=31), tick=False), django_capture_on_commit_callbacks(execute=True):
        payment_order_confirm(order=order)
    assert Tenant.objects.get(pk=ws_a.tenant.pk).status == "active"
    assert _subscription(ws_a).status == "active"
    assert owner.post("/team/invitations/", {"email": "back@x.test", "role": "member"}).status_code == 302


def test_trial_timeline_falls_back_to_starter_and_keeps_data(ws_b, django_capture_on_commit_callbacks):
    # given: B is on the free plan and starts a Scale trial
    from billing.services import subscription_change_plan

    keep = [ws_b.membership(role).pk for role in ("owner", "admin", "member")]
    with time_machine.travel(START, tick=False):
        subscription_change_plan(tenant=ws_b.tenant, plan_code="starter", actor=ws_b.users["owner"],
                                 keep_member_ids=keep)
        trial_start(tenant=ws_b.tenant, plan_code="scale", actor=ws_b.users["owner"])
    ends = _subscription(ws_b).trial_ends_at
    # when / then: three days before the end, one email
    _run_at(ends - timedelta(days=2), django_capture_on_commit_callbacks)
    _run_at(ends - timedelta(days=1), django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    assert (_subscription(ws_b).plan.code, _subscription(ws_b).status) == ("scale", "trialing")
    # the trial ends unpaid: Starter, data kept
    _run_at(ends + timedelta(minutes=5), django_capture_on_commit_callbacks)
    subscription = _subscription(ws_b)
    assert (subscription.plan.code, subscription.status) == ("starter", "active")
    assert subscription.changes.filter(note="trial ended unpaid").count() == 1
    assert ws_b.tenant.memberships.filter(is_active=True).count() == 3


def test_a_second_trial_is_refused(ws_b):
    from billing.errors import BillingError
    from billing.services import subscription_change_plan

    keep = [ws_b.membership(role).pk for role in ("owner", "admin", "member")]
    subscription_change_plan(tenant=ws_b.tenant, plan_code="starter", actor=ws_b.users["owner"], keep_member_ids=keep)
    trial_start(tenant=ws_b.tenant, plan_code="growth", actor=ws_b.users["owner"])
    subscription_change_plan(tenant=ws_b.tenant, plan_code="starter", actor=ws_b.users["owner"])
    with pytest.raises(BillingError) as error:
        trial_start(tenant=ws_b.tenant, plan_code="scale", actor=ws_b.users["owner"])
    assert error.value.code == "trial_unavailable"
