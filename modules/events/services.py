"""Emit domain events through the outbox, and handle them once.

``outbox_emit`` writes the event in the caller's transaction and sends it to Celery after the commit; the
beat sweep sends again whatever a lost message left pending. ``outbox_handle`` locks the event row, runs the
topic's handlers and marks it handled in one transaction: a second delivery waits on the lock, then finds the
event handled and does nothing.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from modules.events.models import OutboxEvent

logger = logging.getLogger(__name__)

_HANDLERS: dict[str, list[Callable[[OutboxEvent], None]]] = defaultdict(list)


def event_handler(topic: str):
    """Register ``handler(event)`` for ``topic``; it runs inside the transaction that marks the event handled."""

    def register(handler):
        _HANDLERS[topic].append(handler)
        return handler

    return register


def outbox_emit(*, topic: str, payload: dict) -> OutboxEvent:
    event = OutboxEvent.objects.create(topic=topic, payload=payload)
    transaction.on_commit(lambda: _send(event.pk))
    return event


def _send(event_id: int) -> None:
    from modules.events.tasks import outbox_dispatch

    outbox_dispatch.delay(event_id)


def outbox_handle(*, event_id: int) -> bool:
    """Run the handlers of one event unless it was handled; True when this call handled it."""
    with transaction.atomic():
        event = OutboxEvent.objects.select_for_update().filter(pk=event_id).first()
        if event is None or event.handled_at is not None:
            return False
        for handler in _HANDLERS.get(event.topic, ()):
            handler(event)
        event.handled_at = timezone.now()
        event.attempts += 1
        event.save(update_fields=["handled_at", "attempts"])
    return True


def outbox_failed(*, event_id: int, error: BaseException) -> None:
    """Keep the last failure on the event (the handlers' work was rolled back) for the console and retries."""
    OutboxEvent.objects.filter(pk=event_id).update(attempts=F("attempts") + 1, last_error=repr(error)[:2000])


def outbox_pending(*, older_than: timedelta = timedelta(minutes=1)) -> list[int]:
    """Events still unhandled after ``older_than``: their message was lost or their handler failed."""
    cutoff = timezone.now() - older_than
    return list(OutboxEvent.objects.filter(handled_at__isnull=True, created_at__lt=cutoff, attempts__lt=20)
                .order_by("pk").values_list("pk", flat=True)[:500])
