"""Onboarding's additions to every page's context.

Enable with, in settings.TEMPLATES[0]["OPTIONS"]["context_processors"]:
    "onboarding.context_processors.email_verification",
and render with, in base.html next to the billing banner:
    {% if email_banner %}{% include "onboarding/email_banner.html" %}{% endif %}
"""

from __future__ import annotations

from django.core.cache import caches

from tenants.urls_helpers import public_url

VERIFIED_CACHE_SECONDS = 24 * 60 * 60


def _verified_key(user) -> str:
    # The join time too: a recreated database (development, tests) hands out the same ids again.
    return f"onboarding:email-verified:{user.pk}:{user.date_joined.timestamp():.6f}"


def email_is_verified(user) -> bool:
    """Whether ``user``'s login address is confirmed. Only "yes" is cached (an address does not become
    unconfirmed), so a confirmation shows on the next page without any invalidation."""
    from allauth.account.models import EmailAddress

    cache = caches["platform"]
    if cache.get(_verified_key(user)):
        return True
    verified = EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists()
    if verified:
        cache.set(_verified_key(user), True, timeout=VERIFIED_CACHE_SECONDS)
    return verified


def email_verification(request) -> dict:
    """In a workspace, a banner until the signed-in member has confirmed their email address.

    Signing up lets the owner into the workspace at once (the hop login does not go through
    allauth); the banner keeps asking until the link from the signup email is opened."""
    if getattr(request, "membership", None) is None:
        return {}
    user = request.user
    if not user.is_authenticated or email_is_verified(user):
        return {}
    return {"email_banner": {"email": user.email, "manage_url": public_url("/accounts/email/")}}
