"""The platform package (the card's ``platform/``; a package named ``platform`` would shadow the stdlib)."""

from saas_platform.celery import app as celery_app

__all__ = ["celery_app"]
