"""A real browser: create a lead, convert it, drag the deal across the board to won, see it on the dashboard."""

import pytest

from tests.e2e.conftest import screenshot
from tests.e2e.test_shell_browser import _login

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def forget_crm_rows(workspaces, django_db_blocker):
    """Set up before the browser, torn down after it: the ORM refuses to run beside its event loop."""
    yield
    from django_tenants.utils import schema_context

    from modules.crm.models import Deal, Lead
    from modules.parties.models import Party

    with django_db_blocker.unblock(), schema_context("beta"):
        Deal.objects.all().delete()
        Lead.objects.all().delete()
        Party.objects.all().delete()


def test_lead_to_won_deal_on_the_dashboard(forget_crm_rows, browser, live_url):
    # given: a screen wide enough to show every column of the board
    page = browser.new_context(viewport={"width": 1700, "height": 900}).new_page()
    base = live_url.format(host="beta.")
    _login(page, base, "owner@beta.test")
    # when: a lead comes in
    page.goto(f"{base}/crm/leads/new/")
    page.fill("input[name=name]", "Đỗ Minh Khoa")
    page.fill("input[name=company]", "Công ty Ánh Dương")
    page.fill("input[name=email]", "khoa@anhduong.vn")
    page.fill("input[name=estimated_value]", "120000000")
    page.click("form.form-grid button.btn")
    page.wait_for_selector("[data-testid=score]")
    assert "+25" in page.locator("[data-testid=score]").inner_text()
    # and is converted into a deal
    page.click("[data-testid=convert]")
    page.wait_for_selector("[data-testid=deal-value]")
    # and dragged across the board to won
    page.goto(f"{base}/crm/deals/")
    card = page.locator(".deal-card", has_text="Công ty Ánh Dương")
    for column in ("[data-testid=column-open-2]", "[data-testid=column-won-5]"):
        # the move, then the board redrawn from the server
        with page.expect_response(lambda r: r.request.method == "GET" and r.url.endswith("/crm/deals/")), \
                page.expect_response(lambda r: "/move/" in r.url and r.status == 200):
            card.drag_to(page.locator(column))
    assert "1 · 120.000.000" in page.locator("[data-testid=column-won-5] header").inner_text()
    screenshot(page, "crm-board")
    # then: won, and on the dashboard
    page.goto(f"{base}/crm/")
    assert "120.000.000" in page.locator("[data-testid=won-month]").inner_text()
    screenshot(page, "crm-dashboard")
