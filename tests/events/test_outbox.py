"""The outbox: an event is handled once; a failing handler's work is rolled back and the failure kept for the
retry; the handlers of a topic run in registration order."""

from collections import defaultdict

import pytest
from django.db import connection, transaction

from modules.events import services
from modules.events.models import OutboxEvent
from modules.events.services import event_handler, outbox_emit, outbox_failed, outbox_handle


@pytest.fixture
def in_a(ws_a):
    connection.set_tenant(ws_a.tenant)
    yield ws_a
    connection.set_schema_to_public()


@pytest.fixture
def handlers(monkeypatch):
    """A private registry, so test topics do not leak into the real one."""
    registry = defaultdict(list)
    monkeypatch.setattr(services, "_HANDLERS", registry)
    return registry


def test_a_failing_handler_keeps_the_error_and_its_work_is_rolled_back(in_a, handlers):
    # given: a handler that writes, then fails
    @event_handler("test.fails")
    def write_then_fail(event):
        OutboxEvent.objects.create(topic="test.side_effect")
        raise ValueError("the warehouse is closed")

    event = outbox_emit(topic="test.fails", payload={"n": 1})
    # when: delivered twice, failing each time (as the Celery task records it)
    for _attempt in range(2):
        with pytest.raises(ValueError) as failure:
            outbox_handle(event_id=event.pk)
        outbox_failed(event_id=event.pk, error=failure.value)
    # then
    event.refresh_from_db()
    assert (event.attempts, event.handled_at) == (2, None)
    assert event.last_error == "ValueError('the warehouse is closed')"
    assert not OutboxEvent.objects.filter(topic="test.side_effect").exists()


def test_handlers_run_once_in_order_and_the_event_is_marked_handled(in_a, handlers):
    # given
    calls = []
    event_handler("test.ok")(lambda event: calls.append(("first", event.payload["n"])))
    event_handler("test.ok")(lambda event: calls.append(("second", event.payload["n"])))
    event = outbox_emit(topic="test.ok", payload={"n": 7})
    # when
    results = [outbox_handle(event_id=event.pk), outbox_handle(event_id=event.pk)]
    # then
    event.refresh_from_db()
    assert results == [True, False]
    assert calls == [("first", 7), ("second", 7)]
    assert event.attempts == 1 and event.handled_at is not None and event.last_error == ""


def test_an_unknown_event_and_a_topic_without_handlers_are_quiet(in_a, handlers):
    # given
    event = outbox_emit(topic="test.nobody", payload={})
    # when / then
    assert outbox_handle(event_id=event.pk + 1000) is False
    assert outbox_handle(event_id=event.pk) is True


def test_a_rolled_back_transaction_leaves_no_event_and_sends_nothing(in_a, handlers, monkeypatch,
                                                                      django_capture_on_commit_callbacks):
    # given
    sent = []
    monkeypatch.setattr(services, "_send", sent.append)
    # when
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        outbox_emit(topic="test.never", payload={})
        raise RuntimeError("rolled back")
    # then
    assert sent == [] and not OutboxEvent.objects.filter(topic="test.never").exists()
