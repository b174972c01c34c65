"""Support tickets with SLA timers that count business hours only.

Invariants: ``first_response_due``/``resolution_due`` are computed from the policy and business hours
when the ticket is opened (and recomputed if its priority changes); breaches are flagged once.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from modules.crm.models._base import user_fk
from modules.parties.models import Party


class TicketCategory(models.Model):
    name = models.CharField(max_length=80, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "ticket categories"

    def __str__(self) -> str:
        return self.name


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class SlaPolicy(models.Model):
    """Targets per priority, in business minutes."""

    priority = models.CharField(max_length=6, choices=Priority.choices, unique=True)
    first_response_minutes = models.PositiveIntegerField()
    resolution_minutes = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.priority}: {self.first_response_minutes}/{self.resolution_minutes} min"


class BusinessHours(models.Model):
    """Working time per weekday (0 = Monday); a weekday without a row is a day off."""

    weekday = models.PositiveSmallIntegerField(unique=True)
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        ordering = ["weekday"]
        verbose_name_plural = "business hours"

    def __str__(self) -> str:
        return f"{self.weekday}: {self.opens}-{self.closes}"


class Holiday(models.Model):
    day = models.DateField(unique=True)
    name = models.CharField(max_length=120)

    def __str__(self) -> str:
        return f"{self.day} {self.name}"


class Ticket(models.Model):
    class Status(models.TextChoices):
        NEW = "new", _("New")
        OPEN = "open", _("Open")
        PENDING = "pending", _("Waiting for customer")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed")

    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="tickets")
    contact = models.ForeignKey(Party, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    category = models.ForeignKey(TicketCategory, on_delete=models.SET_NULL, null=True, blank=True)
    priority = models.CharField(max_length=6, choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.NEW, db_index=True)
    assignee = user_fk(null=True, blank=True)
    opened_at = models.DateTimeField(default=timezone.now, db_index=True)
    first_response_due = models.DateTimeField(null=True, blank=True)
    resolution_due = models.DateTimeField(null=True, blank=True, db_index=True)
    first_responded_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    first_response_breached = models.BooleanField(default=False)
    resolution_breached = models.BooleanField(default=False)
    created_by = user_fk(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-opened_at", "-id"]

    def __str__(self) -> str:
        return self.subject


class TicketEvent(models.Model):
    """Append-only: replies, internal notes and status changes of a ticket."""

    class Kind(models.TextChoices):
        REPLY = "reply", _("Reply")
        NOTE = "note", _("Internal note")
        STATUS = "status", _("Status change")
        BREACH = "breach", _("SLA breach")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=6, choices=Kind.choices)
    body = models.TextField(blank=True)
    actor = user_fk(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind}"
