"""A real browser logs into a workspace and sees the shell."""

import pytest

from tests.e2e.conftest import screenshot
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def _login(page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def test_owner_logs_in_and_sees_the_shell(page, live_url):
    # given
    base = live_url.format(host="alpha.")
    # when
    _login(page, base, "owner@alpha.test")
    # then: Vietnamese by default, the navigation and the dashboard
    assert page.url.rstrip("/") == base
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.locator("[data-nav=dashboard]").inner_text().strip() == "Bảng điều khiển"
    assert page.locator("[data-testid=member-count]").inner_text() == "5"
    screenshot(page, "dashboard-vi")
    # when: to the team page, then to English
    page.click("[data-nav=team]")
    page.wait_for_selector("[data-testid=members]")
    assert page.locator("[data-testid=members] tbody tr").count() == 5
    page.click("button.lang[value=en]")
    page.wait_for_load_state("networkidle")
    # then
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Invite someone" in page.content()
    screenshot(page, "team-en")


def test_outsider_cannot_get_in_through_the_browser(page, live_url):
    # given
    base = live_url.format(host="alpha.")
    # when
    _login(page, base, "owner@beta.test")
    # then
    assert page.locator("h1").inner_text() in {"No access to this workspace", "Không có quyền truy cập không gian này"}
    assert "viewer@alpha.test" not in page.content()


def test_phone_layout_folds_the_navigation(browser, live_url):
    # given
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    base = live_url.format(host="alpha.")
    _login(page, base, "member@alpha.test")
    # when
    hidden_before = not page.locator("nav.sidenav").is_visible()
    page.click("button.nav-toggle")
    # then
    assert hidden_before
    assert page.locator("nav.sidenav").is_visible()
    screenshot(page, "phone-nav")
    context.close()
