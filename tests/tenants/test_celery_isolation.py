"""A Celery task sent from workspace A runs in A's schema, on a real worker over Redis."""

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connection
from django_tenants.utils import schema_context

from modules.audit.models import AuditEntry
from modules.audit.services import audit_record
from saas_platform.celery import app


@app.task(name="tests.record_schema")
def record_schema(marker: str) -> None:
    audit_record(actor=None, action="celery.probe", detail={"marker": marker, "schema": connection.schema_name})


@pytest.fixture
def worker(committed):
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield


def _probes(schema: str, marker: str) -> list[dict]:
    with schema_context(schema):
        return [entry.detail for entry in AuditEntry.objects.filter(action="celery.probe", detail__marker=marker)]


def test_task_sent_from_a_runs_in_a_schema(workspaces, worker):
    # given
    a, b = workspaces["a"].tenant, workspaces["b"].tenant
    # when
    with schema_context(a.schema_name):
        result = record_schema.apply_async(args=["from-a"])
    with schema_context(b.schema_name):
        other = record_schema.apply_async(args=["from-b"])
    _wait_for(lambda: _probes(a.schema_name, "from-a") and _probes(b.schema_name, "from-b"))
    # then
    try:
        assert _probes(a.schema_name, "from-a") == [{"marker": "from-a", "schema": "alpha"}]
        assert _probes(b.schema_name, "from-a") == []
        assert _probes(b.schema_name, "from-b") == [{"marker": "from-b", "schema": "beta"}]
        assert result.id != other.id
    finally:
        for schema in (a.schema_name, b.schema_name):
            with schema_context(schema):
                AuditEntry.objects.filter(action="celery.probe").delete()


def _wait_for(condition, seconds: float = 15.0) -> None:
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
