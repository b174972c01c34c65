"""A new visitor signs up, answers the questionnaire as a small manufacturer, accepts the recommendation
and lands in a workspace configured for manufacturing."""

import pytest

from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.browser
SLUG = "minhphat"


@pytest.fixture(scope="module")
def forget_signup(workspaces, django_db_blocker):
    """Set up before the browser, torn down after it: drops the workspace and account the test made."""
    yield
    from django.contrib.auth import get_user_model

    from tenants.models import Domain, Membership, ProvisioningJob, Tenant
    from tenants.provisioning import schema_drop

    with django_db_blocker.unblock():
        for tenant in Tenant.objects.filter(schema_name=SLUG):
            Domain.objects.filter(tenant=tenant).delete()
            Membership.objects.filter(tenant=tenant).delete()
            schema_drop(tenant=tenant)
        ProvisioningJob.objects.filter(slug=SLUG).delete()
        get_user_model().objects.filter(email="chu@minhphat.vn").delete()


def test_visitor_signs_up_and_gets_a_manufacturing_workspace(forget_signup, page, live_url):
    # given: the public site
    public = live_url.format(host="")
    page.goto(f"{public}/")
    page.click("a[href='/signup/']")
    # when: signing up
    page.fill("input[name=company]", "Cơ khí Minh Phát")
    page.fill("input[name=slug]", SLUG)
    page.fill("input[name=email]", "chu@minhphat.vn")
    page.fill("input[name=password]", "kim-loai-2026-phat")
    page.click("form button[type=submit], form button.btn")
    # the progress page hands over to the workspace, on the questionnaire
    page.wait_for_url(f"**{SLUG}.localhost*/welcome/", timeout=60_000)
    page.check("input[name=business_type][value=manufacturing]")
    page.check("input[name=characteristics][value='4.2.3']")
    page.check("input[name=stage][value=startup]")
    page.fill("input[name=headcount]", "3")
    page.check("input[name=pains][value='3.erp.3']")
    page.click("[data-testid=questionnaire-submit]")
    page.wait_for_selector("[data-testid=recommendation]")
    screenshot(page, "onboarding-recommendation")
    # then: ERP first, Growth recommended, the seed's rule cited
    assert page.locator("input[name=tier][value=growth]").is_checked()
    assert "4.2" in page.locator("[data-testid=reasons]").inner_text()
    page.click("[data-testid=accept]")
    page.wait_for_url(f"**{SLUG}.localhost*/")
    # and the workspace is configured for manufacturing
    page.goto(page.url.rstrip("/") + "/crm/deals/")
    assert "Yêu cầu báo giá" in page.content()
    screenshot(page, "onboarding-manufacturing-board")
