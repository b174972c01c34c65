"""CRM fixtures: tests run inside workspace A's schema (rolled back like every test)."""

import pytest
from django.db import connection


@pytest.fixture
def in_a(ws_a):
    """Run the test's ORM calls in A's schema."""
    connection.set_tenant(ws_a.tenant)
    yield ws_a
    connection.set_schema_to_public()


@pytest.fixture
def in_b(ws_b):
    connection.set_tenant(ws_b.tenant)
    yield ws_b
    connection.set_schema_to_public()
