"""A real browser on a Scale workspace: product lines on a deal, the deal won, its quotation appearing on the deal
page, then confirmed, delivered, and shown as delivered on the deal."""

import re
from decimal import Decimal

import pytest

from tests.e2e.conftest import screenshot
from tests.e2e.test_shell_browser import _login

pytestmark = pytest.mark.browser
SLUG = "flowe2e"


@pytest.fixture(scope="module")
def scale_workspace(workspaces, django_db_blocker):
    """A Scale workspace of its own (stock moves are append-only: its schema is dropped afterwards, not cleaned),
    with a product in stock and an open deal. Built before the browser starts, dropped after it."""
    from django.db import connection
    from django_tenants.utils import tenant_context

    from modules.crm.services.deals import deal_create
    from modules.erp.catalog.models import Unit
    from modules.erp.catalog.services import product_create
    from modules.erp.inventory.models import Location
    from modules.erp.inventory.services import stock_opening_set
    from tenants.models import Domain, Membership, Tenant
    from tenants.provisioning import schema_build, schema_drop, tenant_provision
    from tests.crm.factories import PartyFactory
    from tests.factories import UserFactory

    with django_db_blocker.unblock():
        owner = UserFactory(email=f"owner@{SLUG}.test")
        schema_build()
        tenant, _pooled = tenant_provision(name="Nội thất Phương Nam", slug=SLUG, owner=owner, plan_code="scale")
        with tenant_context(tenant):
            table = product_create(actor=owner, sku="BAN-SOI-01", name="Bàn gỗ sồi",
                                   base_unit=Unit.objects.get(code="chiec"), sale_price=Decimal(2_500_000))
            stock = Location.objects.get(warehouse__is_default=True, is_default=True)
            stock_opening_set(actor=owner, product=table, location=stock, quantity=10, unit_cost=1_500_000)
            deal = deal_create(actor=owner, party=PartyFactory(name="Công ty Phương Nam"),
                               title="Bàn họp Phương Nam")
    yield {"deal_id": deal.pk, "email": owner.email}
    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        Domain.objects.filter(tenant=tenant).delete()
        Membership.objects.filter(tenant=tenant).delete()
        tenant.subscription.delete()
        schema_drop(tenant=Tenant.objects.get(pk=tenant.pk))
        owner.delete()


def test_a_won_deal_becomes_an_order_that_is_confirmed_and_delivered(scale_workspace, page, live_url):
    # given: the deal page, in English
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    base = live_url.format(host=f"{SLUG}.")
    _login(page, base, scale_workspace["email"])
    page.click("button.lang[value=en]")
    page.wait_for_load_state("networkidle")
    deal_url = f"{base}/crm/deals/{scale_workspace['deal_id']}/"
    page.goto(deal_url)
    # when: a product picked by its SKU fills its name and price; a service line is described by hand
    page.fill("input[name=lines-0-product]", "BAN-SOI-01")
    page.press("input[name=lines-0-product]", "Tab")
    page.wait_for_function("() => document.querySelector('input[name=lines-0-description]').value === 'Bàn gỗ sồi'")
    assert page.input_value("input[name=lines-0-unit_price]") == "2500000"
    page.fill("input[name=lines-0-quantity]", "3")
    page.fill("input[name=lines-1-description]", "Lắp đặt tại văn phòng")
    page.fill("input[name=lines-1-unit_price]", "400000")
    page.click("[data-testid=lines] button.btn")
    page.wait_for_load_state("networkidle")
    assert "7,900,000" in page.locator("[data-testid=deal-value]").inner_text().replace(".", ",")
    screenshot(page, "deal-product-lines")
    # and the deal is won
    page.click("[data-testid=mark-won]")
    # then: its quotation appears on the deal page, carrying the deal's lines
    state = page.locator("[data-testid=deal-order-state]")
    state.wait_for()
    assert state.get_attribute("data-state") == "quotation"
    screenshot(page, "deal-order-quotation")
    page.click("[data-testid=deal-order-link]")
    page.wait_for_selector("[data-testid=order-lines]")
    lines = page.locator("[data-testid=order-lines]").inner_text()
    assert "BAN-SOI-01" in lines and "Lắp đặt tại văn phòng" in lines
    assert page.locator("[data-testid=order-state]").get_attribute("data-state") == "quotation"
    # when: confirmed
    page.click("[data-testid=confirm-order]")
    page.wait_for_selector("[data-testid=order-state][data-state=confirmed]")
    # and its delivery validated in full
    page.click("[data-testid=order-pickings] a")
    page.wait_for_selector("[data-testid=picking-validate-button]")
    page.click("[data-testid=picking-validate-button]")
    page.wait_for_selector("[data-testid=picking-moves]")
    assert "Done" in page.locator("[data-testid=picking-state]").inner_text()
    # then: the order is delivered
    page.go_back()
    page.go_back()
    page.reload()
    order_state = page.locator("[data-testid=order-state]")
    assert order_state.get_attribute("data-state") == "done" and order_state.inner_text() == "Delivered"
    screenshot(page, "deal-order-delivered")
    # and so says the deal page
    page.goto(deal_url)
    assert page.locator("[data-testid=deal-order-state]").inner_text() == "Delivered"
    assert re.search(r"3 of 3 \(100%\)", page.locator("[data-testid=deal-order-delivered]").inner_text())
    screenshot(page, "deal-order-done")
    assert errors == []
