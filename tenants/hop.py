"""Signed, single-use, 60-second tokens that carry a login from one host to a workspace host.

Sessions are per host, so moving to another workspace (the switcher) or vendor staff
logging in as a workspace user (the console) goes through ``/hop/?t=...`` on the target
host. The token names the user, the workspace and, for impersonation, the vendor user;
its nonce is burnt on first use.
"""

from __future__ import annotations

import secrets

from django.core import signing
from django.core.cache import caches
from django.utils.translation import gettext as _

from tenants.errors import TenantError
from tenants.models import Tenant

SALT = "tenants.hop"
MAX_AGE_SECONDS = 60


def hop_token_make(*, user_id: int, tenant: Tenant, impersonator_id: int | None = None) -> str:
    nonce = secrets.token_urlsafe(16)
    caches["platform"].set(f"hop:{nonce}", 1, timeout=MAX_AGE_SECONDS)
    return signing.dumps({"u": user_id, "t": tenant.pk, "i": impersonator_id, "n": nonce}, salt=SALT)


def hop_token_read(*, token: str, tenant: Tenant) -> dict:
    """Return {"user_id", "impersonator_id"}; raise TenantError if forged, stale, used or for another host."""
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE_SECONDS)
    except signing.BadSignature as error:
        raise TenantError("hop_invalid", _("This sign-in link is not valid or has expired.")) from error
    if data["t"] != tenant.pk:
        raise TenantError("hop_invalid", _("This sign-in link is for another workspace."))
    if not caches["platform"].delete(f"hop:{data['n']}"):
        raise TenantError("hop_used", _("This sign-in link has already been used."))
    return {"user_id": data["u"], "impersonator_id": data["i"]}
