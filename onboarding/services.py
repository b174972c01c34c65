"""The questionnaire's writes: save the answers with the engine's recommendation, accept a tier."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.errors import BillingError
from onboarding.engine import Answers, recommend
from onboarding.models import OnboardingProfile
from tenants.errors import TenantError
from tenants.models import Tenant


def profile_of(tenant: Tenant) -> OnboardingProfile:
    profile, _created = OnboardingProfile.objects.get_or_create(tenant=tenant)
    return profile


@transaction.atomic
def questionnaire_save(*, tenant: Tenant, actor, answers: dict) -> OnboardingProfile:
    """Store the answers and what the engine recommends for them (the owner decides next)."""
    profile = OnboardingProfile.objects.select_for_update().get(pk=profile_of(tenant).pk)
    profile.answers = answers
    profile.business_type = answers["business_type"]
    profile.recommendation = recommend(Answers.from_dict(answers))
    profile.questionnaire_done_at = timezone.now()
    profile.skipped_at = None
    profile.created_by = profile.created_by or actor
    profile.full_clean()
    profile.save()
    return profile


@transaction.atomic
def questionnaire_skip(*, tenant: Tenant, actor) -> OnboardingProfile:
    profile = profile_of(tenant)
    profile.skipped_at = timezone.now()
    profile.save(update_fields=["skipped_at", "updated_at"])
    return profile


def recommendation_accept(*, tenant: Tenant, actor, tier: str, sample_data: bool) -> OnboardingProfile:
    """Take the recommended (or another) tier: a paid tier starts its 14-day trial without a card; then the
    workspace is configured for the business type, module by module (onboarding/registry.py)."""
    from billing.models import Subscription
    from billing.services import subscription_change_plan, subscription_of, trial_start
    from onboarding.registry import template_apply

    profile = profile_of(tenant)
    if not profile.questionnaire_done_at:
        raise TenantError("questionnaire_missing", _("Answer the questions first."))
    with transaction.atomic():
        subscription = subscription_of(tenant)
        try:
            if tier == subscription.plan.code:
                pass
            elif subscription.status == Subscription.Status.TRIALING or tier == "starter":
                # A trial begun at signup (from the pricing page) moves to the chosen tier, same end date.
                subscription_change_plan(tenant=tenant, plan_code=tier, actor=actor, note="chosen at onboarding")
            else:
                trial_start(tenant=tenant, plan_code=tier, actor=actor)
        except BillingError as error:
            raise TenantError(error.code, error.message) from error
        profile = OnboardingProfile.objects.select_for_update().get(pk=profile.pk)
        profile.accepted_tier = tier
        profile.sample_data = sample_data
        profile.save(update_fields=["accepted_tier", "sample_data", "updated_at"])
    # After the trial commits, so that parts gated by the new tier's features apply too.
    template_apply(tenant=tenant, business_type=profile.business_type, sample_data=sample_data, actor=actor)
    return profile
