"""ERP fixtures: tests run inside workspace A's schema (rolled back like every test)."""

import pytest
from django.db import connection


@pytest.fixture
def in_a(ws_a):
    connection.set_tenant(ws_a.tenant)
    yield ws_a
    connection.set_schema_to_public()
