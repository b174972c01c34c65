"""Public-site onboarding: pricing, signup with a live address check, and the signup's progress page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from billing.models import Plan
from onboarding.forms import SignupForm
from onboarding.signup import (
    address_normalize,
    address_problem,
    plans_for_pricing,
    signup_confirmation_send,
    signup_plan_apply,
    signup_start,
    signup_throttle,
)
from tenants import services as tenant_services
from tenants.errors import TenantError
from tenants.models import ProvisioningJob

SESSION_PLAN = "onboarding_signup_plan"  # {"job": <id>, "plan": <code>} until the trial is applied


def _client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


@require_GET
def pricing(request):
    return render(request, "onboarding/public/pricing.html", {"plans": plans_for_pricing()})


def signup(request):
    if request.method == "GET" and request.user.is_authenticated:
        return redirect("workspace_create")  # already has an account: a new workspace is one form away
    form = SignupForm(request.POST or None, initial={"plan": request.GET.get("plan", "")})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                signup_throttle(ip=_client_ip(request), email=data["email"], slug=data["slug"])
                result = signup_start(company=data["company"], slug=data["slug"], email=data["email"],
                                      password=data["password"], plan_code=data["plan"], ip=_client_ip(request))
            except TenantError as error:
                form.add_error(error.field, ValidationError(error.message, code=error.code))
                status = 429 if error.code == "rate_limited" else 400
            else:
                return _signed_up(request, result, plan_code=data["plan"])
    plan_code = form.data.get("plan") if form.is_bound else request.GET.get("plan", "")
    context = {
        "form": form,
        "plan": Plan.objects.filter(code=plan_code or "", is_active=True).first(),
        "email_taken": form.has_error("email", code="email_taken"),
        "rate_limited": status == 429,
    }
    return render(request, "onboarding/public/signup.html", context, status=status)


def _signed_up(request, result, *, plan_code: str):
    # The progress and status endpoints need the owner signed in on this host; the workspace
    # host then signs them in through the one-time hop token (/workspaces/<slug>/open/).
    login(request, result.user, backend="django.contrib.auth.backends.ModelBackend")
    if result.created:
        signup_confirmation_send(request=request, user=result.user)
        messages.info(request, _("We sent a confirmation link to %(email)s.") % {"email": result.user.email})
    if plan_code:
        request.session[SESSION_PLAN] = {"job": result.job.pk, "plan": plan_code}
    return redirect("signup_progress", job_id=result.job.pk)


@require_GET
def check_address(request):
    """htmx: a small fragment saying whether the typed address can be used."""
    slug = address_normalize(request.GET.get("slug", ""))
    problem = address_problem(slug) if slug else None
    context = {"slug": slug, "problem": problem.messages[0] if problem else "", "empty": not slug}
    return render(request, "onboarding/public/address_check.html", context)


@login_required
def progress(request, job_id: int):
    job = get_object_or_404(ProvisioningJob, pk=job_id, owner=request.user)
    return render(request, "onboarding/public/progress.html", {"job": job})


@login_required
def progress_status(request, job_id: int):
    job = get_object_or_404(ProvisioningJob.objects.select_related("tenant"), pk=job_id, owner=request.user)
    payload = {"state": job.state, "progress": job.progress, "message": job.message}
    if job.state == ProvisioningJob.State.DONE and job.tenant_id:
        wanted = request.session.get(SESSION_PLAN) or {}
        if wanted.get("job") == job.pk:
            signup_plan_apply(job=job, plan_code=wanted.get("plan", ""), actor=request.user)
            request.session.pop(SESSION_PLAN, None)
        # Into the new workspace, signed in, on the business questionnaire (which can be skipped).
        payload["redirect"] = reverse("workspace_open", args=[job.slug]) + "?next=" + reverse(
            "onboarding_questionnaire", urlconf="saas_platform.urls_tenant")
    return JsonResponse(payload)


@login_required
@require_POST
def retry(request, job_id: int):
    job = get_object_or_404(ProvisioningJob, pk=job_id, owner=request.user, state=ProvisioningJob.State.FAILED)
    tenant_services.provisioning_job_retry(job=job)
    return redirect("signup_progress", job_id=job.pk)
