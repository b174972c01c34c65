"""Support tickets: opening with SLA due times, the conversation, the status flow, assignment, priority.

Due times count business minutes (``modules.crm.sla``) from ``opened_at``; every reply, note and status
change appends a TicketEvent (never edited); every change is in the audit log with before -> after.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from modules.crm.audit import audit_change, snapshot
from modules.crm.errors import CrmError
from modules.crm.models import SlaPolicy, Ticket, TicketEvent
from modules.crm.models.tickets import Priority
from modules.crm.sla import BusinessCalendar, business_calendar
from tenants.models import Membership

TICKET_FIELDS = ["subject", "description", "party", "contact", "category", "priority", "status", "assignee",
                 "opened_at", "first_response_due", "resolution_due", "first_responded_at", "resolved_at"]
EVENT_FIELDS = ["ticket", "kind", "actor"]

S = Ticket.Status
# new -> open -> pending <-> open -> resolved -> closed; a resolved ticket may be reopened.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.NEW: frozenset({S.OPEN}),
    S.OPEN: frozenset({S.PENDING, S.RESOLVED}),
    S.PENDING: frozenset({S.OPEN}),
    S.RESOLVED: frozenset({S.CLOSED, S.OPEN}),
    S.CLOSED: frozenset(),
}
ACTIVE_STATUSES = (S.NEW, S.OPEN, S.PENDING)


def next_statuses(ticket: Ticket) -> list[str]:
    """The statuses ``ticket`` may move to, in the flow's order (for the status buttons)."""
    allowed = TRANSITIONS[ticket.status]
    return [status for status in S.values if status in allowed]


def _lock(ticket: Ticket) -> Ticket:
    return Ticket.objects.select_for_update().get(pk=ticket.pk)


def _ensure_member(user, *, field: str = "assignee") -> None:
    if user is None:
        return
    if not Membership.objects.filter(tenant_id=connection.tenant.pk, user_id=user.pk, is_active=True).exists():
        raise CrmError("ticket_assignee_not_member", _("Choose a member of this workspace."), field=field)


def _ensure_priority(priority: str) -> None:
    if priority not in Priority.values:
        raise CrmError("ticket_bad_priority", _("Choose a valid priority."), field="priority")


def _apply_due_times(ticket: Ticket, calendar: BusinessCalendar | None = None) -> None:
    """Set both due times from the priority's policy; without a policy the ticket has no SLA."""
    policy = SlaPolicy.objects.filter(priority=ticket.priority).first()
    if policy is None:
        ticket.first_response_due = ticket.resolution_due = None
        return
    calendar = calendar or business_calendar()
    ticket.first_response_due = calendar.add(ticket.opened_at, policy.first_response_minutes)
    ticket.resolution_due = calendar.add(ticket.opened_at, policy.resolution_minutes)


def _event(ticket: Ticket, *, kind: str, actor, body: str = "") -> TicketEvent:
    event = TicketEvent(ticket=ticket, kind=kind, body=body, actor_id=getattr(actor, "pk", None))
    event.full_clean()
    event.save()
    return event


@transaction.atomic
def ticket_open(*, actor, party, subject: str, description: str, priority: str, category=None, contact=None,
                assignee=None) -> Ticket:
    """Open a ticket for ``party``; its first-response and resolution due times follow the SLA policy."""
    _ensure_priority(priority)
    _ensure_member(assignee)
    ticket = Ticket(party=party, contact=contact, subject=subject, description=description, priority=priority,
                    category=category, assignee_id=getattr(assignee, "pk", None),
                    created_by_id=getattr(actor, "pk", None), opened_at=timezone.now(), status=S.NEW)
    _apply_due_times(ticket)
    ticket.full_clean()
    ticket.save()
    audit_change(actor=actor, action="ticket.opened", target=ticket, before=None,
                 after=snapshot(ticket, TICKET_FIELDS))
    return ticket


@transaction.atomic
def ticket_reply(*, ticket: Ticket, actor, body: str, internal: bool = False) -> TicketEvent:
    """Add a reply to the customer, or an internal note. The first public reply is the first response
    (and opens a new ticket)."""
    body = (body or "").strip()
    if not body:
        raise CrmError("ticket_reply_empty", _("Write something first."), field="body")
    ticket = _lock(ticket)
    if ticket.status == S.CLOSED:
        raise CrmError("ticket_closed", _("This ticket is closed."))
    before = snapshot(ticket, TICKET_FIELDS)
    event = _event(ticket, kind=TicketEvent.Kind.NOTE if internal else TicketEvent.Kind.REPLY, actor=actor, body=body)
    if not internal:
        changed = []
        if ticket.first_responded_at is None:
            ticket.first_responded_at = event.created_at
            changed.append("first_responded_at")
        if ticket.status == S.NEW:
            _event(ticket, kind=TicketEvent.Kind.STATUS, actor=actor, body=f"{S.NEW}>{S.OPEN}")
            ticket.status = S.OPEN
            changed.append("status")
        if changed:
            ticket.full_clean()
            ticket.save(update_fields=[*changed, "updated_at"])
    audit_change(actor=actor, action="ticket.note_added" if internal else "ticket.replied", target=event,
                 before=None, after=snapshot(event, EVENT_FIELDS))
    audit_change(actor=actor, action="ticket.answered", target=ticket, before=before,
                 after=snapshot(ticket, TICKET_FIELDS))
    return event


@transaction.atomic
def ticket_set_status(*, ticket: Ticket, actor, status: str) -> Ticket:
    """Move along the flow; anything else raises ``ticket_bad_transition``."""
    ticket = _lock(ticket)
    if status not in TRANSITIONS.get(ticket.status, ()):
        raise CrmError("ticket_bad_transition",
                       _("A ticket cannot go from %(from)s to %(to)s.") % {"from": ticket.get_status_display(),
                                                                          "to": dict(S.choices).get(status, status)},
                       field="status")
    before = snapshot(ticket, TICKET_FIELDS)
    old = ticket.status
    ticket.status = status
    if status == S.RESOLVED:
        ticket.resolved_at = timezone.now()
    elif status == S.OPEN and old == S.RESOLVED:
        ticket.resolved_at = None  # reopened: the resolution clock runs again
    ticket.full_clean()
    ticket.save(update_fields=["status", "resolved_at", "updated_at"])
    _event(ticket, kind=TicketEvent.Kind.STATUS, actor=actor, body=f"{old}>{status}")
    audit_change(actor=actor, action="ticket.status_changed", target=ticket, before=before,
                 after=snapshot(ticket, TICKET_FIELDS))
    return ticket


@transaction.atomic
def ticket_assign(*, ticket: Ticket, actor, assignee) -> Ticket:
    """Give the ticket to a member of the workspace, or to nobody (``assignee=None``)."""
    _ensure_member(assignee)
    ticket = _lock(ticket)
    before = snapshot(ticket, TICKET_FIELDS)
    ticket.assignee_id = getattr(assignee, "pk", None)
    ticket.full_clean()
    ticket.save(update_fields=["assignee", "updated_at"])
    audit_change(actor=actor, action="ticket.assigned", target=ticket, before=before,
                 after=snapshot(ticket, TICKET_FIELDS))
    return ticket


@transaction.atomic
def ticket_set_priority(*, ticket: Ticket, actor, priority: str) -> Ticket:
    """Change the priority; both due times are recomputed from ``opened_at`` under the new policy.
    Breaches already flagged stay flagged (they happened)."""
    _ensure_priority(priority)
    ticket = _lock(ticket)
    before = snapshot(ticket, TICKET_FIELDS)
    ticket.priority = priority
    _apply_due_times(ticket)
    ticket.full_clean()
    ticket.save(update_fields=["priority", "first_response_due", "resolution_due", "updated_at"])
    audit_change(actor=actor, action="ticket.priority_changed", target=ticket, before=before,
                 after=snapshot(ticket, TICKET_FIELDS))
    return ticket
