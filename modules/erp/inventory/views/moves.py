"""The move ledger (sổ kho): every posted move, filtered by product, kind and dates, with a reversal for a move
that is neither a reversal nor already reversed (the ledger is never edited)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from modules.erp.errors import ErpError
from modules.erp.inventory import selectors, services
from modules.erp.inventory.forms import MoveFilterForm
from modules.erp.inventory.models import StockMove
from modules.erp.inventory.views._common import FEATURE, PAGE_SIZE, can_edit, error_message
from modules.erp.views_common import erp_view
from tenants.roles import Access


@erp_view(FEATURE)
def move_list(request):
    filters = MoveFilterForm(request.GET or None)
    values = filters.cleaned_data if filters.is_valid() else {}
    product = values.get("product")
    moves = selectors.move_list(product_id=product.pk if product else None, kind=values.get("kind", ""),
                                date_from=values.get("date_from"), date_to=values.get("date_to"))
    page = Paginator(moves, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "erp/inventory/move_list.html", {
        "page": page, "filters": filters, "filtered": any(values.values()), "can_edit": can_edit(request)})


@erp_view(FEATURE, Access.EDIT)
@require_POST
def move_reverse(request, pk: int):
    move = get_object_or_404(StockMove, pk=pk)
    try:
        reversal = services.move_reverse(actor=request.user, move=move)
    except ErpError as error:
        error_message(request, error)
    else:
        messages.success(request, _("Move #%(move)s reversed by move #%(reversal)s.") % {
            "move": move.pk, "reversal": reversal.pk})
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("inventory_move_list")


urlpatterns = [
    path("", move_list, name="inventory_move_list"),
    path("<int:pk>/reverse/", move_reverse, name="inventory_move_reverse"),
]
