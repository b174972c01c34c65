"""Reads for support tickets: who sees which ticket, the filtered list, SLA time left, the party's history.

Lists fetch their related rows up front: a page costs the same queries for 5 tickets or 500.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet
from django.http import Http404

from modules.crm.access import scope
from modules.crm.models import Activity, Deal, Ticket
from modules.crm.services.tickets import ACTIVE_STATUSES
from modules.crm.sla import BusinessCalendar
from tenants.roles import Role

NEAR_BREACH_MINUTES = 60  # business minutes left under which a ticket counts as near breach
SEE_ALL_TICKETS = (Role.OWNER, Role.ADMIN, Role.MANAGER, Role.VIEWER)


def tickets_visible(membership) -> QuerySet:
    """The record rule for tickets, which differs from sales records on purpose.

    Support is shared work, so owners, admins, managers and viewers see every ticket (viewers read
    only: the guard refuses their writes). Members see the tickets assigned to them and the unassigned
    queue, so anyone can pick up a new ticket; a ticket assigned to a colleague is theirs.
    The workspace's ``member_visibility`` setting (own/team) does not apply: tickets have no team.
    """
    tickets = Ticket.objects.all()
    if membership.role in SEE_ALL_TICKETS:
        return tickets
    return tickets.filter(Q(assignee_id=membership.user_id) | Q(assignee_id__isnull=True))


def get_ticket_for(membership, pk: int) -> Ticket:
    """One ticket the member may see; missing and forbidden both answer 404."""
    ticket = (tickets_visible(membership).select_related("party", "contact", "category", "assignee", "created_by")
              .filter(pk=pk).first())
    if ticket is None:
        raise Http404
    return ticket


def _first_response_live() -> Q:
    return Q(status__in=ACTIVE_STATUSES, first_responded_at__isnull=True, first_response_due__isnull=False)


def _resolution_live() -> Q:
    return Q(status__in=ACTIVE_STATUSES, resolution_due__isnull=False)


def breached_q(now: datetime) -> Q:
    """Flagged by the scan, or past a due time that is still running (the scan may not have run yet)."""
    return (Q(first_response_breached=True) | Q(resolution_breached=True)
            | (_first_response_live() & Q(first_response_due__lt=now))
            | (_resolution_live() & Q(resolution_due__lt=now)))


def near_breach_q(now: datetime, threshold: datetime) -> Q:
    """A running due time falls between now and ``threshold`` (now + NEAR_BREACH_MINUTES business minutes)."""
    return ((_first_response_live() & Q(first_response_due__gte=now, first_response_due__lte=threshold))
            | (_resolution_live() & Q(resolution_due__gte=now, resolution_due__lte=threshold)))


def ticket_list(*, membership, calendar: BusinessCalendar, now: datetime, status: str = "", priority: str = "",
                assignee: str = "", sla: str = "") -> QuerySet:
    """Visible tickets narrowed by the list's filters.

    ``status``: "" for the active ones (new, open, waiting), "all", or one status; ``assignee``: "me",
    "none" or a user id; ``sla``: "breached" or "near".
    """
    tickets = tickets_visible(membership).select_related("party", "category", "assignee")
    if status == "all":
        pass
    elif status in Ticket.Status.values:
        tickets = tickets.filter(status=status)
    else:
        tickets = tickets.filter(status__in=ACTIVE_STATUSES)
    if priority:
        tickets = tickets.filter(priority=priority)
    if assignee == "me":
        tickets = tickets.filter(assignee_id=membership.user_id)
    elif assignee == "none":
        tickets = tickets.filter(assignee_id__isnull=True)
    elif assignee.isdigit():
        tickets = tickets.filter(assignee_id=int(assignee))
    if sla == "breached":
        tickets = tickets.filter(breached_q(now))
    elif sla == "near":
        tickets = tickets.filter(near_breach_q(now, calendar.add(now, NEAR_BREACH_MINUTES)))
    return tickets.order_by("-opened_at", "-id")


@dataclass(frozen=True)
class SlaClock:
    """The nearest running SLA due time of a ticket and the business minutes left (negative: overdue)."""

    kind: str  # "first_response" | "resolution"
    due: datetime
    minutes_left: int
    overdue: bool

    @property
    def near(self) -> bool:
        return not self.overdue and self.minutes_left <= NEAR_BREACH_MINUTES


def sla_clock(ticket: Ticket, *, calendar: BusinessCalendar, now: datetime) -> SlaClock | None:
    """None when no SLA timer runs (resolved, closed, or no policy). Pure: no queries."""
    if ticket.status not in ACTIVE_STATUSES:
        return None
    running = []
    if ticket.first_responded_at is None and ticket.first_response_due is not None:
        running.append(("first_response", ticket.first_response_due))
    if ticket.resolution_due is not None:
        running.append(("resolution", ticket.resolution_due))
    if not running:
        return None
    kind, due = min(running, key=lambda item: item[1])
    # Past the due time is overdue even when no business minute has passed since (e.g. overnight).
    return SlaClock(kind=kind, due=due, minutes_left=calendar.between(now, due), overdue=due <= now)


@dataclass(frozen=True)
class PartyHistory:
    other_tickets: list
    deals: list
    activities: list


def party_history(*, ticket: Ticket, membership, limit: int = 10) -> PartyHistory:
    """The customer's other tickets, deals and recent activities, each within the member's record rules."""
    party_id = ticket.party_id
    other_tickets = (tickets_visible(membership).filter(party_id=party_id).exclude(pk=ticket.pk)
                     .select_related("assignee").order_by("-opened_at", "-id")[:limit])
    deals = (scope(Deal.objects.filter(party_id=party_id), membership=membership).select_related("stage")
             .order_by("-created_at", "-id")[:limit])
    activities = (scope(Activity.objects.filter(party_id=party_id), membership=membership, team_field=None)
                  .order_by("-created_at", "-id")[:limit])
    return PartyHistory(other_tickets=list(other_tickets), deals=list(deals), activities=list(activities))
