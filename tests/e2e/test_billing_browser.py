"""A real browser: the owner picks a paid tier and gets a bank-transfer order with its VietQR code."""

import pytest

from tests.e2e.conftest import screenshot
from tests.e2e.test_shell_browser import _login

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def forget_orders(workspaces, django_db_blocker):
    """Set up before the browser, so torn down after it: the ORM refuses to run beside its event loop."""
    yield
    from billing.models import PaymentOrder

    with django_db_blocker.unblock():
        PaymentOrder.objects.filter(tenant=workspaces["b"].tenant).delete()


def test_owner_upgrades_by_bank_transfer(forget_orders, page, live_url):
    # given
    base = live_url.format(host="beta.")
    _login(page, base, "owner@beta.test")
    # when
    page.click("[data-nav=billing]")
    page.wait_for_selector("[data-testid=usage-seats]")
    screenshot(page, "billing-overview")
    page.click("[data-plan=scale] a.btn")
    page.wait_for_selector("[data-testid=quote]")
    page.click("button[value=bank]")
    page.wait_for_selector("[data-testid=payment-order]")
    # then
    assert page.locator("[data-testid=reference]").inner_text().startswith("ERP")
    assert page.locator(".qr svg path").count() == 1
    assert "4.990.000" in page.locator("[data-testid=amount]").inner_text()
    screenshot(page, "billing-order")
