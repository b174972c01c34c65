"""Stock counts (kiểm kê): start one for a warehouse, enter the counted quantities (one form with every line),
apply it (the differences become adjustment moves, shown afterwards) or cancel it."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from modules.erp.errors import ErpError
from modules.erp.inventory import selectors_ui, services
from modules.erp.inventory.forms import CountLinesForm, CountStartForm
from modules.erp.inventory.models import StockCount
from modules.erp.inventory.views._common import FEATURE, PAGE_SIZE, can_edit, error_message, forbidden, form_error
from modules.erp.views_common import erp_view
from tenants.roles import Access


def _list_page(request, *, form=None, status: int = 200):
    page = Paginator(selectors_ui.count_list(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "erp/inventory/count_list.html", {
        "page": page, "form": form or CountStartForm(), "can_edit": can_edit(request)}, status=status)


@erp_view(FEATURE)
def count_list(request):
    return _list_page(request)


@erp_view(FEATURE, Access.EDIT)
@require_POST
def count_start(request):
    form = CountStartForm(request.POST)
    if form.is_valid():
        try:
            count = services.count_start(actor=request.user, **form.cleaned_data)
        except ErpError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Count %(number)s started: enter what you find on the shelves.") % {
                "number": count.number})
            return redirect("inventory_count_detail", pk=count.pk)
    return _list_page(request, form=form, status=400)


def _detail(request, count: StockCount, *, form=None, status: int = 200):
    lines = selectors_ui.count_lines(count)
    if form is None:
        form = CountLinesForm(lines=lines)
    adjustments = selectors_ui.count_adjustments(count) if count.state == StockCount.State.DONE else []
    return render(request, "erp/inventory/count_detail.html", {
        "count": count, "form": form, "lines": form.lines, "adjustments": adjustments,
        "counted": sum(1 for line in form.lines if line.counted is not None), "can_edit": can_edit(request)},
        status=status)


def _count(pk: int) -> StockCount:
    return get_object_or_404(StockCount.objects.select_related("warehouse"), pk=pk)


@erp_view(FEATURE)
def count_detail(request, pk: int):
    if request.method == "POST" and not can_edit(request):
        return forbidden(request)
    count = _count(pk)
    if request.method != "POST":
        return _detail(request, count)
    form = CountLinesForm(request.POST, lines=selectors_ui.count_lines(count))
    if form.is_valid():
        try:
            with transaction.atomic():
                for line, counted in form.changed_lines():
                    services.count_line_set(actor=request.user, line=line, counted=counted)
        except ErpError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Counted quantities saved."))
            return redirect("inventory_count_detail", pk=count.pk)
    return _detail(request, count, form=form, status=400)


@erp_view(FEATURE, Access.EDIT)
@require_POST
def count_apply(request, pk: int):
    count = _count(pk)
    try:
        moves = services.count_apply(actor=request.user, count=count)
    except ErpError as error:
        error_message(request, error)
    else:
        messages.success(request, _("Count %(number)s applied: %(moves)d adjustment(s) posted.") % {
            "number": count.number, "moves": len(moves)})
    return redirect("inventory_count_detail", pk=count.pk)


@erp_view(FEATURE, Access.EDIT)
@require_POST
def count_cancel(request, pk: int):
    count = _count(pk)
    try:
        services.count_cancel(actor=request.user, count=count)
    except ErpError as error:
        error_message(request, error)
    else:
        messages.success(request, _("Count %(number)s cancelled: the stock is unchanged.") % {"number": count.number})
    return redirect("inventory_count_detail", pk=count.pk)


urlpatterns = [
    path("", count_list, name="inventory_count_list"),
    path("new/", count_start, name="inventory_count_start"),
    path("<int:pk>/", count_detail, name="inventory_count_detail"),
    path("<int:pk>/apply/", count_apply, name="inventory_count_apply"),
    path("<int:pk>/cancel/", count_cancel, name="inventory_count_cancel"),
]
