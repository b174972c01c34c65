"""Audit rows for CRM records: who, when, and what changed (before -> after), shown on the record."""

from __future__ import annotations

from decimal import Decimal

from django.db import models

from modules.audit.models import AuditEntry
from modules.audit.services import audit_record


def snapshot(instance: models.Model, fields: list[str] | None = None) -> dict:
    """Plain JSON-able values of a record's concrete fields (foreign keys by id)."""
    values = {}
    for field in instance._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        value = getattr(instance, field.attname)
        if isinstance(value, Decimal):
            value = str(value)
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        elif isinstance(value, list | dict | int | float | bool | str) or value is None:
            pass
        else:
            value = str(value)
        values[field.attname] = value
    return values


def audit_change(*, actor, action: str, target: models.Model, before: dict | None, after: dict | None) -> None:
    """Record a create (before None), update (only the fields that changed) or delete (after None)."""
    if before is not None and after is not None:
        changed = {key: [before.get(key), value] for key, value in after.items()
                   if before.get(key) != value and key != "updated_at"}
        if not changed:
            return
        detail = {"changes": changed}
    else:
        detail = {"after": after} if after is not None else {"before": before}
    audit_record(actor=actor, action=action, target=target, detail=detail)


def history_of(target: models.Model, limit: int = 50):
    return AuditEntry.objects.filter(target_type=target._meta.label_lower, target_id=str(target.pk))[:limit]
