"""Model validation for CRM services: ``full_clean`` failures become one ``CrmError`` with the field."""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models

from modules.crm.errors import CrmError


def clean_or_raise(instance: models.Model, *, code: str = "invalid") -> None:
    """``instance.full_clean()``; the first error is raised as ``CrmError(code, message, field=...)``."""
    try:
        instance.full_clean()
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise CrmError(code, messages[0], field=None if field == NON_FIELD_ERRORS else field) from error
