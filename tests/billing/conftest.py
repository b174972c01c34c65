"""Billing fixtures: Stripe faked at the HTTP boundary, and a committed workspace of its own."""

from __future__ import annotations

import pytest
import stripe
from django.db import connection

from billing import stripe_gateway
from billing.models import Plan
from saas_platform.celery import app
from tenants.models import Domain, Membership, Tenant
from tenants.provisioning import schema_build, schema_drop, tenant_provision
from tests.billing.stripe_fake import FakeStripe
from tests.conftest import Workspace
from tests.factories import UserFactory

WEBHOOK_SECRET = "whsec_test"
PRICES = {"growth": ("price_growth_m", "price_growth_y"), "scale": ("price_scale_m", "price_scale_y"),
          "enterprise": ("price_ent_m", "price_ent_y")}


class _NoNetwork(stripe.HTTPClient):
    name = "no_network"

    def request(self, method, url, headers, post_data=None, *, _usage=None):
        raise AssertionError(f"a Stripe call bypassed the fake: {method.upper()} {url}")

    def close(self):
        return None


@pytest.fixture
def fake(settings, monkeypatch) -> FakeStripe:
    settings.STRIPE_SECRET_KEY = "sk_test_x"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    fake = FakeStripe(currency="vnd")
    monkeypatch.setattr(stripe_gateway, "_http_client", lambda: fake)
    # Whatever skips the fake gets the SDK's own transport: a StripeClient built without http_client
    # calls this factory, the module-level API uses the global. Both fail here instead of going out.
    monkeypatch.setattr("stripe._stripe_client.new_default_http_client", lambda *args, **kwargs: _NoNetwork())
    monkeypatch.setattr(stripe, "default_http_client", _NoNetwork())
    return fake


@pytest.fixture
def stripe_prices(fake):
    """Stripe price ids on the paid plans, and those prices known to the fake."""
    originals = {}
    for code, (monthly, yearly) in PRICES.items():
        plan = Plan.objects.get(code=code)
        originals[code] = (plan.stripe_price_month, plan.stripe_price_year)
        Plan.objects.filter(pk=plan.pk).update(stripe_price_month=monthly, stripe_price_year=yearly)
        fake.add_price(id=monthly, unit_amount=int(plan.price_vnd_month), currency="vnd")
        fake.add_price(id=yearly, unit_amount=int(plan.price_vnd_year), currency="vnd", interval="year")
    yield PRICES
    for code, (monthly, yearly) in originals.items():
        Plan.objects.filter(code=code).update(stripe_price_month=monthly, stripe_price_year=yearly)


@pytest.fixture
def eager():
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture
def own_workspace(committed):
    """A committed workspace (Starter) for tests with real commits and threads; dropped afterwards."""
    owner = UserFactory()
    schema_build()
    tenant, _ = tenant_provision(name="Committed Co", slug=f"c{owner.pk}x", owner=owner)
    yield Workspace(tenant=tenant, users={"owner": owner})
    connection.set_schema_to_public()
    from billing.models import BankTransaction, Payment, PaymentOrder, StripeEvent

    StripeEvent.objects.all().delete()
    BankTransaction.objects.filter(order__tenant=tenant).delete()
    BankTransaction.objects.filter(order__isnull=True).delete()
    Payment.objects.filter(tenant=tenant).delete()
    PaymentOrder.objects.filter(tenant=tenant).delete()
    Domain.objects.filter(tenant=tenant).delete()
    Membership.objects.filter(tenant=tenant).delete()
    tenant.subscription.delete()
    schema_drop(tenant=Tenant.objects.get(pk=tenant.pk))
    owner.delete()
