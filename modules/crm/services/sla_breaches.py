"""Flagging SLA breaches of the current workspace's tickets (run by ``crm.tasks.sla_breach_scan``).

A breach is flagged once: the flag is claimed with a conditional UPDATE, so two scans at once (a retry,
a redelivered message) flag, notify and email exactly once. Each flag, its TicketEvent, the notifications
and the audit row commit together; the email leaves after the commit.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from modules.crm.audit import audit_change
from modules.crm.models import Notification, Ticket, TicketEvent
from modules.crm.services.tickets import ACTIVE_STATUSES
from tenants.models import Membership
from tenants.roles import Role
from tenants.urls_helpers import workspace_url

logger = logging.getLogger(__name__)

FIRST_RESPONSE = "first_response"
RESOLUTION = "resolution"


def tickets_breaching(*, now: datetime) -> dict[str, list[int]]:
    """Ids of active tickets past a due time and not flagged yet, per kind of breach."""
    active = Ticket.objects.filter(status__in=ACTIVE_STATUSES)
    return {
        FIRST_RESPONSE: list(active.filter(first_responded_at__isnull=True, first_response_breached=False,
                                           first_response_due__lt=now).values_list("pk", flat=True)),
        RESOLUTION: list(active.filter(resolved_at__isnull=True, resolution_breached=False,
                                       resolution_due__lt=now).values_list("pk", flat=True)),
    }


def breach_recipients(ticket: Ticket) -> list:
    """The assignee while they are an active member; otherwise the workspace's owners and admins."""
    members = Membership.objects.filter(tenant_id=connection.tenant.pk, is_active=True).select_related("user")
    if ticket.assignee_id is not None:
        assigned = [membership.user for membership in members.filter(user_id=ticket.assignee_id)]
        if assigned:
            return assigned
    return [membership.user for membership in members.filter(role__in=[Role.OWNER, Role.ADMIN]).order_by("pk")]


@transaction.atomic
def ticket_breach_flag(*, ticket_id: int, kind: str) -> bool:
    """Flag one breach; False when it was already flagged (by this scan's twin or an earlier one)."""
    flag = f"{kind}_breached"
    if not Ticket.objects.filter(pk=ticket_id, **{flag: False}).update(**{flag: True}):
        return False
    ticket = Ticket.objects.get(pk=ticket_id)
    path = reverse("ticket_detail", kwargs={"pk": ticket.pk})
    recipients = breach_recipients(ticket)
    with translation.override(settings.LANGUAGE_CODE):
        what = _("first response") if kind == FIRST_RESPONSE else _("resolution")
        text = _("SLA breached (%(what)s) on ticket #%(id)s: %(subject)s") % {
            "what": what, "id": ticket.pk, "subject": ticket.subject}
        body = render_to_string("crm/tickets/email/sla_breach.txt", {
            "ticket": ticket, "what": what, "link": workspace_url(connection.tenant, path)})
    TicketEvent.objects.create(ticket=ticket, kind=TicketEvent.Kind.BREACH, body=text)
    Notification.objects.bulk_create([Notification(user_id=user.pk, text=text[:300], url=path) for user in recipients])
    audit_change(actor=None, action="ticket.sla_breached", target=ticket, before={flag: False}, after={flag: True})
    emails = [user.email for user in recipients if user.email]
    if emails:
        subject = text[:200]
        transaction.on_commit(lambda: send_mail(subject=subject, message=body, from_email=None,
                                                recipient_list=emails))
    return True


def sla_breaches_flag(*, now: datetime | None = None) -> int:
    """Flag every new breach of the current workspace; the number flagged by this run."""
    now = now or timezone.now()
    flagged = 0
    for kind, ticket_ids in tickets_breaching(now=now).items():
        for ticket_id in ticket_ids:
            flagged += ticket_breach_flag(ticket_id=ticket_id, kind=kind)
    if flagged:
        logger.info("SLA breaches flagged", extra={"schema": connection.schema_name, "count": flagged})
    return flagged
