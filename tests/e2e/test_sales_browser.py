"""A real browser writes a quotation: the customer and the product are picked by searching without accents, the
line takes the customer's list price and shows the stock available, warns when the quantity is short, a line is
added, and the saved quotation is confirmed."""

from decimal import Decimal

import pytest

from tests.e2e.conftest import screenshot
from tests.e2e.test_shell_browser import _login

pytestmark = pytest.mark.browser
SLUG = "salese2e"


@pytest.fixture(scope="module")
def growth_workspace(workspaces, django_db_blocker):
    """A Growth workspace of its own (stock moves are append-only: its schema is dropped afterwards), with a
    product in stock, a dealers' price list and a dealer customer."""
    from django.db import connection
    from django_tenants.utils import tenant_context

    from modules.erp.catalog.models import Unit
    from modules.erp.catalog.services import price_list_create, price_list_item_set, product_create
    from modules.erp.inventory.models import Location
    from modules.erp.inventory.services import stock_opening_set
    from tenants.models import Domain, Membership, Tenant
    from tenants.provisioning import schema_build, schema_drop, tenant_provision
    from tests.crm.factories import PartyFactory
    from tests.factories import UserFactory

    with django_db_blocker.unblock():
        owner = UserFactory(email=f"owner@{SLUG}.test")
        schema_build()
        tenant, _pooled = tenant_provision(name="Nước giải khát Sài Gòn", slug=SLUG, owner=owner, plan_code="growth")
        with tenant_context(tenant):
            water = product_create(actor=owner, sku="NUOC-500", name="Nước suối 500ml",
                                   base_unit=Unit.objects.get(code="chiec"), sale_price=Decimal(5000))
            dealers = price_list_create(name="Đại lý", customer_tag="dai-ly", actor=owner)
            price_list_item_set(price_list=dealers, product=water, price=4500, actor=owner)
            price_list_item_set(price_list=dealers, product=water, price=4000, min_quantity=12, actor=owner)
            stock = Location.objects.get(warehouse__is_default=True, is_default=True)
            stock_opening_set(actor=owner, product=water, location=stock, quantity=10, unit_cost=3000)
            PartyFactory(name="Công ty Đông Á", tags=["dai-ly"], is_customer=True)
    yield {"email": owner.email}
    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        Domain.objects.filter(tenant=tenant).delete()
        Membership.objects.filter(tenant=tenant).delete()
        tenant.subscription.delete()
        schema_drop(tenant=Tenant.objects.get(pk=tenant.pk))
        owner.delete()


def test_a_quotation_is_written_with_stock_and_prices_shown_then_confirmed(growth_workspace, page, live_url):
    # given
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    base = live_url.format(host=f"{SLUG}.")
    _login(page, base, growth_workspace["email"])
    page.click("button.lang[value=en]")
    page.wait_for_load_state("networkidle")
    page.goto(f"{base}/erp/sales/new/")
    # when: the customer and the product are found without accents and picked
    page.fill("[data-testid=party-search]", "dong a")
    page.click("[data-pick]:has-text('Công ty Đông Á')")
    page.locator("#line-0 [data-testid=product-search]").fill("nuoc suoi")
    page.click("#line-0 [data-pick]:has-text('NUOC-500')")
    page.wait_for_selector("#line-0 .line-check")
    # then: the dealer's price and the stock show on the line
    assert page.input_value("#id_lines-0-unit_price") == "4500"
    assert page.locator("#line-0 .line-check").get_attribute("data-available") == "10.000"
    # when: more than is in stock, past the dealers' 12-piece break
    page.fill("#id_lines-0-quantity", "12")
    page.press("#id_lines-0-quantity", "Tab")
    page.wait_for_selector("#line-0 .line-check[data-short='1']")
    # then: a warning, and the automatic price follows the break
    assert "2 short" in page.locator("#line-0 [data-testid=line-check]").inner_text()
    page.wait_for_function("() => document.querySelector('#id_lines-0-unit_price').value === '4000'")
    # and a fourth line is added for a service written by hand
    page.click("[data-testid=add-line]")
    page.wait_for_selector("#line-3")
    assert page.input_value("#id_lines-TOTAL_FORMS") == "4"
    page.fill("#id_lines-3-description", "Delivery to the warehouse")
    page.fill("#id_lines-3-quantity", "1")
    page.fill("#id_lines-3-unit_price", "30000")
    page.wait_for_load_state("networkidle")
    screenshot(page, "sales-quotation-form")
    page.click("[data-testid=save-quotation]")
    # then: the quotation is saved with both lines, and confirmed
    page.wait_for_selector("[data-testid=order-state][data-state=quotation]")
    lines = page.locator("[data-testid=order-lines]").inner_text()
    assert "NUOC-500" in lines and "Delivery to the warehouse" in lines
    assert "85,800" in page.locator("[data-testid=order-total]").inner_text()  # (12 x 4,000 + 30,000) + 10%
    page.click("[data-testid=confirm-order]")
    page.wait_for_selector("[data-testid=order-state][data-state=confirmed]")
    assert "10" in page.locator("[data-col=reserved]").inner_text()
    screenshot(page, "sales-order-confirmed")
    assert errors == []
