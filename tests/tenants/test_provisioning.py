"""Provisioning from the warm pool: same schema as a migrated one, atomic, race-free."""

import threading

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from tenants.errors import TenantError
from tenants.models import Domain, Membership, Tenant
from tenants.provisioning import POOL_PREFIX, pool_fill, schema_build, schema_drop, tenant_provision
from tests.factories import UserFactory

STRUCTURE_QUERIES = {
    "columns": """
        SELECT table_name, column_name, data_type, is_nullable, coalesce(column_default, ''),
               coalesce(character_maximum_length, 0), coalesce(numeric_precision, 0)
        FROM information_schema.columns WHERE table_schema = %(s)s ORDER BY 1, 2""",
    "constraints": """
        SELECT cl.relname, co.conname, co.contype, pg_get_constraintdef(co.oid, true)
        FROM pg_constraint co JOIN pg_class cl ON cl.oid = co.conrelid
        JOIN pg_namespace n ON n.oid = cl.relnamespace WHERE n.nspname = %(s)s ORDER BY 1, 2""",
    "indexes": """
        SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = %(s)s ORDER BY 1, 2""",
    "sequences": """
        SELECT sequence_name, data_type, start_value, increment FROM information_schema.sequences
        WHERE sequence_schema = %(s)s ORDER BY 1""",
    "tables": """
        SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = %(s)s ORDER BY 1""",
}


def _structure(schema: str) -> dict[str, list[tuple]]:
    """The schema's shape, with its own name taken out so that two schemas compare equal."""
    shape = {}
    with connection.cursor() as cursor:
        for part, sql in STRUCTURE_QUERIES.items():
            cursor.execute(sql, {"s": schema})
            shape[part] = [tuple(str(v).replace(f"{schema}.", "<schema>.") for v in row) for row in cursor.fetchall()]
        cursor.execute(f'SELECT app, name FROM "{schema}".django_migrations ORDER BY app, name')
        shape["migrations"] = cursor.fetchall()
    return shape


@pytest.mark.django_db
def test_workspace_from_pool_matches_a_freshly_migrated_schema():
    # given: one schema made by the pool and renamed, one migrated in place right now
    owner = UserFactory()
    schema_build()
    claimed, from_pool = tenant_provision(name="Gamma", slug="gamma", owner=owner)
    fresh = schema_build(status=Tenant.Status.PROVISIONING)
    # when
    pooled_shape, fresh_shape = _structure(claimed.schema_name), _structure(fresh.schema_name)
    # then
    assert from_pool is True
    for part in STRUCTURE_QUERIES:
        assert pooled_shape[part] == fresh_shape[part], part
    assert pooled_shape["migrations"] == fresh_shape["migrations"]
    assert len(pooled_shape["tables"]) >= 3
    assert len(pooled_shape["migrations"]) >= 2


@pytest.mark.django_db
def test_claim_is_a_rename_without_migrations():
    # given
    owner = UserFactory()
    schema_build()
    # when
    with CaptureQueriesContext(connection) as queries:
        tenant, from_pool = tenant_provision(name="Delta", slug="delta", owner=owner)
    # then
    statements = " ".join(query["sql"] for query in queries.captured_queries)
    assert from_pool is True
    assert 'ALTER SCHEMA "pool_' in statements
    assert "CREATE TABLE" not in statements
    assert len(queries.captured_queries) < 25  # a constant: rows for tenant, domain, owner, subscription
    assert Domain.objects.get(tenant=tenant).domain == "delta.localhost"
    assert Membership.objects.get(tenant=tenant).role == "owner"
    assert tenant.subscription.plan.code == "starter"


@pytest.mark.django_db
def test_renamed_schema_works_at_once_and_sequences_follow():
    # given
    from django_tenants.utils import schema_context

    from modules.audit.models import AuditEntry

    owner = UserFactory()
    schema_build()
    tenant, _ = tenant_provision(name="Eps", slug="eps", owner=owner)
    # when
    with schema_context(tenant.schema_name):
        first = AuditEntry.objects.create(action="probe")
        second = AuditEntry.objects.create(action="probe")
    # then
    assert second.pk == first.pk + 1


@pytest.mark.django_db
def test_empty_pool_falls_back_to_building_with_progress():
    # given
    owner = UserFactory()
    Tenant.objects.filter(status=Tenant.Status.POOLED).update(status=Tenant.Status.CLOSED)
    seen = []
    # when
    tenant, from_pool = tenant_provision(name="Zeta", slug="zeta", owner=owner,
                                         on_progress=lambda percent, message: seen.append(percent))
    # then
    assert from_pool is False
    assert tenant.status == Tenant.Status.ACTIVE
    assert seen[-1] == 100
    assert seen == sorted(seen)
    assert len(set(seen)) > 10  # the bar moves with each migration, not in one jump


@pytest.mark.django_db
def test_failure_while_claiming_leaves_the_pool_entry_untouched():
    # given: the slug is taken, so the claim fails after the rename
    owner = UserFactory()
    pooled = schema_build()
    Tenant.objects.create(schema_name="taken", name="Taken", status=Tenant.Status.CLOSED)
    # when
    with pytest.raises(TenantError) as error:
        tenant_provision(name="X", slug="taken", owner=owner)
    # then
    pooled.refresh_from_db()
    assert error.value.code == "slug_taken"
    assert pooled.status == Tenant.Status.POOLED
    assert pooled.schema_name.startswith(POOL_PREFIX)
    assert _schema_exists(pooled.schema_name)
    assert not Membership.objects.filter(user=owner).exists()


@pytest.mark.django_db
def test_failure_while_building_leaves_no_schema_or_row(monkeypatch):
    # given: migrations break half-way
    import tenants.provisioning as provisioning

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(provisioning, "call_command", broken)
    before = set(Tenant.objects.values_list("schema_name", flat=True))
    # when
    with pytest.raises(RuntimeError):
        schema_build()
    # then
    after = set(Tenant.objects.values_list("schema_name", flat=True))
    assert after == before
    assert _pool_schemas() == {name for name in before if name.startswith(POOL_PREFIX)}


def _schema_exists(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [name])
        return cursor.fetchone() is not None


def _pool_schemas() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'pool\\_%%'")
        return {row[0] for row in cursor.fetchall()}


def _provision_in_threads(slugs: list[str], owner) -> tuple[list, list]:
    results, errors = [], []
    barrier = threading.Barrier(len(slugs))

    def run(slug):
        try:
            barrier.wait()
            results.append(tenant_provision(name=slug, slug=slug, owner=owner))
        except TenantError as error:
            errors.append(error.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(slug,)) for slug in slugs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


@pytest.fixture
def race(committed):
    """Committed state for the races; everything made here is dropped afterwards."""
    owner = UserFactory(email="racer@x.test")
    made_before = set(Tenant.objects.values_list("pk", flat=True))
    yield owner
    for tenant in Tenant.objects.exclude(pk__in=made_before):
        Domain.objects.filter(tenant=tenant).delete()
        Membership.objects.filter(tenant=tenant).delete()
        schema_drop(tenant=tenant)
    owner.delete()


def test_concurrent_claims_never_share_a_schema(race):
    # given
    pool_fill(target=4)
    slugs = ["race1", "race2", "race3", "race4"]
    # when
    results, errors = _provision_in_threads(slugs, race)
    # then
    schemas = sorted(tenant.schema_name for tenant, _ in results)
    assert errors == []
    assert schemas == slugs
    assert all(from_pool for _, from_pool in results)
    assert Tenant.objects.filter(schema_name__in=slugs, status="active").count() == 4


def test_two_signups_for_one_address_give_one_workspace(race):
    # given
    pool_fill(target=2)
    # when
    results, errors = _provision_in_threads(["same", "same"], race)
    # then
    assert len(results) == 1
    assert errors == ["slug_taken"]
    assert Tenant.objects.filter(status=Tenant.Status.POOLED).count() == 1
