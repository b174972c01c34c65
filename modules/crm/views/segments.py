"""Customer segments (RFM): segment sizes, the score rules, and the parties in each segment.

Scores are computed over the whole workspace (a quintile needs everyone); the lists show the parties the
viewer may see: all for owners, admins and viewers, otherwise the parties they own or have a won deal with.
"""

from __future__ import annotations

from django.db.models import Q
from django.shortcuts import render
from django.urls import NoReverseMatch, path, reverse

from modules.crm.access import scope, sees_everything
from modules.crm.models import Deal
from modules.crm.selectors import segments as selectors
from modules.crm.views.common import crm_view
from modules.parties.models import Party

ROWS_PER_SEGMENT = 200


def _visible_party_ids(membership, party_ids: list[int]) -> set[int]:
    own = scope(Party.objects.all(), membership=membership, team_field=None).values("pk")
    dealt = scope(Deal.objects.filter(stage__kind="won"), membership=membership).values("party_id")
    return set(Party.objects.filter(Q(pk__in=own) | Q(pk__in=dealt), pk__in=party_ids).values_list("pk", flat=True))


def _party_url(pk: int) -> str | None:
    # The party pages are built by the parties area; until ``party_detail`` is routed, names are plain text.
    try:
        return reverse("party_detail", args=[pk])
    except NoReverseMatch:
        return None


@crm_view("crm.segments")
def segments(request):
    parties = selectors.rfm()
    if parties and not sees_everything(request.membership):
        visible = _visible_party_ids(request.membership, [party.party_id for party in parties])
        parties = [party for party in parties if party.party_id in visible]
    sizes = selectors.segment_sizes(parties)
    chosen = request.GET.get("segment", "")
    groups = []
    for segment, size in sizes:
        if not size or (chosen and chosen != segment.key):
            continue
        members = [party for party in parties if party.segment == segment.key][:ROWS_PER_SEGMENT]
        groups.append({"segment": segment, "size": size,
                       "parties": [(party, _party_url(party.party_id)) for party in members]})
    return render(request, "crm/segments/segments.html", {
        "parties_count": len(parties), "sizes": sizes, "groups": groups, "chosen": chosen,
        "chart": selectors.segments_chart(sizes), "rules": selectors.rule_rows(),
        "other_currency": selectors.other_currency_won(), "currency": selectors.CURRENCY,
        "rows_per_segment": ROWS_PER_SEGMENT,
    })


urlpatterns = [
    path("segments/", segments, name="segments"),
]
