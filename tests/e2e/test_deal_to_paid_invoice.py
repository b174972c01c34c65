"""A real browser on a Scale workspace keeping its books (Circular 99): a deal with product lines is won, its
quotation appears on the deal page, is confirmed and delivered; the order is invoiced, the invoice posted and paid
in full from its page. The invoice then says "Paid", its journal entry shows 131 / 511 / 33311 and the payment's
shows 112 / 131."""

from decimal import Decimal

import pytest

from tests.e2e.conftest import screenshot
from tests.e2e.test_shell_browser import _login

pytestmark = pytest.mark.browser
SLUG = "paide2e"


@pytest.fixture(scope="module")
def books_workspace(workspaces, django_db_blocker):
    """A Scale workspace of its own with its books set up, a product in stock and an open deal with two units of
    it (stock moves and journal entries are append-only: the schema is dropped afterwards, not cleaned)."""
    from django.db import connection
    from django_tenants.utils import tenant_context

    from modules.crm.services.deals import deal_create
    from modules.erp.accounting.services.setup import accounting_enable
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
            table = product_create(actor=owner, sku="BAN-SOI-01", name="Bàn gỗ sồi", vat_code="10",
                                   base_unit=Unit.objects.get(code="chiec"), sale_price=Decimal(2_500_000))
            stock = Location.objects.get(warehouse__is_default=True, is_default=True)
            stock_opening_set(actor=owner, product=table, location=stock, quantity=10, unit_cost=1_500_000)
            accounting_enable(actor=owner, chart="tt99")
            deal = deal_create(actor=owner, party=PartyFactory(name="Công ty Phương Nam"), title="Bàn họp Phương Nam",
                               currency="VND", lines=[{"product": table, "quantity": 2}])
    yield {"deal_id": deal.pk, "email": owner.email}
    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        Domain.objects.filter(tenant=tenant).delete()
        Membership.objects.filter(tenant=tenant).delete()
        tenant.subscription.delete()
        schema_drop(tenant=Tenant.objects.get(pk=tenant.pk))
        owner.delete()


def _entry_rows(page, section: str, attribute: str) -> dict[str, tuple[str, str]]:
    """{account code: (debit, credit)} of the entry table in ``section``, digits only."""
    rows = {}
    for row in page.locator(f"[data-testid={section}] tr[{attribute}]").all():
        cells = row.locator("td").all_inner_texts()
        digits = ["".join(ch for ch in text if ch.isdigit()) for text in cells[2:4]]
        rows[row.get_attribute(attribute)] = (digits[0], digits[1])
    return rows


def test_a_won_deal_ends_as_a_paid_invoice_with_its_entries_on_the_pages(books_workspace, page, live_url):
    # given: the deal page, in English (posting asks for a confirmation: accepted)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("dialog", lambda dialog: dialog.accept())
    base = live_url.format(host=f"{SLUG}.")
    _login(page, base, books_workspace["email"])
    page.click("button.lang[value=en]")
    page.wait_for_load_state("networkidle")
    page.goto(f"{base}/crm/deals/{books_workspace['deal_id']}/")
    # when: the deal is won, its quotation appears; it is confirmed and its delivery validated
    page.click("[data-testid=mark-won]")
    state = page.locator("[data-testid=deal-order-state]")
    state.wait_for()
    assert state.get_attribute("data-state") == "quotation"
    page.click("[data-testid=deal-order-link]")
    page.click("[data-testid=confirm-order]")
    page.wait_for_selector("[data-testid=order-state][data-state=confirmed]")
    order_url = page.url
    page.click("[data-testid=order-pickings] a")
    page.click("[data-testid=picking-validate-button]")
    page.wait_for_selector("[data-testid=picking-moves]")
    # and: the order invoiced (what was delivered), the draft posted
    page.goto(order_url)
    assert page.locator("[data-testid=order-state]").get_attribute("data-state") == "done"
    page.click("[data-testid=invoice-order] button")
    page.wait_for_selector("[data-testid=invoice-state][data-state=draft]")
    page.click("[data-testid=invoice-post]")
    page.wait_for_selector("[data-testid=invoice-state][data-state=posted]")
    invoice_url = page.url
    # then: numbered, 5,500,000 to pay, and its entry Dr 131 / Cr 511 / Cr 33311 on the page
    assert page.locator("[data-testid=invoice-number]").inner_text() == "00000001"
    assert "5,500,000" in page.locator("[data-testid=invoice-total]").inner_text().replace(".", ",")
    assert _entry_rows(page, "invoice-entry", "data-account") == {
        "131": ("5500000", ""), "511": ("", "5000000"), "33311": ("", "500000")}
    assert page.locator("[data-payment-state]").get_attribute("data-payment-state") == "not_paid"
    screenshot(page, "invoice-posted")
    # when: a payment for what is left, from the invoice's page (the form starts filled in)
    page.click("[data-testid=register-payment]")
    page.wait_for_selector("[data-testid=payment-invoice]")
    page.click("[data-testid=payment-save]")
    page.wait_for_selector("[data-testid=payment-entries]")
    # then: the payment's entry Dr 112 / Cr 131
    assert _entry_rows(page, "payment-entries", "data-line-account") == {
        "112": ("5500000", ""), "131": ("", "5500000")}
    screenshot(page, "payment-registered")
    # and: the invoice says Paid, nothing left, the payment listed beside its entry
    page.goto(invoice_url)
    payment_state = page.locator("[data-payment-state]")
    assert payment_state.get_attribute("data-payment-state") == "paid" and payment_state.inner_text() == "Paid"
    assert page.locator("[data-testid=invoice-residual]").inner_text().replace(".", ",").startswith("0")
    assert page.locator("[data-testid=invoice-payments] tr[data-payment]").count() == 1
    assert set(_entry_rows(page, "invoice-entry", "data-account")) == {"131", "511", "33311"}
    assert page.locator("[data-testid=register-payment]").count() == 0
    screenshot(page, "invoice-paid")
    assert errors == []
