from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from modules.crm.models._base import user_fk


class ImportJob(models.Model):
    """One CSV/XLSX import: the file, the column mapping, progress, and the row-by-row report.

    CRM targets are handled in ``modules.crm.services.imports``; other modules register their own
    (``import_kind_register``), which go through the same check-all-then-write-all run.

    An import either writes every row or none: ``errors`` lists each bad row and nothing is written.
    """

    class Target(models.TextChoices):
        PARTIES = "parties", _("Companies & contacts")
        LEADS = "leads", _("Leads")
        DEALS = "deals", _("Deals")
        # ERP kinds (registered by modules.erp.dataio); values fit the column's 8 characters.
        PRODUCTS = "products", _("Products")
        OPENING_STOCK = "opening", _("Opening stock")

    CRM_TARGETS = ("parties", "leads", "deals")

    class State(models.TextChoices):
        UPLOADED = "uploaded", _("Waiting for column mapping")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Not imported")

    target = models.CharField(max_length=8, choices=Target.choices)
    file = models.FileField(upload_to="imports/")
    original_name = models.CharField(max_length=255)
    headers = models.JSONField(default=list)
    mapping = models.JSONField(default=dict, blank=True)  # file column -> field
    state = models.CharField(max_length=8, choices=State.choices, default=State.UPLOADED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_rows = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)  # [{"row": 12, "field": "email", "message": "..."}]
    created_by = user_fk(null=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.target}: {self.original_name}"
