"""Self-service signup on the public site: the owner's account and the workspace job, in one transaction.

A signup creates an unverified user, logs them in on the public host and queues
``tenants.tasks.provision_workspace``; the progress page polls the job and then opens the
workspace. Two submissions of the same signup (a double click, two tabs) give one account and
one job: they take the same advisory locks (address, then email), and the second one finds the
first one's account and job and returns them instead of failing.

Email verification: the owner may use the workspace at once; until the address is confirmed
through allauth's link, every workspace page shows a banner (onboarding.context_processors).
Later logins through allauth need the confirmed address (ACCOUNT_EMAIL_VERIFICATION).

Rate limits: per IP and per email, counted in the ``platform`` cache (fixed one-hour windows,
atomic INCR), with one SignupAttempt row per counted attempt for the funnel.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from billing.catalogue import FEATURES, LIMIT_KEYS
from billing.errors import BillingError
from billing.models import Plan
from onboarding.models import SignupAttempt
from tenants.errors import TenantError
from tenants.models import ProvisioningJob
from tenants.services import provisioning_job_start, user_create
from tenants.slugs import slug_is_taken, slug_validate

logger = logging.getLogger(__name__)
User = get_user_model()

RATE_WINDOW_SECONDS = 60 * 60
RATE_LIMIT_PER_IP = 5
RATE_LIMIT_PER_EMAIL = 3
# A second submission of the same signup within this time returns the first one's job.
REPLAY_SECONDS = 15 * 60


@dataclass(frozen=True)
class SignupResult:
    user: object
    job: ProvisioningJob
    created: bool  # False when this was a repeat of a signup already made


# --------------------------------------------------------------------------- addresses


def address_problem(slug: str) -> ValidationError | None:
    """Why ``slug`` cannot be a new workspace's address (format, reserved word, taken), or None."""
    try:
        slug_validate(slug)
    except ValidationError as error:
        return error
    if slug_is_taken(slug):
        return ValidationError(_("This address is already taken."), code="slug_taken")
    return None


def address_normalize(slug: str) -> str:
    return (slug or "").strip().lower()


# --------------------------------------------------------------------------- rate limits


def _window_hit(key: str) -> int:
    """Count one hit in a fixed window; INCR keeps the TTL that ``add`` set, so the window never slides."""
    cache = caches["platform"]
    for _attempt in range(2):
        cache.add(key, 0, timeout=RATE_WINDOW_SECONDS)
        try:
            return cache.incr(key)
        except ValueError:  # expired between add and incr: open a new window
            continue
    return cache.incr(key)


def _email_key(email: str) -> str:
    return hashlib.sha256(email.encode()).hexdigest()[:32]


def signup_throttle(*, ip: str | None, email: str, slug: str) -> SignupAttempt:
    """Count an attempt against the per-IP and per-email limits and record it.

    Raises TenantError("rate_limited") when either limit is passed (the attempt is still recorded)."""
    email = User.objects.normalize_email(email).lower()
    attempt = SignupAttempt.objects.create(ip_address=ip, email=email, slug=slug[:63])
    over = _window_hit(f"onboarding:signup:email:{_email_key(email)}") > RATE_LIMIT_PER_EMAIL
    if ip:
        over = (_window_hit(f"onboarding:signup:ip:{ip}") > RATE_LIMIT_PER_IP) or over
    if over:
        logger.info("signup rate limited", extra={"ip": ip, "slug": slug})
        raise TenantError("rate_limited", _("Too many signups from here in the last hour. Please try again later."))
    return attempt


# --------------------------------------------------------------------------- signup


def _lock(*keys: str) -> None:
    """Transaction-scoped advisory locks, always taken in sorted order so two signups cannot deadlock."""
    with connection.cursor() as cursor:
        for key in sorted(keys):
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [key])


def _replay(*, user, slug: str, password: str) -> ProvisioningJob | None:
    """The job of the same signup made moments ago (same email, address and password), if any."""
    since = timezone.now() - timedelta(seconds=REPLAY_SECONDS)
    job = ProvisioningJob.objects.filter(owner=user, slug=slug, created_at__gte=since).order_by("-pk").first()
    if job is None or not user.check_password(password):
        return None
    return job


def _email_taken() -> TenantError:
    return TenantError("email_taken", _("An account with this email already exists. Log in to create a "
                                        "workspace with it."), field="email")


@transaction.atomic
def signup_start(*, company: str, slug: str, email: str, password: str, plan_code: str = "",
                 ip: str | None = None) -> SignupResult:
    """Create the owner's account (unverified) and queue their workspace on commit.

    ``plan_code`` is the plan picked on the pricing page; it is applied as a trial once the
    workspace exists (``signup_plan_apply``). Raises TenantError with ``field`` set for the form."""
    email = User.objects.normalize_email(email).lower()
    slug = address_normalize(slug)
    _lock(f"onboarding.signup:slug:{slug}", f"onboarding.signup:email:{email}")
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        job = _replay(user=existing, slug=slug, password=password)
        if job is None:
            raise _email_taken()
        return SignupResult(user=existing, job=job, created=False)
    problem = address_problem(slug)
    if problem is not None:
        raise TenantError(problem.code or "slug_invalid", problem.messages[0], field="slug")
    try:
        with transaction.atomic():
            user = user_create(email=email, password=password, verified=False)
    except (IntegrityError, ValidationError) as error:
        # An account made at the same moment by another path (allauth, an invitation).
        raise _email_taken() from error
    job = provisioning_job_start(name=company.strip(), slug=slug, owner=user)
    recorded = SignupAttempt.objects.filter(email=email, slug=slug, ip_address=ip, succeeded=False)
    SignupAttempt.objects.filter(pk__in=recorded.order_by("-created_at").values("pk")[:1]).update(succeeded=True)
    logger.info("signup started", extra={"job_id": job.pk, "slug": slug, "plan": plan_code})
    return SignupResult(user=user, job=job, created=True)


def signup_confirmation_send(*, request, user) -> None:
    """Email allauth's confirmation link (after the signup committed: the link must find the address)."""
    from allauth.account.models import EmailAddress

    address = EmailAddress.objects.filter(user=user, email__iexact=user.email).first()
    if address is not None and not address.verified:
        address.send_confirmation(request, signup=True)


def signup_plan_apply(*, job: ProvisioningJob, plan_code: str, actor) -> bool:
    """Start the trial of the plan picked at signup, once the workspace exists. True if it started.

    Idempotent: a workspace already trying or paying for a plan is left as it is."""
    from billing.services import subscription_of, trial_start

    if not plan_code or job.state != ProvisioningJob.State.DONE or job.tenant_id is None:
        return False
    plan = Plan.objects.filter(code=plan_code, is_active=True).first()
    subscription = subscription_of(job.tenant)
    if plan is None or plan.is_free or subscription.trial_used or not subscription.plan.is_free:
        return False
    try:
        trial_start(tenant=job.tenant, plan_code=plan.code, actor=actor)
    except BillingError:  # a concurrent poll started it first
        return False
    return True


# --------------------------------------------------------------------------- pricing (reads)


MODULE_LABELS = {"crm": "CRM", "erp": "ERP", "platform": gettext_lazy("Platform")}


@dataclass(frozen=True)
class FeatureGroup:
    module: str
    label: str
    features: list[str]


@dataclass(frozen=True)
class PricedPlan:
    plan: Plan
    previous: Plan | None
    groups: list[FeatureGroup]
    limits: list[tuple[str, int | None]]
    months_free: int
    saving_vnd: int


def _limit_labels() -> dict[str, str]:
    return {"seats": _("Users"), "contacts": _("Contacts"), "pipelines": _("Sales pipelines"),
            "warehouses": _("Warehouses")}


def plans_for_pricing() -> list[PricedPlan]:
    """Active plans by rank, each with the features it adds to the one before, grouped by module,
    in the active language, and its limits. Prices come from the rows (vendor edits included)."""
    vietnamese = (get_language() or "vi").startswith("vi")
    plans = list(Plan.objects.filter(is_active=True).order_by("rank"))
    labels = _limit_labels()
    priced, previous = [], None
    for plan in plans:
        before = set(previous.features) if previous else set()
        added = [key for key in plan.features if key not in before and key in FEATURES]
        groups = []
        for module in ("crm", "erp", "platform"):
            names = [FEATURES[key].label_vi if vietnamese else FEATURES[key].label_en
                     for key in added if FEATURES[key].module == module]
            if names:
                groups.append(FeatureGroup(module=module, label=str(MODULE_LABELS[module]), features=names))
        month, year = plan.price_vnd_month, plan.price_vnd_year
        priced.append(PricedPlan(
            plan=plan, previous=previous, groups=groups,
            limits=[(labels[key], plan.limits.get(key)) for key in LIMIT_KEYS if key in plan.limits],
            months_free=round(12 - year / month) if month else 0,
            saving_vnd=int(month * 12 - year) if month else 0,
        ))
        previous = plan
    return priced
