"""The questionnaire in the workspace: answers, the recommendation page, skipping and coming back."""

from onboarding.models import OnboardingProfile
from tests.conftest import client_for

ANSWERS = {"business_type": "manufacturing", "stage": "growth", "headcount": "8", "branches": "1",
           "characteristics": ["4.2.3", "4.1.1"], "pains": ["3.erp.3", "3.crm.1"]}


def test_answers_give_a_recommendation_with_its_reasons(ws_a):
    # given
    client = client_for(ws_a, ws_a.users["owner"])
    # when
    response = client.post("/welcome/", ANSWERS)
    page = client.get("/welcome/plan/").content.decode()
    # then
    profile = OnboardingProfile.objects.get(tenant=ws_a.tenant)
    assert response.status_code == 302
    assert profile.business_type == "manufacturing"
    assert profile.answers["characteristics"] == ["4.2.3"]  # a row of another type's table is dropped
    assert profile.recommendation["tier"] == "growth"
    assert profile.recommendation["phases"][0] == ["erp_operations"]
    assert "4.2.3" in page and "3.erp.3" in page and "4.6.2" in page


def test_missing_answers_show_field_errors(ws_a):
    response = client_for(ws_a, ws_a.users["owner"]).post("/welcome/", {"headcount": "0"})
    assert response.status_code == 400
    assert response.content.decode().count("field-error") >= 3


def test_skip_and_come_back_later(ws_a):
    client = client_for(ws_a, ws_a.users["owner"])
    client.post("/welcome/skip/")
    assert OnboardingProfile.objects.get(tenant=ws_a.tenant).skipped_at is not None
    client.post("/welcome/", ANSWERS)
    assert OnboardingProfile.objects.get(tenant=ws_a.tenant).skipped_at is None


def test_only_owners_and_admins_answer(ws_a):
    assert client_for(ws_a, ws_a.users["member"]).get("/welcome/").status_code == 403
    assert client_for(ws_a, ws_a.users["admin"]).get("/welcome/").status_code == 200


def test_the_dashboard_leads_owners_back_to_the_questions_until_answered(ws_a):
    client = client_for(ws_a, ws_a.users["owner"])
    before = client.get("/").content.decode()
    client.post("/welcome/", ANSWERS)
    after = client.get("/").content.decode()
    assert 'data-testid="questionnaire-card"' in before
    assert 'data-testid="questionnaire-card"' not in after
    assert 'data-testid="questionnaire-card"' not in client_for(ws_a, ws_a.users["member"]).get("/").content.decode()


def test_opening_a_workspace_can_land_on_a_page_of_it_but_not_elsewhere(ws_a):
    # given
    public = client_for(None, ws_a.users["owner"])
    # when
    hop = public.get("/workspaces/alpha/open/?next=/welcome/")["Location"]
    evil = public.get("/workspaces/alpha/open/?next=//evil.example/")["Location"]
    landed = client_for(ws_a).get(hop.split("localhost", 1)[1].lstrip(":0123456789"))
    # then
    assert "next=/welcome/" in hop
    assert "next=" not in evil
    assert landed["Location"] == "/welcome/"


def test_accepting_starts_the_trial_and_configures_the_workspace(ws_b):
    # given: B on the free plan, answers given
    from billing.models import Subscription
    from billing.services import subscription_change_plan
    from modules.crm.models import Pipeline

    keep = [ws_b.membership(role).pk for role in ("owner", "admin", "member")]
    subscription_change_plan(tenant=ws_b.tenant, plan_code="starter", actor=ws_b.users["owner"], keep_member_ids=keep)
    client = client_for(ws_b, ws_b.users["owner"])
    client.post("/welcome/", ANSWERS)
    # when
    response = client.post("/welcome/plan/", {"tier": "growth", "sample_data": "on"})
    # then
    from django.db import connection

    subscription = Subscription.objects.get(tenant=ws_b.tenant)
    assert response.status_code == 302
    assert (subscription.plan.code, subscription.status) == ("growth", "trialing")
    connection.set_tenant(ws_b.tenant)
    assert Pipeline.objects.get(is_default=True).stages.first().name == "Yêu cầu báo giá"
    assert OnboardingProfile.objects.get(tenant=ws_b.tenant).applied_parts == [
        "crm:manufacturing", "catalog:manufacturing", "inventory:manufacturing", "accounting:manufacturing"]
