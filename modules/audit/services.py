from __future__ import annotations

from django.db import models

from modules.audit.models import AuditEntry


def audit_record(*, actor, action: str, target: models.Model | None = None, detail: dict | None = None,
                 impersonator=None) -> AuditEntry:
    """Append one row to the current workspace's audit log (call inside the write's transaction)."""
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        impersonator=impersonator,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        detail=detail or {},
    )
