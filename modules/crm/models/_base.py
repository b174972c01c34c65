from django.conf import settings
from django.db import models


def user_fk(**kwargs):
    """A user reference from a workspace table: users live in the public schema, so no database
    constraint and no cascade across schemas (the id stays as history if the account goes)."""
    kwargs.setdefault("related_name", "+")
    return models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False, **kwargs)


CURRENCIES = [("VND", "VND"), ("USD", "USD")]
