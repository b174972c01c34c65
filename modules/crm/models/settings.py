from django.db import models
from django.utils.translation import gettext_lazy as _


class CrmSettings(models.Model):
    """One row per workspace: how far members see (their own records, or their team's)."""

    class Visibility(models.TextChoices):
        OWN = "own", _("Members see their own records")
        TEAM = "team", _("Members see their team's records")

    member_visibility = models.CharField(max_length=4, choices=Visibility.choices, default=Visibility.OWN)
    # Business hours for SLA timers live in BusinessHours; the workspace's time zone for them:
    time_zone = models.CharField(max_length=40, default="Asia/Ho_Chi_Minh")

    def __str__(self) -> str:
        return f"CRM settings ({self.member_visibility})"
