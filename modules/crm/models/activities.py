from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from modules.crm.models._base import user_fk
from modules.parties.models import Party


class Activity(models.Model):
    """A call, meeting, task, note or logged email, linked to a party, a lead and/or a deal."""

    class Kind(models.TextChoices):
        CALL = "call", _("Call")
        MEETING = "meeting", _("Meeting")
        TASK = "task", _("Task")
        NOTE = "note", _("Note")
        EMAIL = "email", _("Logged email")

    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.TASK)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("details"), blank=True)
    party = models.ForeignKey(Party, on_delete=models.CASCADE, null=True, blank=True, related_name="activities")
    lead = models.ForeignKey("crm.Lead", on_delete=models.CASCADE, null=True, blank=True, related_name="activities")
    deal = models.ForeignKey("crm.Deal", on_delete=models.CASCADE, null=True, blank=True, related_name="activities")
    owner = user_fk(null=True, blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True, db_index=True)
    remind_at = models.DateTimeField(_("remind at"), null=True, blank=True, db_index=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["owner", "done_at", "due_at"], name="activity_my_day_idx"),
            # "My day" and the overview read open activities by due date: a partial index keeps that an
            # ordered index walk (done_at IS NULL is not an equality the composite index can order by).
            models.Index(fields=["owner", "due_at"], condition=models.Q(done_at__isnull=True),
                         name="activity_open_due_idx"),
        ]

    def __str__(self) -> str:
        return self.subject


class Notification(models.Model):
    """An in-app notification for one user in this workspace (reminders, SLA breaches...)."""

    user = user_fk()
    text = models.CharField(max_length=300)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread_idx")]

    def __str__(self) -> str:
        return self.text
