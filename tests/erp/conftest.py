"""ERP fixtures: tests run inside workspace A's schema (rolled back like every test)."""

import pytest
from django.db import connection


@pytest.fixture
def in_a(ws_a):
    connection.set_tenant(ws_a.tenant)
    yield ws_a
    connection.set_schema_to_public()


@pytest.fixture
def balance_checked_per_statement(request):
    """Check the ledger's balance at each statement rather than at COMMIT, which a rolled-back test never reaches
    (tests with real commits are checked at their commits)."""
    if "committed_workspace" in request.fixturenames:
        return
    request.getfixturevalue("db")
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


@pytest.fixture
def committed_workspace(committed):
    """Build a committed workspace on a plan (``committed_workspace("scale")``) for tests with real commits and
    threads; it is dropped afterwards with everything in it (the stock ledger refuses row deletes)."""
    from billing.models import Subscription
    from tenants.models import Domain, Membership, Tenant
    from tenants.provisioning import schema_build, schema_drop, tenant_provision
    from tests.conftest import Workspace
    from tests.factories import UserFactory

    built = []

    def build(plan_code: str = "growth") -> Workspace:
        owner = UserFactory()
        schema_build()
        tenant, _ = tenant_provision(name="Committed ERP", slug=f"erp{owner.pk}x", owner=owner, plan_code=plan_code)
        built.append((tenant, owner))
        return Workspace(tenant=tenant, users={"owner": owner})

    yield build
    connection.set_schema_to_public()
    for tenant, owner in built:
        Domain.objects.filter(tenant=tenant).delete()
        Membership.objects.filter(tenant=tenant).delete()
        Subscription.objects.filter(tenant=tenant).delete()
        schema_drop(tenant=Tenant.objects.get(pk=tenant.pk))
        owner.delete()
