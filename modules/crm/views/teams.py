"""Sales teams: teams with their manager and members, monthly quotas with attainment, and the leaderboard.

Teams are the workspace's structure, so everyone with CRM access sees them and the leaderboard; changes
are for owners and admins, and for a team's manager on their own team (checked again in the services).
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from modules.crm.errors import CrmError
from modules.crm.forms.teams import QuotaForm, SalesTeamForm, TeamMemberForm
from modules.crm.models import SalesTeam, TeamMember
from modules.crm.selectors import teams as selectors
from modules.crm.services import teams as services
from modules.crm.views.common import crm_view
from tenants.roles import Access

FEATURE = "crm.teams"


def _form_error(form, error: CrmError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _run(request, action, success: str) -> bool:
    try:
        action()
    except CrmError as error:
        messages.error(request, error.message)
        return False
    messages.success(request, success)
    return True


def _list_page(request, form: SalesTeamForm | None = None, status: int = 200):
    can_create = selectors.may_manage_team(request.membership, None)
    if form is None and can_create:
        form = SalesTeamForm(members=selectors.workspace_members(request.tenant))
    return render(request, "crm/teams/list.html", {
        "teams": selectors.teams_overview(), "form": form, "can_create": can_create,
    }, status=status)


@crm_view(FEATURE)
def sales_team_list(request):
    return _list_page(request)


@require_POST
@crm_view(FEATURE, Access.MANAGE)
def sales_team_create(request):
    form = SalesTeamForm(request.POST, members=selectors.workspace_members(request.tenant))
    if form.is_valid():
        try:
            team = services.sales_team_create(tenant=request.tenant, actor=request.user,
                                              actor_membership=request.membership, name=form.cleaned_data["name"],
                                              manager_id=form.cleaned_data["manager"])
        except CrmError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Team created. Now add its members."))
            return redirect("sales_team_detail", pk=team.pk)
    return _list_page(request, form=form, status=400)


def _detail_context(request, team: SalesTeam, **forms) -> dict:
    month = selectors.month_of(request.GET.get("month"))
    members = selectors.team_members(team)
    people = selectors.workspace_members(request.tenant)
    in_team = {member.user_id for member in members}
    team_people = [(member.user_id, member.email) for member in members]
    can_manage = selectors.may_manage_team(request.membership, team)
    rows = selectors.leaderboard(month=month, team=team)
    context = {
        "team": team, "members": members, "month": month, "rows": rows, "can_manage": can_manage,
        "manager_email": selectors.emails_of([team.manager_id]).get(team.manager_id, ""),
    }
    if can_manage:
        context.update({
            "team_form": forms.get("team_form") or SalesTeamForm(
                members=people, initial={"name": team.name, "manager": team.manager_id}),
            "member_form": forms.get("member_form") or TeamMemberForm(
                members=[person for person in people if person[0] not in in_team]),
            "quota_form": forms.get("quota_form") or QuotaForm(members=team_people, initial={"month": month}),
        })
    return context


@crm_view(FEATURE)
def sales_team_detail(request, pk: int):
    team = get_object_or_404(SalesTeam, pk=pk)
    return render(request, "crm/teams/detail.html", _detail_context(request, team))


def _detail_with_errors(request, team: SalesTeam, **forms):
    return render(request, "crm/teams/detail.html", _detail_context(request, team, **forms), status=400)


@require_POST
@crm_view(FEATURE, Access.EDIT)
def sales_team_edit(request, pk: int):
    team = get_object_or_404(SalesTeam, pk=pk)
    form = SalesTeamForm(request.POST, members=selectors.workspace_members(request.tenant))
    if form.is_valid():
        try:
            services.sales_team_update(team=team, tenant=request.tenant, actor=request.user,
                                       actor_membership=request.membership, name=form.cleaned_data["name"],
                                       manager_id=form.cleaned_data["manager"])
        except CrmError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Team saved."))
            return redirect("sales_team_detail", pk=team.pk)
    return _detail_with_errors(request, team, team_form=form)


@require_POST
@crm_view(FEATURE, Access.EDIT)
def sales_team_member_add(request, pk: int):
    team = get_object_or_404(SalesTeam, pk=pk)
    form = TeamMemberForm(request.POST, members=selectors.workspace_members(request.tenant))
    if form.is_valid():
        try:
            services.team_member_add(team=team, tenant=request.tenant, actor=request.user,
                                     actor_membership=request.membership, user_id=form.cleaned_data["user"])
        except CrmError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Member added."))
            return redirect("sales_team_detail", pk=team.pk)
    return _detail_with_errors(request, team, member_form=form)


@require_POST
@crm_view(FEATURE, Access.EDIT)
def sales_team_member_remove(request, pk: int, member_pk: int):
    member = get_object_or_404(TeamMember, pk=member_pk, team_id=pk)
    _run(request, lambda: services.team_member_remove(member=member, actor=request.user,
                                                      actor_membership=request.membership),
         _("Member removed from the team."))
    return redirect("sales_team_detail", pk=pk)


@require_POST
@crm_view(FEATURE, Access.EDIT)
def sales_quota_set(request, pk: int):
    team = get_object_or_404(SalesTeam, pk=pk)
    team_people = [(member.user_id, member.email) for member in selectors.team_members(team)]
    form = QuotaForm(request.POST, members=team_people)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.quota_set(team=team, actor=request.user, actor_membership=request.membership,
                               user_id=data["user"], month=data["month"], amount=data["amount"])
        except CrmError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Quota saved."))
            return redirect(f"{reverse('sales_team_detail', args=[team.pk])}?month={data['month']:%Y-%m}")
    return _detail_with_errors(request, team, quota_form=form)


@crm_view(FEATURE)
def sales_leaderboard(request):
    month = selectors.month_of(request.GET.get("month"))
    teams = list(SalesTeam.objects.all())
    team = next((t for t in teams if str(t.pk) == request.GET.get("team", "")), None)
    rows = selectors.leaderboard(month=month, team=team)
    chart = selectors.leaderboard_chart(rows, won_label=_("Won revenue"), quota_label=_("Quota"))
    return render(request, "crm/teams/leaderboard.html", {
        "rows": rows, "month": month, "teams": teams, "team": team, "chart": chart,
        "currency": selectors.CURRENCY,
    })


urlpatterns = [
    path("teams/", sales_team_list, name="sales_team_list"),
    path("teams/new/", sales_team_create, name="sales_team_create"),
    path("teams/leaderboard/", sales_leaderboard, name="sales_leaderboard"),
    path("teams/<int:pk>/", sales_team_detail, name="sales_team_detail"),
    path("teams/<int:pk>/edit/", sales_team_edit, name="sales_team_edit"),
    path("teams/<int:pk>/members/", sales_team_member_add, name="sales_team_member_add"),
    path("teams/<int:pk>/members/<int:member_pk>/remove/", sales_team_member_remove,
         name="sales_team_member_remove"),
    path("teams/<int:pk>/quotas/", sales_quota_set, name="sales_quota_set"),
]
