"""Companies & contacts: list with search and filters, record page, create/edit, archive, addresses, merge."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from modules.crm.access import scope
from modules.crm.errors import CrmError
from modules.crm.views.common import crm_view
from modules.parties import selectors, services
from modules.parties.forms import AddressForm, PartyForm
from modules.parties.models import Address, Party
from modules.parties.provinces import PROVINCES
from tenants.access import membership_allows
from tenants.roles import Access

FEATURE = "crm.contacts"
PAGE_SIZE = 25
DUPLICATES_SHOWN = 5


def _can_edit(request) -> bool:
    return membership_allows(request.membership, "crm", Access.EDIT)


def _owners(request):
    return get_user_model().objects.filter(memberships__tenant=request.tenant, memberships__is_active=True)


def _party_form(request, data=None, initial=None) -> PartyForm:
    organizations = scope(Party.objects.filter(kind=Party.Kind.ORGANIZATION, is_active=True),
                          membership=request.membership, team_field=None)
    return PartyForm(data, initial=initial, organizations=organizations, owners=_owners(request))


def _form_error(form, error: CrmError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


@crm_view(FEATURE, Access.VIEW)
def party_list(request):
    filters = {
        "q": request.GET.get("q", "").strip(),
        "role": request.GET.get("role", ""),
        "kind": request.GET.get("kind", ""),
        "tag": request.GET.get("tag", ""),
        "province": request.GET.get("province", ""),
        "owner": request.GET.get("owner", ""),
        "archived": request.GET.get("archived", "") == "1",
    }
    parties = selectors.party_list(
        membership=request.membership, q=filters["q"], role=filters["role"], kind=filters["kind"],
        owner_id=int(filters["owner"]) if filters["owner"].isdigit() else None, tag=filters["tag"],
        province=filters["province"], archived=filters["archived"])
    page = Paginator(parties, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "filters": filters,
        "filtered": any(value for value in filters.values()),
        "query": query.urlencode(),
        "owners": _owners(request).order_by("email"),
        "tags": selectors.party_tags(membership=request.membership),
        "provinces": PROVINCES,
        "kinds": Party.Kind.choices,
        "can_edit": _can_edit(request),
    }
    return render(request, "crm/parties/list.html", context)


@crm_view(FEATURE, Access.EDIT)
def party_create(request):
    if request.method == "POST":
        form = _party_form(request, request.POST)
        if form.is_valid():
            try:
                party = services.party_create(actor=request.user, **form.cleaned_data)
            except CrmError as error:
                _form_error(form, error)
            else:
                messages.success(request, _("%(name)s was added.") % {"name": party.name})
                return redirect("party_detail", pk=party.pk)
        return render(request, "crm/parties/form.html", {"form": form, "party": None}, status=400)
    initial = {"kind": request.GET.get("kind") or Party.Kind.ORGANIZATION, "owner": request.user.pk,
               "is_customer": True}
    if request.GET.get("organization", "").isdigit():
        initial.update(organization=int(request.GET["organization"]), kind=Party.Kind.PERSON)
    return render(request, "crm/parties/form.html", {"form": _party_form(request, initial=initial), "party": None})


@crm_view(FEATURE, Access.VIEW)
def party_detail(request, pk: int):
    party = selectors.get_party_for(membership=request.membership, pk=pk)
    if party.merged_into_id:
        messages.info(request, _("%(name)s was merged into this record.") % {"name": party.name})
        return redirect("party_detail", pk=party.merged_into_id)
    return render(request, "crm/parties/detail.html", _detail_context(request, party, AddressForm()))


def _detail_context(request, party: Party, address_form: AddressForm) -> dict:
    can_edit = _can_edit(request)
    duplicates = []
    if can_edit and party.is_active:
        visible = scope(Party.objects.all(), membership=request.membership, team_field=None)
        duplicates = list(selectors.duplicates_of(party, visible)[:DUPLICATES_SHOWN])
    related = selectors.party_related(party=party, membership=request.membership)
    return {
        "party": party,
        **related,
        "history": _history_rows(related["history"]),
        "duplicates": duplicates,
        "address_form": address_form,
        "can_edit": can_edit,
    }


def _history_rows(entries) -> list[dict]:
    """Audit rows as (what, before, after) lines; field names in their label where the field is known."""
    labels = {field.attname: str(field.verbose_name) for field in Party._meta.concrete_fields}
    labels.update(merged_from=_("merged from record"), moved=_("linked records moved"))
    rows = []
    for entry in entries:
        changes = entry.detail.get("changes", {})
        lines = [(labels.get(key, key), pair[0], pair[1]) for key, pair in changes.items()]
        summary = entry.detail.get("after", entry.detail.get("before", {})).get("address", "")
        rows.append({"entry": entry, "lines": lines, "summary": summary})
    return rows


@crm_view(FEATURE, Access.EDIT)
def party_edit(request, pk: int):
    party = selectors.get_party_for(membership=request.membership, pk=pk)
    if request.method == "POST":
        form = _party_form(request, request.POST)
        if form.is_valid():
            try:
                services.party_update(party=party, actor=request.user, **form.cleaned_data)
            except CrmError as error:
                _form_error(form, error)
            else:
                messages.success(request, _("Changes saved."))
                return redirect("party_detail", pk=party.pk)
        return render(request, "crm/parties/form.html", {"form": form, "party": party}, status=400)
    form = _party_form(request, initial=PartyForm.initial_from(party))
    return render(request, "crm/parties/form.html", {"form": form, "party": party})


@require_POST
@crm_view(FEATURE, Access.EDIT)
def party_archive(request, pk: int):
    party = selectors.get_party_for(membership=request.membership, pk=pk)
    services.party_archive(party=party, actor=request.user)
    messages.success(request, _("%(name)s was archived. It no longer shows in lists.") % {"name": party.name})
    return redirect("party_detail", pk=party.pk)


@require_POST
@crm_view(FEATURE, Access.EDIT)
def party_restore(request, pk: int):
    party = selectors.get_party_for(membership=request.membership, pk=pk)
    try:
        services.party_restore(party=party, actor=request.user)
    except CrmError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(name)s is active again.") % {"name": party.name})
    return redirect("party_detail", pk=party.pk)


@require_POST
@crm_view(FEATURE, Access.EDIT)
def address_add(request, pk: int):
    party = selectors.get_party_for(membership=request.membership, pk=pk)
    form = AddressForm(request.POST)
    if form.is_valid():
        try:
            services.address_add(party=party, actor=request.user, **form.cleaned_data)
        except CrmError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Address added."))
            return redirect("party_detail", pk=party.pk)
    return render(request, "crm/parties/detail.html", _detail_context(request, party, form), status=400)


@require_POST
@crm_view(FEATURE, Access.EDIT)
def address_remove(request, pk: int, address_id: int):
    party = selectors.get_party_for(membership=request.membership, pk=pk)
    address = Address.objects.filter(party=party, pk=address_id).select_related("party").first()
    if address is not None:
        services.address_remove(address=address, actor=request.user)
        messages.success(request, _("Address removed."))
    return redirect("party_detail", pk=party.pk)


@crm_view(FEATURE, Access.EDIT)
def party_merge(request, pk: int, other_pk: int):
    """Confirm, then merge ``other_pk`` into ``pk``: the page lists what moves before anything does."""
    keep = selectors.get_party_for(membership=request.membership, pk=pk)
    lose = selectors.get_party_for(membership=request.membership, pk=other_pk)
    error = None
    if request.method == "POST":
        try:
            services.party_merge(keep=keep, lose=lose, actor=request.user)
        except CrmError as problem:
            error = problem.message
        else:
            messages.success(request, _("%(lose)s was merged into %(keep)s.") % {"lose": lose.name, "keep": keep.name})
            return redirect("party_detail", pk=keep.pk)
    context = {"keep": keep, "lose": lose, "preview": selectors.merge_preview(keep=keep, lose=lose), "error": error}
    return render(request, "crm/parties/merge.html", context, status=400 if error else 200)
