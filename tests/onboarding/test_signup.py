"""Public site: landing, pricing, signup with its address check, progress into the workspace, email
verification banner, failure and retry, double submits and rate limits."""

from __future__ import annotations

import copy
import json
import re
import threading
from urllib.parse import urlsplit

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client

from billing.models import Subscription
from onboarding.models import SignupAttempt
from saas_platform.celery import app
from tenants.models import Membership, ProvisioningJob, Tenant
from tenants.provisioning import schema_build, schema_drop
from tests.factories import UserFactory

PROCESSOR = "onboarding.context_processors.email_verification"
SIGNUP = {"company": "Công ty Sao Mai", "slug": "saomai", "email": "an@saomai.vn", "password": "Sao-Mai-2026!x"}


def _clear_signup_counters() -> None:
    client = caches["platform"]._cache.get_client(write=True)
    keys = list(client.scan_iter(match="*onboarding:*"))
    if keys:
        client.delete(*keys)


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    _clear_signup_counters()
    yield
    _clear_signup_counters()


@pytest.fixture
def eager():
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture
def banner_on(settings):
    """The email banner's context processor, as the settings line in onboarding/context_processors.py adds it."""
    templates = copy.deepcopy(settings.TEMPLATES)
    processors = templates[0]["OPTIONS"]["context_processors"]
    templates[0]["OPTIONS"]["context_processors"] = [p for p in processors if p != PROCESSOR] + [PROCESSOR]
    settings.TEMPLATES = templates


@pytest.fixture
def empty_pool(db):
    Tenant.objects.filter(status=Tenant.Status.POOLED).update(status=Tenant.Status.CLOSED)


def public(ip: str = "198.51.100.1", language: str = "en") -> Client:
    client = Client(HTTP_HOST="localhost", REMOTE_ADDR=ip)
    client.cookies["django_language"] = language
    return client


def _status(client: Client, job: ProvisioningJob) -> dict:
    return json.loads(client.get(f"/signup/jobs/{job.pk}/status/").content)


def _error_codes(response, field: str) -> list[str]:
    return [error.code for error in response.context["form"].errors.as_data().get(field, [])]


def _schemas() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace")
        return {row[0] for row in cursor.fetchall()}


def _enter_workspace(client: Client, job: ProvisioningJob) -> Client:
    """Follow the progress page's redirect: /workspaces/<slug>/open/, then the hop on the workspace host."""
    hop = urlsplit(client.get(_status(client, job)["redirect"])["Location"])
    workspace = Client(HTTP_HOST=hop.hostname)
    workspace.cookies["django_language"] = "en"
    assert workspace.get(f"{hop.path}?{hop.query}").status_code == 302
    return workspace


# --------------------------------------------------------------------------- landing and pricing


def test_landing_page_offers_to_start_free(db):
    # when
    page = public().get("/").content.decode()
    # then
    assert 'href="/signup/"' in page
    assert "Start free" in page
    assert 'href="/pricing/"' in page


def test_pricing_lists_four_plans_with_vnd_and_usd_monthly_and_yearly(db):
    # when
    response = public().get("/pricing/")
    page = response.content.decode()
    # then
    assert response.status_code == 200
    assert page.count('class="card plan"') == 4
    assert "1,490,000 ₫" in page and "14,900,000 ₫" in page  # Growth monthly, yearly
    assert "59.00 US$" in page and "590.00 US$" in page
    assert "14,900,000 ₫" in page and "149,000,000 ₫" in page  # Enterprise
    assert page.count("2 months free") == 3
    assert 'href="/signup/?plan=growth"' in page and "Start 14-day trial" in page
    assert "Everything in Growth, plus" in page and "Double-entry accounting" in page


def test_pricing_speaks_vietnamese_by_default(db):
    # when
    page = public(language="vi").get("/pricing/").content.decode()
    # then
    assert "1.490.000 ₫" in page
    assert "Kế toán kép" in page


# --------------------------------------------------------------------------- the address check


@pytest.mark.parametrize(("slug", "available", "text"), [
    ("www", "false", "This address is reserved. Please choose another."),
    ("Bad_Name", "false", "Use lower-case letters, digits and single hyphens, starting with a letter."),
    ("ab", "false", "Use 3 to 32 characters."),
    ("taken-one", "false", "This address is already taken."),
    ("sao-mai", "true", "sao-mai.localhost is available"),
])
def test_address_check_fragment(db, slug, available, text):
    # given
    ProvisioningJob.objects.create(name="Taken", slug="taken-one", owner=UserFactory())
    # when
    response = public().get("/signup/check-address/", {"slug": slug})
    fragment = response.content.decode()
    # then
    assert response.status_code == 200
    assert f'data-available="{available}"' in fragment
    assert text in fragment
    assert "<html" not in fragment


# --------------------------------------------------------------------------- field errors


@pytest.mark.parametrize(("slug", "code"), [
    ("Sao Mai!", "slug_format"),
    ("ab", "slug_length"),
    ("admin", "slug_reserved"),
    ("pool-one", "slug_reserved"),
])
def test_bad_address_is_a_field_error(db, slug, code):
    # when
    response = public().post("/signup/", {**SIGNUP, "slug": slug})
    # then
    assert response.status_code == 400
    assert _error_codes(response, "slug") == [code]
    assert not ProvisioningJob.objects.exists()
    assert not SignupAttempt.objects.exists()


def test_taken_address_is_a_field_error(ws_a):
    # when
    response = public().post("/signup/", {**SIGNUP, "slug": ws_a.tenant.schema_name})
    # then
    assert response.status_code == 400
    assert _error_codes(response, "slug") == ["slug_taken"]
    assert 'class="field-error">This address is already taken.' in response.content.decode()


def test_duplicate_email_asks_to_log_in(db):
    # given
    UserFactory(email="an@saomai.vn")
    # when
    response = public().post("/signup/", {**SIGNUP, "email": "An@SaoMai.vn"})
    # then
    assert response.status_code == 400
    assert _error_codes(response, "email") == ["email_taken"]
    assert 'data-testid="login-instead"' in response.content.decode()
    assert not ProvisioningJob.objects.exists()


def test_weak_password_fails_django_validators(db):
    # when
    response = public().post("/signup/", {**SIGNUP, "password": "saomai"})
    # then
    assert response.status_code == 400
    assert "password_too_short" in _error_codes(response, "password")


# --------------------------------------------------------------------------- the happy path


def test_signup_provisions_then_lands_in_the_workspace_on_the_picked_trial(
        db, eager, banner_on, django_capture_on_commit_callbacks, mailoutbox):
    # given
    schema_build()
    client = public()
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/signup/?plan=growth", {**SIGNUP, "plan": "growth"})
    job = ProvisioningJob.objects.get(slug="saomai")
    progress_page = client.get(response["Location"])
    status = _status(client, job)
    workspace = _enter_workspace(client, job)
    # then
    assert response["Location"] == f"/signup/jobs/{job.pk}/"
    assert progress_page.status_code == 200
    assert f'data-status-url="/signup/jobs/{job.pk}/status/"' in progress_page.content.decode()
    assert status == {"state": "done", "progress": 100, "message": "ready",
                      "redirect": "/workspaces/saomai/open/?next=/welcome/"}
    assert workspace.get("/team/").status_code == 200
    assert Membership.objects.get(user=job.owner).role == "owner"
    subscription = Subscription.objects.get(tenant__schema_name="saomai")
    assert (subscription.plan.code, subscription.status) == ("growth", "trialing")
    assert [mail.to for mail in mailoutbox] == [["an@saomai.vn"]]
    assert SignupAttempt.objects.get(email="an@saomai.vn").succeeded


def test_unverified_email_shows_a_banner_until_confirmed(db, eager, banner_on, django_capture_on_commit_callbacks,
                                                         mailoutbox):
    # given: signed up and in the workspace, address not yet confirmed
    schema_build()
    client = public()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/signup/", SIGNUP)
    workspace = _enter_workspace(client, ProvisioningJob.objects.get(slug="saomai"))
    before = workspace.get("/team/").content.decode()
    link = urlsplit(re.search(r"https?://\S+/accounts/confirm-email/\S+/", mailoutbox[0].body).group(0))
    # when: the link from the email is opened and confirmed
    confirm_page = public().get(link.path)
    confirmed = public().post(link.path)
    after = workspace.get("/team/").content.decode()
    # then
    assert 'data-testid="email-unverified-banner"' in before
    assert "an@saomai.vn" in before
    assert confirm_page.status_code == 200
    assert confirmed.status_code == 302
    assert 'data-testid="email-unverified-banner"' not in after


def test_verified_members_see_no_banner(ws_a, banner_on):
    # given
    owner = ws_a.users["owner"]
    workspace = Client(HTTP_HOST=ws_a.host)
    workspace.force_login(owner)
    # when
    page = workspace.get("/team/").content.decode()
    # then
    assert 'data-testid="email-unverified-banner"' not in page


def test_a_second_post_of_the_same_signup_returns_the_same_job(db):
    # when
    first = public().post("/signup/", SIGNUP)
    second = public().post("/signup/", SIGNUP)
    # then
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert ProvisioningJob.objects.filter(slug="saomai").count() == 1


def test_the_same_email_with_another_password_is_not_a_replay(db):
    # given
    public().post("/signup/", SIGNUP)
    # when
    response = public().post("/signup/", {**SIGNUP, "password": "Another-Pass-99"})
    # then
    assert response.status_code == 400
    assert _error_codes(response, "email") == ["email_taken"]


# --------------------------------------------------------------------------- failure and retry


def test_failed_provisioning_says_so_leaves_nothing_and_retry_works(
        empty_pool, eager, django_capture_on_commit_callbacks, monkeypatch):
    # given: building the schema breaks (the pool is empty)
    import tenants.provisioning as provisioning

    real_call_command = provisioning.call_command
    monkeypatch.setattr(provisioning, "call_command", _raise)
    client = public()
    schemas_before, tenants_before = _schemas(), Tenant.objects.count()
    # when
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/signup/", SIGNUP)
    job = ProvisioningJob.objects.get(slug="saomai")
    failed = _status(client, job)
    failed_page = client.get(f"/signup/jobs/{job.pk}/").content.decode()
    schemas_after_failure, tenants_after_failure = _schemas(), Tenant.objects.count()
    monkeypatch.setattr(provisioning, "call_command", real_call_command)
    with django_capture_on_commit_callbacks(execute=True):
        retried = client.post(f"/signup/jobs/{job.pk}/retry/")
    done = _status(client, job)
    # then
    assert failed["state"] == "failed" and "redirect" not in failed
    assert "We could not prepare your workspace" in failed_page
    assert f'action="/signup/jobs/{job.pk}/retry/"' in failed_page
    assert schemas_after_failure == schemas_before
    assert tenants_after_failure == tenants_before
    assert retried["Location"] == f"/signup/jobs/{job.pk}/"
    assert done["state"] == "done"
    assert Membership.objects.get(user=job.owner).tenant.schema_name == "saomai"
    assert "saomai" in _schemas()


def _raise(*args, **kwargs):
    raise RuntimeError("migration crashed")


# --------------------------------------------------------------------------- races


def _post_together(payloads: list[dict]) -> list:
    """POST the signups from threads released at the same moment (each thread has its own connection)."""
    barrier = threading.Barrier(len(payloads))
    responses = [None] * len(payloads)

    def post(index: int, payload: dict) -> None:
        client = public(ip=f"198.51.100.{10 + index}")
        barrier.wait()
        try:
            responses[index] = client.post("/signup/", payload)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(i, payload)) for i, payload in enumerate(payloads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return responses


@pytest.fixture
def race_cleanup(committed):
    yield
    from django.contrib.auth import get_user_model

    for tenant in Tenant.objects.filter(schema_name__in=["saomai", "hoasen"]) | Tenant.objects.filter(
            status=Tenant.Status.POOLED, name__startswith="pool_"):
        schema_drop(tenant=tenant)
    ProvisioningJob.objects.filter(slug__in=["saomai", "hoasen"]).delete()
    SignupAttempt.objects.filter(slug__in=["saomai", "hoasen"]).delete()
    get_user_model().objects.filter(email__in=["an@saomai.vn", "binh@saomai.vn"]).delete()


def test_double_submit_from_two_threads_gives_one_workspace(race_cleanup, eager):
    # given
    schema_build()
    schema_build()
    # when
    responses = _post_together([SIGNUP, SIGNUP])
    # then
    assert [r.status_code for r in responses] == [302, 302]
    assert responses[0]["Location"] == responses[1]["Location"]
    assert ProvisioningJob.objects.filter(slug="saomai").count() == 1
    assert Tenant.objects.filter(schema_name="saomai").count() == 1
    assert Membership.objects.filter(tenant__schema_name="saomai").count() == 1
    assert ProvisioningJob.objects.get(slug="saomai").state == "done"


def test_two_people_racing_for_one_address_one_gets_it(race_cleanup):
    # when
    responses = _post_together([SIGNUP, {**SIGNUP, "email": "binh@saomai.vn"}])
    # then
    assert sorted(r.status_code for r in responses) == [302, 400]
    assert ProvisioningJob.objects.filter(slug="saomai").count() == 1
    assert "This address is already taken." in "".join(r.content.decode() for r in responses)


# --------------------------------------------------------------------------- rate limits


def test_more_than_five_signups_an_hour_from_one_ip_are_refused(db):
    # when
    statuses = [
        Client(HTTP_HOST="localhost", REMOTE_ADDR="203.0.113.7").post(
            "/signup/", {**SIGNUP, "email": f"p{n}@saomai.vn", "slug": f"saomai-{n}"}).status_code
        for n in range(6)
    ]
    refused = public(ip="203.0.113.7").post("/signup/", {**SIGNUP, "email": "p9@saomai.vn", "slug": "saomai-9"})
    # then
    assert statuses == [302, 302, 302, 302, 302, 429]
    assert refused.status_code == 429
    assert 'data-testid="rate-limited"' in refused.content.decode()
    assert "Too many signups" in refused.content.decode()
    assert SignupAttempt.objects.filter(ip_address="203.0.113.7").count() == 7
    assert SignupAttempt.objects.filter(ip_address="203.0.113.7", succeeded=True).count() == 5
    assert ProvisioningJob.objects.count() == 5


def test_more_than_three_signups_an_hour_for_one_email_are_refused(db):
    # when
    statuses = [
        public(ip=f"203.0.113.{n}").post("/signup/", {**SIGNUP, "slug": f"saomai-{n}"}).status_code
        for n in range(4)
    ]
    # then
    assert statuses == [302, 400, 400, 429]
    assert ProvisioningJob.objects.count() == 1
