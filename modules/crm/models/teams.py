from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from modules.crm.models._base import CURRENCIES, user_fk


class SalesTeam(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    manager = user_fk(null=True, blank=True)
    # Round-robin lead assignment: the member who got the last lead.
    last_assigned_member = models.ForeignKey("TeamMember", on_delete=models.SET_NULL, null=True, blank=True,
                                             related_name="+")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TeamMember(models.Model):
    team = models.ForeignKey(SalesTeam, on_delete=models.CASCADE, related_name="members")
    user = user_fk()
    is_active = models.BooleanField(default=True)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="crm_team_member_uniq")]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.team_id}"


class Quota(models.Model):
    """A monthly target of won revenue for one person (``month`` is the first day of the month)."""

    user = user_fk()
    team = models.ForeignKey(SalesTeam, on_delete=models.CASCADE, related_name="quotas")
    month = models.DateField()
    amount = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal(0))
    currency = models.CharField(max_length=3, choices=CURRENCIES, default="VND")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "team", "month"], name="crm_quota_uniq")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.month:%m/%Y}"
