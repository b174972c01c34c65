"""Reads of the party master: search, duplicates, the list, a record's linked data and what a merge moves."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.postgres.search import TrigramSimilarity
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.fields.reverse_related import ForeignObjectRel
from django.db.models.functions import Lower
from django.db.models.lookups import Contains
from django.utils.text import capfirst

from modules.crm.access import get_for, scope
from modules.crm.audit import history_of
from modules.crm.models import Activity, Deal, Lead, Ticket
from modules.parties.models import Address, Party, Unaccent
from modules.parties.validation import phone_search_digits

DUPLICATE_NAME_SIMILARITY = 0.6
RECENT_ROWS = 5


class Similarity(TrigramSimilarity):
    """pg_trgm's ``similarity()``, installed in public (schema-qualified like ``public.f_unaccent``)."""

    function = "public.similarity"


def name_key(expression="name"):
    """The accent-insensitive form of a name, exactly the expression the ``party_name_trgm`` index covers."""
    return Unaccent(Lower(expression))


def party_search(queryset: QuerySet, q: str) -> QuerySet:
    """Accent-insensitive: "nguyen van a" finds "Nguyễn Văn A", "dong" finds "Đông"; also by email, phone, tax code.

    The name test compiles to ``public.f_unaccent(lower(name)) LIKE '%' || public.f_unaccent(lower(%s)) || '%'``;
    the right side is constant, so PostgreSQL folds it and can use the trigram index.
    """
    q = " ".join((q or "").split())
    if not q:
        return queryset
    matches = Q(Contains(name_key(), name_key(Value(q))))
    # Each further test is added only when the query can be one, so a plain name search stays on the index.
    if "@" in q or ("." in q and " " not in q):
        matches |= Q(email__icontains=q)
    digits = phone_search_digits(q)
    if digits:
        matches |= Q(phone__contains=digits)
    tax_code = q.replace(" ", "").replace("-", "")
    if tax_code.isdigit():
        # Stored as 0123456789 or 0123456789-001; people type the branch with or without the dash.
        matches |= Q(tax_code__startswith=f"{tax_code[:10]}-{tax_code[10:]}" if len(tax_code) > 10 else tax_code)
    return queryset.filter(matches)


def duplicates_of(party: Party, queryset: QuerySet | None = None) -> QuerySet:
    """Active parties that look like ``party``: the same tax code, email or phone, or a name whose unaccented
    trigram similarity is above 0.6. Each row carries ``name_similarity``."""
    queryset = Party.objects.all() if queryset is None else queryset
    same = Q(name_similarity__gt=DUPLICATE_NAME_SIMILARITY)
    if party.tax_code:
        same |= Q(tax_code=party.tax_code)
    if party.email:
        same |= Q(email__iexact=party.email)
    if party.phone:
        same |= Q(phone=party.phone)
    return (
        queryset.filter(is_active=True, merged_into=None).exclude(pk=party.pk)
        .annotate(name_similarity=Similarity(name_key(), name_key(Value(party.name))))
        .filter(same)
        .select_related("owner")
        .order_by("-name_similarity", "name", "pk")
    )


ROLE_FILTERS = {"customer": "is_customer", "supplier": "is_supplier", "prospect": "is_prospect"}


def party_list(*, membership, q: str = "", role: str = "", kind: str = "", owner_id: int | None = None,
               tag: str = "", province: str = "", archived: bool = False) -> QuerySet:
    """The party list a member may see, filtered; each row carries ``province_code`` (its primary address)."""
    parties = scope(Party.objects.all(), membership=membership, team_field=None)
    parties = parties.filter(is_active=not archived, merged_into=None)
    if role in ROLE_FILTERS:
        parties = parties.filter(**{ROLE_FILTERS[role]: True})
    if kind in Party.Kind.values:
        parties = parties.filter(kind=kind)
    if owner_id:
        parties = parties.filter(owner_id=owner_id)
    if tag:
        parties = parties.filter(tags__contains=[tag])
    if province:
        parties = parties.filter(pk__in=Address.objects.filter(province=province).values("party_id"))
    parties = party_search(parties, q)
    primary_province = (Address.objects.filter(party=OuterRef("pk")).exclude(province="")
                        .order_by("-is_primary", "pk").values("province")[:1])
    return parties.annotate(province_code=Subquery(primary_province)).select_related("organization", "owner")


def party_tags(*, membership) -> list[str]:
    """Tags in use on the parties a member sees (the list's tag filter)."""
    parties = scope(Party.objects.filter(is_active=True), membership=membership, team_field=None)
    tags = set()
    for row in parties.exclude(tags=[]).values_list("tags", flat=True).distinct()[:500]:
        tags.update(row)
    return sorted(tags, key=str.lower)


def get_party_for(*, membership, pk: int) -> Party:
    """A party the member may see (owner only: parties have no team); missing and forbidden both 404."""
    return get_for(Party.objects.select_related("organization", "owner", "merged_into"), membership=membership,
                   pk=pk, team_field=None)


def party_related(*, party: Party, membership) -> dict:
    """What the detail page shows: people, addresses, and the member-visible deals, leads, tickets, activities
    linked to the party (a count and the most recent rows of each), plus the audit history."""
    deals = scope(Deal.objects.filter(Q(party=party) | Q(contact=party)), membership=membership)
    leads = scope(Lead.objects.filter(party=party), membership=membership)
    tickets = scope(Ticket.objects.filter(Q(party=party) | Q(contact=party)), membership=membership,
                    owner_field="assignee", team_field=None)
    activities = scope(Activity.objects.filter(party=party), membership=membership, team_field=None)
    people = scope(party.people.filter(is_active=True), membership=membership, team_field=None)
    return {
        "people": list(people.order_by("name", "pk")[:50]),
        "addresses": list(party.addresses.order_by("-is_primary", "pk")),
        "deals": list(deals.select_related("stage", "owner").order_by("-created_at", "-pk")[:RECENT_ROWS]),
        "deal_count": deals.count(),
        "leads": list(leads.select_related("owner").order_by("-created_at", "-pk")[:RECENT_ROWS]),
        "lead_count": leads.count(),
        "tickets": list(tickets.select_related("assignee").order_by("-opened_at", "-pk")[:RECENT_ROWS]),
        "ticket_count": tickets.count(),
        "activities": list(activities.select_related("owner").order_by("-created_at", "-pk")[:RECENT_ROWS]),
        "activity_count": activities.count(),
        "history": list(history_of(party).select_related("actor")),
    }


def party_links() -> list[ForeignObjectRel]:
    """Every foreign key that points at a party, from any installed model (CRM today, ERP tomorrow).

    ``include_hidden`` matters: ``related_name="+"`` relations (a ticket's contact, ``merged_into``) and the
    through tables of many-to-many fields are hidden from ``_meta.related_objects``.
    """
    return [
        relation for relation in Party._meta.get_fields(include_hidden=True)
        if isinstance(relation, ForeignObjectRel) and (relation.one_to_many or relation.one_to_one)
    ]


def link_label(relation: ForeignObjectRel) -> str:
    model = relation.related_model._meta
    return f"{capfirst(model.verbose_name_plural)}: {relation.field.verbose_name}"


@dataclass(frozen=True)
class MergePreview:
    moves: list[tuple[str, int]]  # (what, how many) for each link that has rows on the party merged away
    fills: list[tuple[str, str]]  # (field label, value) that the kept party takes over because it has none
    tags_added: list[str]


def merge_preview(*, keep: Party, lose: Party) -> MergePreview:
    from modules.parties.services import merge_fills

    counts = {}
    for relation in party_links():
        manager = relation.related_model._base_manager
        counts[relation] = manager.filter(**{relation.field.name: lose}).aggregate(n=Count("pk"))["n"]
    moves = [(link_label(relation), count) for relation, count in counts.items() if count]
    fills = [(str(Party._meta.get_field(name).verbose_name), str(value))
             for name, value in merge_fills(keep=keep, lose=lose).items()]
    return MergePreview(moves=moves, fills=fills, tags_added=[tag for tag in lose.tags if tag not in keep.tags])
