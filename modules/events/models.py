"""The outbox: domain events written in the same transaction as the change that raised them.

Invariant: an event exists iff its transaction committed; a handler marks it handled in the transaction
that does the work, so a retry or a second delivery finds it handled and does nothing.
"""

from django.db import models
from django.utils import timezone


class OutboxEvent(models.Model):
    topic = models.CharField(max_length=60, db_index=True)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    handled_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["created_at"], condition=models.Q(handled_at__isnull=True),
                                name="outbox_pending_idx")]

    def __str__(self) -> str:
        return f"{self.topic}#{self.pk}"
