"""Sentry captures errors tagged with the tenant and the user id, and no personal data."""

import pytest
import sentry_sdk
from sentry_sdk.transport import Transport

from saas_platform.sentry import sentry_init
from tests.conftest import client_for


class CapturingTransport(Transport):
    def __init__(self, options=None):
        super().__init__(options)
        self.events = []

    def capture_envelope(self, envelope):
        for item in envelope.items:
            if item.type == "event":
                self.events.append(item.payload.json)


@pytest.fixture
def captured():
    transport = CapturingTransport()
    sentry_init(dsn="https://key@sentry.invalid/1", environment="test", transport=transport)
    yield transport.events
    sentry_sdk.get_client().close()
    sentry_sdk.init(dsn=None)


def test_error_in_a_workspace_view_is_captured_with_tenant_and_user_id(ws_a, captured, monkeypatch):
    # given: the dashboard breaks
    from tenants import selectors

    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(selectors, "members_of", broken)
    client = client_for(ws_a, ws_a.users["owner"])
    client.raise_request_exception = False
    # when
    response = client.get("/")
    sentry_sdk.flush()
    # then
    assert response.status_code == 500
    event = captured[-1]
    assert event["tags"]["tenant"] == "alpha"
    assert event["user"] == {"id": str(ws_a.users["owner"].pk)}
    assert "owner@alpha.test" not in str(event)
    assert event["exception"]["values"][-1]["value"] == "boom"


def test_sentry_stays_off_without_a_dsn():
    assert sentry_init(dsn="", environment="test") is False
