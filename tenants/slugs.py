"""Workspace addresses: DNS-label rules, reserved words, and availability."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# A DNS label (letters, digits, inner hyphens) that is also the schema name; it starts with a
# letter, and "--" is kept out because DNS reserves it (xn-- punycode labels).
SLUG_RE = re.compile(r"^[a-z][a-z0-9-]{1,30}[a-z0-9]$")
SLUG_MIN, SLUG_MAX = 3, 32
RESERVED_SLUGS = frozenset(
    [
        "www",
        "admin",
        "administrator",
        "api",
        "app",
        "apps",
        "mail",
        "email",
        "smtp",
        "imap",
        "pop",
        "static",
        "media",
        "assets",
        "cdn",
        "public",
        "pool",
        "root",
        "system",
        "support",
        "help",
        "docs",
        "status",
        "blog",
        "billing",
        "account",
        "accounts",
        "login",
        "logout",
        "signup",
        "register",
        "console",
        "vendor",
        "dashboard",
        "auth",
        "oauth",
        "sso",
        "ftp",
        "ns",
        "dns",
        "localhost",
        "test",
        "internal",
        "pg",
        "information_schema",
    ]
)


def slug_validate(slug: str) -> None:
    """Raise ValidationError with a message a person can act on."""
    if not (SLUG_MIN <= len(slug) <= SLUG_MAX):
        raise ValidationError(
            _("Use %(min)d to %(max)d characters.") % {"min": SLUG_MIN, "max": SLUG_MAX}, code="slug_length"
        )
    if not SLUG_RE.match(slug) or "--" in slug:
        raise ValidationError(
            _("Use lower-case letters, digits and single hyphens, starting with a letter."), code="slug_format"
        )
    if slug in RESERVED_SLUGS or slug.startswith(("pg_", "pool")):
        raise ValidationError(_("This address is reserved. Please choose another."), code="slug_reserved")


def slug_is_taken(slug: str) -> bool:
    from tenants.models import ProvisioningJob, Tenant

    return (
        Tenant.objects.filter(schema_name=slug).exists()
        or ProvisioningJob.objects.filter(slug=slug, state__in=["pending", "running"]).exists()
    )
