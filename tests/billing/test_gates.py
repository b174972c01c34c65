"""Entitlement gates: for every tier boundary a higher tier's feature is refused on the lower tier,
on each path separately (view, API, menu, Celery task), and again right after a downgrade."""

import pytest
from django.db import connection
from django.test import override_settings

from billing.entitlements import entitlements_for, task_feature_required
from billing.errors import BillingError
from billing.services import subscription_change_plan
from saas_platform.navigation import NAV_ITEMS, NavItem
from tests.conftest import client_for

# (lower tier, higher tier, a feature the higher tier adds)
BOUNDARIES = [
    ("starter", "growth", "crm.tickets"),
    ("growth", "scale", "platform.api"),
    ("scale", "enterprise", "platform.audit_export"),
]


def _on_plan(ws, code):
    """Put the workspace on ``code`` (keeping three people, within every plan's seats)."""
    if ws.tenant.subscription.__class__.objects.get(tenant=ws.tenant).plan.code == code:
        return
    subscription_change_plan(tenant=ws.tenant, plan_code=code, actor=ws.users["owner"],
                             keep_member_ids=[ws.membership("owner").pk, ws.membership("admin").pk,
                                              ws.membership("manager").pk])


@pytest.fixture
def gated_urls():
    with override_settings(ROOT_URLCONF="tests.billing.gate_urls"):
        yield


@pytest.fixture
def gated_nav():
    items = [NavItem(key=f"gate-{feature}", label=feature, url_name=f"gated_{feature}", icon="list", feature=feature)
             for _lower, _higher, feature in BOUNDARIES]
    NAV_ITEMS.extend(items)
    yield
    for item in items:
        NAV_ITEMS.remove(item)


@task_feature_required("crm.tickets")
def _tickets_task():
    return "ran"


@task_feature_required("platform.api")
def _api_task():
    return "ran"


@task_feature_required("platform.audit_export")
def _audit_task():
    return "ran"


TASKS = {"crm.tickets": _tickets_task, "platform.api": _api_task, "platform.audit_export": _audit_task}


@pytest.mark.parametrize(("lower", "higher", "feature"), BOUNDARIES)
def test_view_is_an_upgrade_page_below_and_open_above(ws_a, gated_urls, lower, higher, feature):
    # given
    client = client_for(ws_a, ws_a.users["owner"])
    # when
    _on_plan(ws_a, lower)
    refused = client.get(f"/gated/{feature}/")
    _on_plan(ws_a, higher)
    allowed = client.get(f"/gated/{feature}/")
    # then
    assert refused.status_code == 402
    assert 'data-testid="upgrade"' in refused.content.decode()
    assert f'href="/billing/change/{higher}/"' in refused.content.decode()
    assert allowed.status_code == 200


@pytest.mark.parametrize(("lower", "higher", "feature"), BOUNDARIES)
def test_api_answers_402_with_a_stable_code_below(ws_a, gated_urls, lower, higher, feature):
    # given
    client = client_for(ws_a, ws_a.users["owner"])
    # when
    _on_plan(ws_a, lower)
    refused = client.get(f"/api/gated/{feature}/")
    _on_plan(ws_a, higher)
    allowed = client.get(f"/api/gated/{feature}/")
    # then
    assert refused.status_code == 402
    assert refused.json()["error"]["code"] == "feature_not_in_plan"
    assert refused.json()["error"]["required_plan"] == higher
    assert allowed.json() == {"inside": feature}


@pytest.mark.parametrize(("lower", "higher", "feature"), BOUNDARIES)
def test_menu_shows_a_lock_that_leads_to_the_upgrade_page(ws_a, gated_urls, gated_nav, lower, higher, feature):
    # given
    client = client_for(ws_a, ws_a.users["owner"])
    # when
    _on_plan(ws_a, lower)
    locked_page = client.get("/").content.decode()
    _on_plan(ws_a, higher)
    open_page = client.get("/").content.decode()
    # then
    assert f'data-locked="gate-{feature}"' in locked_page
    assert f'href="/upgrade/{feature}/"' in locked_page
    assert f'data-locked="gate-{feature}"' not in open_page
    assert f'href="/gated/{feature}/"' in open_page


@pytest.mark.parametrize(("lower", "higher", "feature"), BOUNDARIES)
def test_task_refuses_below_and_runs_above(ws_a, lower, higher, feature):
    # given: tasks run in their workspace's schema (tenant-schemas-celery sets it)
    connection.set_tenant(ws_a.tenant)
    # when
    _on_plan(ws_a, lower)
    with pytest.raises(BillingError) as refused:
        TASKS[feature]()
    _on_plan(ws_a, higher)
    result = TASKS[feature]()
    # then
    assert refused.value.code == "feature_not_in_plan"
    assert result == "ran"


def test_downgrade_locks_every_path_at_once_and_keeps_the_data(ws_a, django_capture_on_commit_callbacks):
    # given: on Enterprise the audit log exports on every path
    from modules.audit.tasks import audit_export_send

    client = client_for(ws_a, ws_a.users["owner"])
    _on_plan(ws_a, "enterprise")
    assert client.get("/audit/export.csv").status_code == 200
    assert client.get("/api/v1/audit-log/").status_code == 200
    # when
    _on_plan(ws_a, "scale")
    # then
    page, api, csv = client.get("/audit/"), client.get("/api/v1/audit-log/"), client.get("/audit/export.csv")
    menu = client.get("/").content.decode()
    connection.set_tenant(ws_a.tenant)
    with pytest.raises(BillingError):
        audit_export_send.run(email="owner@alpha.test")
    assert (page.status_code, api.status_code, csv.status_code) == (402, 402, 402)
    assert 'data-locked="audit"' in menu
    from modules.audit.models import AuditEntry

    assert AuditEntry.objects.exists()  # nothing was deleted


def test_entitlements_are_cached_and_dropped_on_change(ws_a, django_assert_num_queries):
    # given
    entitlements_for(ws_a.tenant)
    # when / then: a cached answer costs no query
    with django_assert_num_queries(0):
        assert entitlements_for(ws_a.tenant).plan_code == "growth"
    _on_plan(ws_a, "scale")
    assert entitlements_for(ws_a.tenant).plan_code == "scale"


def test_vendor_edit_of_a_plan_applies_at_once(ws_a):
    # given: vendor staff add the API to Growth
    from billing.models import Plan
    from billing.services import plan_update
    from tests.factories import UserFactory

    plan = Plan.objects.get(code="growth")
    assert not entitlements_for(ws_a.tenant).allows("platform.api")
    # when
    plan_update(plan=plan, fields={}, features=[*plan.features, "platform.api"], limits=plan.limits,
                actor=UserFactory(is_staff=True))
    # then
    assert entitlements_for(ws_a.tenant).allows("platform.api")


@pytest.mark.parametrize(("lower", "higher", "feature"), BOUNDARIES)
def test_templates_ask_the_same_question(ws_a, lower, higher, feature):
    # given
    from django.template import Context, Template

    template = Template('{% load entitlements %}{% if tenant|has_feature:feature %}on{% else %}off{% endif %}')
    # when
    _on_plan(ws_a, lower)
    below = template.render(Context({"tenant": ws_a.tenant, "feature": feature}))
    _on_plan(ws_a, higher)
    above = template.render(Context({"tenant": ws_a.tenant, "feature": feature}))
    # then
    assert (below, above) == ("off", "on")


def test_card_subscription_changes_tier_with_proration(ws_a, fake, stripe_prices):
    # given: A pays Growth by card
    from billing.models import Subscription

    fake.add_subscription(id="sub_pr", customer="cus_pr", price_id="price_growth_m")
    Subscription.objects.filter(tenant=ws_a.tenant).update(provider="stripe", stripe_customer_id="cus_pr",
                                                          stripe_subscription_id="sub_pr")
    client = client_for(ws_a, ws_a.users["owner"])
    # when
    response = client.post("/billing/change/scale/", {"action": "card", "period": "month"})
    # then
    change = [r for r in fake.requests if r.method == "POST" and r.path == "/v1/subscriptions/sub_pr"][-1]
    assert response.status_code == 302
    assert change.params["proration_behavior"] == "create_prorations"
    assert change.params["items"][0]["price"] == "price_scale_m"
    assert change.idempotency_key
    assert fake.subscriptions["sub_pr"]["items"]["data"][0]["price"]["id"] == "price_scale_m"
    assert Subscription.objects.get(tenant=ws_a.tenant).plan.code == "scale"


def test_without_stripe_keys_the_ui_offers_bank_transfer_only(ws_a, settings):
    settings.STRIPE_SECRET_KEY = ""
    page = client_for(ws_a, ws_a.users["owner"]).get("/billing/change/scale/").content.decode()
    assert 'value="bank"' in page
    assert 'value="card"' not in page
