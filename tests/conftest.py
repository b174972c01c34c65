"""Shared fixtures: two workspaces (A = "alpha", B = "beta") built once per session,
with a member of every role in each, and clients bound to a workspace's host.

Tests run inside a rolled-back transaction (pytest-django's ``db``). Tests that need real
commits (races, Celery, the browser) use ``committed`` and clean up after themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client

from billing.entitlements import _local as _local_entitlements
from tenants.models import Membership, Tenant
from tenants.provisioning import schema_build, tenant_provision
from tenants.roles import Role
from tenants.tenant_cache import tenant_host_cache_clear
from tests.factories import UserFactory

ROLES = [Role.OWNER, Role.ADMIN, Role.MANAGER, Role.MEMBER, Role.VIEWER]


@dataclass
class Workspace:
    tenant: Tenant
    users: dict[str, object] = field(default_factory=dict)

    @property
    def host(self) -> str:
        return f"{self.tenant.schema_name}.localhost"

    def membership(self, role: str) -> Membership:
        return Membership.objects.get(tenant=self.tenant, user=self.users[role])


def _workspace(slug: str) -> Workspace:
    owner = UserFactory(email=f"owner@{slug}.test")
    schema_build()  # into the pool, then claimed: the same path a signup takes
    # Growth: 15 seats, so the five roles fit; tests of other tiers change the plan themselves.
    tenant, _from_pool = tenant_provision(name=f"Workspace {slug}", slug=slug, owner=owner, plan_code="growth")
    workspace = Workspace(tenant=tenant, users={Role.OWNER: owner})
    for role in ROLES[1:]:
        user = UserFactory(email=f"{role}@{slug}.test")
        Membership.objects.create(tenant=tenant, user=user, role=role)
        workspace.users[role] = user
    return workspace


@pytest.fixture(scope="session")
def django_db_setup(django_test_environment, django_db_blocker):
    """Always build the test database, even when the selected tests only use ``committed``.

    pytest-django sets up databases only for tests marked ``django_db``; browser, Celery and
    race tests commit for real and are not, so alone they would reach the development database.
    """
    from django.test.utils import setup_databases, teardown_databases

    with django_db_blocker.unblock():
        config = setup_databases(verbosity=0, interactive=False, aliases={"default"})
    assert connection.settings_dict["NAME"].startswith("test_")
    yield
    with django_db_blocker.unblock():
        teardown_databases(config, verbosity=0)


@pytest.fixture(scope="session")
def workspaces(django_db_setup, django_db_blocker) -> dict[str, Workspace]:
    with django_db_blocker.unblock():
        built = {"a": _workspace("alpha"), "b": _workspace("beta")}
        built["outsider"] = UserFactory(email="outsider@nowhere.test")
    return built


@pytest.fixture
def ws_a(workspaces, db) -> Workspace:
    return workspaces["a"]


@pytest.fixture
def ws_b(workspaces, db) -> Workspace:
    return workspaces["b"]


@pytest.fixture(autouse=True)
def _clean_process_state():
    """A rolled-back test must not leave its tenants in the host cache or its schema on the connection."""
    yield
    connection.set_schema_to_public()
    tenant_host_cache_clear()
    _local_entitlements.clear()
    # Rolled-back plans must not survive in Redis (the rest of Redis is left alone: dev servers share it).
    client = caches["platform"]._cache.get_client(write=True)
    stale = list(client.scan_iter(match="*entitlements:*"))
    if stale:
        client.delete(*stale)


@pytest.fixture
def committed(django_db_setup, django_db_blocker):
    """Real commits (no wrapping transaction). The test cleans up what it creates."""
    with django_db_blocker.unblock():
        yield


def client_for(workspace: Workspace | None, user=None, *, lang: str | None = None) -> Client:
    """A client on the workspace's host, signed in as ``user``; ``lang`` picks the language (Vietnamese by
    default, as for every visitor)."""
    from django.conf import settings

    client = Client(HTTP_HOST=workspace.host if workspace else "localhost")
    if user is not None:
        client.force_login(user)
    if lang:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    return client
