"""Workspace-host onboarding: the questionnaire, the recommendation, accepting it."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from billing.models import Plan
from onboarding.questionnaire_forms import AcceptForm, QuestionnaireForm
from onboarding.services import profile_of, questionnaire_save, questionnaire_skip, recommendation_accept
from tenants.access import module_required
from tenants.errors import TenantError
from tenants.roles import Access


@module_required("billing", Access.MANAGE)
def questionnaire(request):
    profile = profile_of(request.tenant)
    form = QuestionnaireForm(request.POST or None, initial=profile.answers or None)
    if request.method == "POST" and form.is_valid():
        questionnaire_save(tenant=request.tenant, actor=request.user, answers=form.cleaned_data)
        return redirect("onboarding_recommendation")
    return render(request, "onboarding/questionnaire.html", {"form": form, "rows_by_type": form.rows_by_type()},
                  status=400 if form.errors else 200)


@require_POST
@module_required("billing", Access.MANAGE)
def skip(request):
    questionnaire_skip(tenant=request.tenant, actor=request.user)
    messages.info(request, _("You can answer the questions later from the dashboard."))
    return redirect("dashboard")


@module_required("billing", Access.MANAGE)
def recommendation(request):
    profile = profile_of(request.tenant)
    if not profile.questionnaire_done_at:
        return redirect("onboarding_questionnaire")
    result = profile.recommendation
    form = AcceptForm(request.POST or None, initial={"tier": result["tier"]})
    if request.method == "POST" and form.is_valid():
        try:
            recommendation_accept(tenant=request.tenant, actor=request.user, tier=form.cleaned_data["tier"],
                                  sample_data=form.cleaned_data["sample_data"])
        except TenantError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Your workspace is set up for your business. Here is where to start."))
            return redirect("dashboard")
    return render(request, "onboarding/recommendation.html", {
        "profile": profile, "result": result, "form": form,
        "recommended": Plan.objects.filter(code=result["tier"]).first()}, status=400 if form.errors else 200)


urlpatterns = [
    path("welcome/", questionnaire, name="onboarding_questionnaire"),
    path("welcome/skip/", skip, name="onboarding_skip"),
    path("welcome/plan/", recommendation, name="onboarding_recommendation"),
]
