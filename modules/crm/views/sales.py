"""Leads, deals (board and list), activities ("my day") and the sales overview."""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from billing.entitlements import entitlements_of_request
from modules.crm.access import get_for
from modules.crm.audit import history_of
from modules.crm.errors import CrmError
from modules.crm.forms.sales import (
    ActivityForm,
    DealForm,
    DealLineFormSet,
    LeadForm,
    LostForm,
    MoveForm,
    PipelineForm,
    StageFormSet,
)
from modules.crm.models import Activity, Deal, Lead, LeadSource, LostReason, Notification, Pipeline, Stage
from modules.crm.selectors import sales as selectors
from modules.crm.services import activities as activity_services
from modules.crm.services import deals as deal_services
from modules.crm.services import leads as lead_services
from modules.crm.views.common import crm_view
from tenants.roles import Access


def _form_error(form, error: CrmError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


# ---------------------------------------------------------------- leads
@crm_view("crm.leads")
def lead_list(request):
    leads = selectors.leads_visible(request.membership).select_related("source", "campaign")
    status, source = request.GET.get("status", ""), request.GET.get("source", "")
    if status:
        leads = leads.filter(status=status)
    if source:
        leads = leads.filter(source__code=source)
    order = request.GET.get("order", "-score")
    leads = leads.order_by(order if order in {"-score", "score", "-created_at", "name"} else "-score", "-id")
    page = Paginator(leads, 50).get_page(request.GET.get("page"))
    return render(request, "crm/leads/list.html", {"page": page, "statuses": Lead.Status.choices,
                                                   "sources": LeadSource.objects.all(), "status": status,
                                                   "source": source, "order": order})


@crm_view("crm.leads", Access.EDIT)
def lead_create(request):
    form = LeadForm(request.POST or None, tenant=request.tenant)
    if request.method == "POST" and form.is_valid():
        data = {**form.cleaned_data}
        round_robin = data.pop("assign_round_robin")
        data["owner_id"] = data.pop("owner")
        try:
            lead = lead_services.lead_create(actor=request.user, assign_round_robin=round_robin, **data)
        except CrmError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Lead saved (score %(score)d).") % {"score": lead.score})
            return redirect("lead_detail", pk=lead.pk)
    return render(request, "crm/leads/form.html", {"form": form}, status=400 if form.errors else 200)


@crm_view("crm.leads")
def lead_detail(request, pk: int):
    lead = get_for(Lead.objects.select_related("source", "campaign", "team", "party"), membership=request.membership,
                   pk=pk)
    return render(request, "crm/leads/detail.html", {
        "lead": lead, "activities": lead.activities.all()[:20], "history": history_of(lead),
        "activity_form": ActivityForm(tenant=request.tenant, initial={"lead": lead.pk})})


@crm_view("crm.leads", Access.EDIT)
def lead_edit(request, pk: int):
    lead = get_for(Lead.objects.all(), membership=request.membership, pk=pk)
    form = LeadForm(request.POST or None, instance=lead, tenant=request.tenant)
    if request.method == "POST" and form.is_valid():
        data = {**form.cleaned_data}
        data.pop("assign_round_robin")
        data["owner_id"] = data.pop("owner")
        try:
            lead_services.lead_update(lead=lead, actor=request.user, **data)
        except CrmError as error:
            _form_error(form, error)
        else:
            return redirect("lead_detail", pk=lead.pk)
    return render(request, "crm/leads/form.html", {"form": form, "lead": lead}, status=400 if form.errors else 200)


@require_POST
@crm_view("crm.leads", Access.EDIT)
def lead_convert(request, pk: int):
    lead = get_for(Lead.objects.all(), membership=request.membership, pk=pk)
    try:
        _party, deal = lead_services.lead_convert(lead=lead, actor=request.user)
    except CrmError as error:
        messages.error(request, error.message)
        return redirect("lead_detail", pk=lead.pk)
    messages.success(request, _("Converted: the deal is in the pipeline."))
    return redirect("deal_detail", pk=deal.pk)


# ---------------------------------------------------------------- deals
def _pipeline(request) -> Pipeline:
    pipeline_id = request.GET.get("pipeline")
    if pipeline_id and pipeline_id.isdigit():
        return get_object_or_404(Pipeline, pk=pipeline_id)
    return deal_services.default_pipeline()


@crm_view("crm.pipeline")
def deal_board(request):
    pipeline = _pipeline(request)
    columns = selectors.board(membership=request.membership, pipeline=pipeline)
    if entitlements_of_request(request).allows("erp.sales"):
        from modules.erp.sales.selectors_from_deal import order_badges

        cards = [deal for column in columns for deal in column["deals"]]
        badges = order_badges([deal.pk for deal in cards]) if cards else {}
        for deal in cards:
            deal.order_badge = badges.get(deal.pk)
    return render(request, "crm/deals/board.html", {
        "pipeline": pipeline, "pipelines": Pipeline.objects.all(), "columns": columns,
        "stages": [column["stage"] for column in columns], "lost_reasons": LostReason.objects.all()})


@crm_view("crm.pipeline")
def deal_list(request):
    params = request.GET
    deals = selectors.deal_list(membership=request.membership, pipeline_id=params.get("pipeline") or None,
                                stage_id=params.get("stage") or None, state=params.get("state", ""),
                                q=params.get("q", ""), order=params.get("order", "-created_at"))
    page = Paginator(deals, 50).get_page(params.get("page"))
    return render(request, "crm/deals/list.html", {
        "page": page, "pipelines": Pipeline.objects.all(), "stages": Stage.objects.select_related("pipeline"),
        "params": params})


@crm_view("crm.pipeline", Access.EDIT)
def deal_create(request):
    initial = {"pipeline": deal_services.default_pipeline(), "party": request.GET.get("party")}
    form = DealForm(request.POST or None, tenant=request.tenant, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {**form.cleaned_data}
        data["owner_id"] = data.pop("owner") or request.user.pk
        try:
            deal = deal_services.deal_create(actor=request.user, **data)
        except CrmError as error:
            _form_error(form, error)
        else:
            return redirect("deal_detail", pk=deal.pk)
    return render(request, "crm/deals/form.html", {"form": form}, status=400 if form.errors else 200)


def _has_catalog(request) -> bool:
    return entitlements_of_request(request).allows("erp.catalog")


def _plain(number: Decimal) -> Decimal:
    """3.000 -> 3 and 2500000.00 -> 2500000 in the form's inputs (3.500 -> 3.5)."""
    return number.quantize(Decimal(1)) if number == number.to_integral_value() else number.normalize()


PRODUCT_SUGGESTIONS = 300  # the SKU field's suggestions; any active SKU can still be typed


@crm_view("crm.pipeline")
def deal_detail(request, pk: int):
    deal = selectors.deal_detail(membership=request.membership, pk=pk)
    catalog = _has_catalog(request)
    lines = DealLineFormSet(initial=[{"product": line.product, "description": line.description,
                                      "quantity": _plain(line.quantity), "unit_price": _plain(line.unit_price)}
                                     for line in deal.lines.all()], prefix="lines", form_kwargs={"catalog": catalog})
    context = {
        "deal": deal, "stages": deal.pipeline.stages.all(), "lost_form": LostForm(), "line_formset": lines,
        "activities": deal.activities.all()[:20], "history": history_of(deal), "catalog": catalog,
        "activity_form": ActivityForm(tenant=request.tenant, initial={"deal": deal.pk})}
    if catalog:
        from modules.erp.catalog.models import Product

        context["product_suggestions"] = Product.objects.filter(is_active=True).only("sku", "name")[
            :PRODUCT_SUGGESTIONS]
    if entitlements_of_request(request).allows("erp.sales"):
        from modules.erp.sales.selectors_from_deal import deal_order_panel

        context["order_panel"] = deal_order_panel(deal=deal, request=request)
    return render(request, "crm/deals/detail.html", context)


@crm_view("crm.pipeline")
def deal_line_price(request, pk: int):
    """The name and the price of a product for this deal's customer and currency (the line form fills them in)."""
    deal = get_for(Deal.objects.select_related("party"), membership=request.membership, pk=pk)
    if not _has_catalog(request):
        raise Http404
    from modules.erp.catalog.models import Product
    from modules.erp.catalog.selectors import price_for
    from modules.erp.errors import ErpError

    product = Product.objects.filter(is_active=True, sku=request.GET.get("product", "").strip()).first()
    if product is None:
        return JsonResponse({"error": _("No active product has this SKU.")}, status=404)
    try:
        quantity = Decimal(request.GET.get("quantity") or 1)
    except InvalidOperation:
        quantity = Decimal(1)
    if not quantity.is_finite() or quantity <= 0:
        quantity = Decimal(1)
    try:
        price = price_for(product=product, party=deal.party, quantity=quantity, currency=deal.currency)
    except ErpError as error:
        return JsonResponse({"description": product.name, "error": error.message}, status=422)
    return JsonResponse({"description": product.name, "unit_price": str(price)})


@crm_view("crm.pipeline", Access.EDIT)
def deal_edit(request, pk: int):
    deal = get_for(Deal.objects.all(), membership=request.membership, pk=pk)
    form = DealForm(request.POST or None, instance=deal, tenant=request.tenant)
    if request.method == "POST" and form.is_valid():
        data = {**form.cleaned_data}
        data["owner_id"] = data.pop("owner")
        try:
            deal_services.deal_update(deal=deal, actor=request.user, **data)
        except CrmError as error:
            _form_error(form, error)
        else:
            return redirect("deal_detail", pk=deal.pk)
    return render(request, "crm/deals/form.html", {"form": form, "deal": deal}, status=400 if form.errors else 200)


@require_POST
@crm_view("crm.pipeline", Access.EDIT)
def deal_move(request, pk: int):
    """Drag and drop (htmx posts stage + position) or the no-JavaScript form on each card."""
    deal = get_for(Deal.objects.select_related("pipeline"), membership=request.membership, pk=pk)
    form = MoveForm(request.POST)
    lost = LostForm(request.POST) if request.POST.get("reason") else None
    error = None
    if not form.is_valid():
        error = _("Choose a stage.")
    else:
        try:
            deal_services.deal_move(deal=deal, stage=form.cleaned_data["stage"], actor=request.user,
                                    position=form.cleaned_data.get("position"),
                                    lost_reason=lost.cleaned_data["reason"] if lost and lost.is_valid() else None,
                                    lost_note=lost.cleaned_data["note"] if lost and lost.is_valid() else "")
        except CrmError as crm_error:
            error = crm_error.message
    if request.htmx:
        status = 200 if error is None else 400
        return HttpResponse(json.dumps({"ok": error is None, "error": error}), status=status,
                            content_type="application/json")
    if error:
        messages.error(request, error)
    return redirect(request.POST.get("next") or "deal_board")


@require_POST
@crm_view("crm.pipeline", Access.EDIT)
def deal_lines(request, pk: int):
    deal = get_for(Deal.objects.all(), membership=request.membership, pk=pk)
    formset = DealLineFormSet(request.POST, prefix="lines", form_kwargs={"catalog": _has_catalog(request)})
    if not formset.is_valid():
        errors = [f"{_('Line')} {number}: {' '.join(' '.join(e) for e in form.errors.values())}"
                  for number, form in enumerate(formset.forms, start=1) if form.errors]
        messages.error(request, " · ".join(errors))
        return redirect("deal_detail", pk=deal.pk)
    lines = [line for line in (form.line() for form in formset.forms) if line is not None]
    try:
        deal_services.deal_set_lines(deal=deal, lines=lines, actor=request.user)
    except CrmError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Line items saved; the deal's value is their total."))
    return redirect("deal_detail", pk=deal.pk)


@crm_view("crm.pipeline", Access.MANAGE)
def pipeline_edit(request, pk: int):
    pipeline = get_object_or_404(Pipeline, pk=pk)
    initial = [{"stage_id": s.pk, "name": s.name, "probability": s.probability}
               for s in pipeline.stages.filter(kind=Stage.Kind.OPEN)]
    formset = StageFormSet(request.POST or None, initial=initial, prefix="stages")
    if request.method == "POST" and formset.is_valid():
        try:
            deal_services.pipeline_update_stages(pipeline=pipeline, actor=request.user,
                                                 stages=[row for row in formset.cleaned_data if row])
        except CrmError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Stages saved."))
            return redirect(f"{_board_url()}?pipeline={pipeline.pk}")
    return render(request, "crm/deals/pipeline_edit.html", {"pipeline": pipeline, "formset": formset},
                  status=400 if formset.is_bound and formset.errors else 200)


@require_POST
@crm_view("crm.pipeline", Access.EDIT)
def deal_lost(request, pk: int):
    deal = get_for(Deal.objects.select_related("pipeline"), membership=request.membership, pk=pk)
    form = LostForm(request.POST)
    if form.is_valid():
        deal_services.deal_mark_lost(deal=deal, actor=request.user, reason=form.cleaned_data["reason"],
                                     note=form.cleaned_data["note"])
    else:
        messages.error(request, _("Say why the deal was lost."))
    return redirect("deal_detail", pk=deal.pk)


@require_POST
@crm_view("crm.pipeline", Access.EDIT)
def deal_won(request, pk: int):
    deal = get_for(Deal.objects.select_related("pipeline"), membership=request.membership, pk=pk)
    deal_services.deal_mark_won(deal=deal, actor=request.user)
    messages.success(request, _("Won! Well done."))
    return redirect("deal_detail", pk=deal.pk)


@crm_view("crm.pipelines_multi", Access.MANAGE)
def pipeline_create(request):
    form = PipelineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            pipeline = deal_services.pipeline_create(actor=request.user, tenant=request.tenant,
                                                     name=form.cleaned_data["name"],
                                                     stages=form.cleaned_data["stages"])
        except CrmError as error:
            _form_error(form, error)
        else:
            return redirect(f"{_board_url()}?pipeline={pipeline.pk}")
    return render(request, "crm/deals/pipeline_form.html", {"form": form}, status=400 if form.errors else 200)


def _board_url() -> str:
    from django.urls import reverse

    return reverse("deal_board")


# ---------------------------------------------------------------- activities
@crm_view("crm.activities")
def my_day(request):
    section = request.GET.get("section")
    data = selectors.my_day(membership=request.membership, section=section)
    if "queryset" in data:
        page = Paginator(data["queryset"], 100).get_page(request.GET.get("page"))
        return render(request, "crm/activities/section.html", {"section": data["section"], "page": page})
    return render(request, "crm/activities/my_day.html", {
        **data, "notifications": Notification.objects.filter(user_id=request.user.pk, read_at__isnull=True)[:10]})


@require_POST
@crm_view("crm.activities", Access.EDIT)
def activity_create(request):
    form = ActivityForm(request.POST, tenant=request.tenant)
    back = request.POST.get("next") or "my_day"
    if not form.is_valid():
        messages.error(request, "; ".join(f"{field}: {' '.join(errors)}" for field, errors in form.errors.items()))
        return redirect(back)
    data = {**form.cleaned_data}
    data["owner_id"] = data.pop("owner") or request.user.pk
    for link in ("party", "lead", "deal"):
        record = data.get(link)
        if record is not None:
            _ensure_visible(request, record)
    try:
        activity_services.activity_create(actor=request.user, **data)
    except CrmError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Activity saved."))
    return redirect(back)


def _ensure_visible(request, record) -> None:
    """Linking to a record counts as opening it: someone else's deal answers 404."""
    from modules.crm.access import scope

    team_field = "team" if isinstance(record, Deal | Lead) else None
    get_for(scope(type(record).objects.all(), membership=request.membership, team_field=team_field),
            membership=request.membership, pk=record.pk, team_field=team_field)


@require_POST
@crm_view("crm.activities", Access.EDIT)
def activity_done(request, pk: int):
    activity = get_for(Activity.objects.all(), membership=request.membership, pk=pk, team_field=None)
    activity_services.activity_complete(activity=activity, actor=request.user)
    return redirect(request.POST.get("next") or "my_day")


# ---------------------------------------------------------------- overview
@crm_view("crm.dashboard")
def crm_dashboard(request):
    data = selectors.dashboard(membership=request.membership)
    chart = {
        "funnel": {"labels": [row["stage"] for row in data["funnel"]], "values": [row["n"] for row in data["funnel"]]},
        "won": {"labels": [row["month"] for row in data["won_trend"]],
                "values": [float(row["total"]) for row in data["won_trend"]]},
        "roi": {"labels": [row["name"] for row in data["campaigns"]],
                "values": [float(row["roi"]) if row["roi"] is not None else 0 for row in data["campaigns"]]},
    }
    return render(request, "crm/dashboard.html", {**data, "chart_json": json.dumps(chart)})


urlpatterns = [
    path("", crm_dashboard, name="crm_dashboard"),
    path("leads/", lead_list, name="lead_list"),
    path("leads/new/", lead_create, name="lead_create"),
    path("leads/<int:pk>/", lead_detail, name="lead_detail"),
    path("leads/<int:pk>/edit/", lead_edit, name="lead_edit"),
    path("leads/<int:pk>/convert/", lead_convert, name="lead_convert"),
    path("deals/", deal_board, name="deal_board"),
    path("deals/list/", deal_list, name="deal_list"),
    path("deals/new/", deal_create, name="deal_create"),
    path("deals/<int:pk>/", deal_detail, name="deal_detail"),
    path("deals/<int:pk>/edit/", deal_edit, name="deal_edit"),
    path("deals/<int:pk>/move/", deal_move, name="deal_move"),
    path("deals/<int:pk>/won/", deal_won, name="deal_won"),
    path("deals/<int:pk>/lost/", deal_lost, name="deal_lost"),
    path("pipelines/new/", pipeline_create, name="pipeline_create"),
    path("pipelines/<int:pk>/", pipeline_edit, name="pipeline_edit"),
    path("deals/<int:pk>/lines/", deal_lines, name="deal_lines"),
    path("deals/<int:pk>/line-price/", deal_line_price, name="deal_line_price"),
    path("my-day/", my_day, name="my_day"),
    path("activities/new/", activity_create, name="activity_create"),
    path("activities/<int:pk>/done/", activity_done, name="activity_done"),
]
