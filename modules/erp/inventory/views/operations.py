"""Operations (pickings): the list by kind and state with "to do today", the detail with its validate form
(done quantity per line, lot/serial codes on tracked products; what is left goes to a backorder), cancel, and
the internal transfer form."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from billing.errors import BillingError
from modules.erp.errors import ErpError
from modules.erp.inventory import selectors_ui, services
from modules.erp.inventory.forms import PickingFilterForm, PickingValidateForm, TransferForm, TransferLineFormSet
from modules.erp.inventory.models import Picking
from modules.erp.inventory.views._common import FEATURE, PAGE_SIZE, can_edit, error_message, form_error
from modules.erp.views_common import erp_view
from tenants.roles import Access


def _picking(pk: int) -> Picking:
    try:
        return selectors_ui.picking_for_detail(pk)
    except Picking.DoesNotExist:
        raise Http404 from None


@erp_view(FEATURE)
def picking_list(request):
    filters = PickingFilterForm(request.GET or None)
    values = filters.cleaned_data if filters.is_valid() else {}
    pickings = selectors_ui.picking_list(kind=values.get("kind", ""), state=values.get("state", ""),
                                         today=values.get("today", False))
    page = Paginator(pickings, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "erp/inventory/picking_list.html", {
        "page": page, "filters": filters, "filtered": any(values.values()), "can_edit": can_edit(request),
        "today": timezone.localdate()})


def _detail(request, picking: Picking, *, form=None, status: int = 200):
    lines = list(picking.lines.all())
    if form is None and picking.state == Picking.State.READY:
        form = PickingValidateForm(lines=lines)
    return render(request, "erp/inventory/picking_detail.html", {
        "picking": picking, "lines": form.lines if form is not None else lines, "form": form,
        "moves": list(picking.moves.all()), "backorders": list(picking.backorders.all()),
        "can_edit": can_edit(request)}, status=status)


@erp_view(FEATURE)
def picking_detail(request, pk: int):
    return _detail(request, _picking(pk))


@erp_view(FEATURE, Access.EDIT)
@require_POST
def picking_validate(request, pk: int):
    picking = _picking(pk)
    form = PickingValidateForm(request.POST, lines=picking.lines.all())
    if form.is_valid():
        try:
            backorder = services.picking_validate(actor=request.user, picking=picking, done=form.done(),
                                                  lot_codes=form.lot_codes() or None)
        except (ErpError, BillingError) as error:
            form_error(form, error)
        else:
            if backorder is None:
                messages.success(request, _("%(number)s validated: the stock has moved.") % {"number": picking.number})
            else:
                messages.success(request, format_html(
                    '{} <a href="{}" data-testid="backorder-link">{}</a>',
                    _("%(number)s validated in part. What is left waits on a backorder:") % {
                        "number": picking.number},
                    reverse("inventory_picking_detail", args=[backorder.pk]), backorder.number))
            return redirect("inventory_picking_detail", pk=picking.pk)
    return _detail(request, picking, form=form, status=400)


@erp_view(FEATURE, Access.EDIT)
@require_POST
def picking_cancel(request, pk: int):
    picking = _picking(pk)
    try:
        services.picking_cancel(actor=request.user, picking=picking)
    except ErpError as error:
        error_message(request, error)
    else:
        messages.success(request, _("%(number)s cancelled.") % {"number": picking.number})
    return redirect("inventory_picking_detail", pk=picking.pk)


@erp_view(FEATURE, Access.EDIT)
def transfer_create(request):
    form = TransferForm(request.POST or None)
    lines = TransferLineFormSet(request.POST or None, prefix="lines")
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        data = form.cleaned_data
        try:
            picking = services.picking_create(
                actor=request.user, kind=Picking.Kind.INTERNAL, warehouse=data["location_src"].warehouse,
                lines=lines.lines(), location_src=data["location_src"], location_dest=data["location_dest"],
                scheduled_date=data["scheduled_date"], note=data["note"])
        except (ErpError, BillingError) as error:
            form_error(form, error)
        else:
            messages.success(request, _("Transfer %(number)s created: validate it when the goods have moved.") % {
                "number": picking.number})
            return redirect("inventory_picking_detail", pk=picking.pk)
    failed = bool(form.errors or lines.total_error_count())
    return render(request, "erp/inventory/transfer_form.html", {"form": form, "lines": lines},
                  status=400 if failed else 200)


urlpatterns = [
    path("", picking_list, name="inventory_picking_list"),
    path("transfer/new/", transfer_create, name="inventory_transfer_create"),
    path("<int:pk>/", picking_detail, name="inventory_picking_detail"),
    path("<int:pk>/validate/", picking_validate, name="inventory_picking_validate"),
    path("<int:pk>/cancel/", picking_cancel, name="inventory_picking_cancel"),
]
