"""Support tickets: the queue with SLA badges, the new-ticket form, and the ticket page (conversation,
status buttons, assignment, priority, and the customer's history beside it)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from modules.audit.models import AuditEntry
from modules.crm.errors import CrmError
from modules.crm.forms.tickets import AssignForm, PriorityForm, ReplyForm, StatusForm, TicketForm, assignable_users
from modules.crm.models import Ticket, TicketEvent
from modules.crm.models.tickets import Priority
from modules.crm.selectors import tickets as selectors
from modules.crm.services import tickets as services
from modules.crm.sla import business_calendar
from modules.crm.views.common import crm_view
from modules.parties.models import Party
from tenants.access import membership_allows
from tenants.roles import Access

FEATURE = "crm.tickets"
STATUS_LABELS = dict(Ticket.Status.choices)
ACTION_LABELS = {
    "ticket.opened": gettext_lazy("Opened"), "ticket.answered": gettext_lazy("First answer"),
    "ticket.status_changed": gettext_lazy("Status changed"), "ticket.assigned": gettext_lazy("Assignee changed"),
    "ticket.priority_changed": gettext_lazy("Priority changed"), "ticket.sla_breached": gettext_lazy("SLA breached"),
}


def business_duration(minutes: int) -> str:
    """``135`` -> "2h 15m" (business time, so no days: a "day" differs by weekday)."""
    hours, rest = divmod(abs(minutes), 60)
    if hours:
        return _("%(hours)dh %(minutes)02dm") % {"hours": hours, "minutes": rest}
    return _("%(minutes)dm") % {"minutes": rest}


def _badge(clock) -> dict | None:
    """What the SLA badge says and how it looks (CSS class ``badge-<level>``)."""
    if clock is None:
        return None
    what = _("First response") if clock.kind == "first_response" else _("Resolution")
    if clock.overdue:
        return {"level": "closed", "what": what, "due": clock.due,
                "text": _("Overdue %(time)s") % {"time": business_duration(clock.minutes_left)}}
    return {"level": "warn" if clock.near else "active", "what": what, "due": clock.due,
            "text": _("%(time)s left") % {"time": business_duration(clock.minutes_left)}}


def _form_error(form, error: CrmError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


@crm_view(FEATURE)
def ticket_list(request):
    now, calendar = timezone.now(), business_calendar()
    filters = {key: request.GET.get(key, "") for key in ("status", "priority", "assignee", "sla")}
    tickets = selectors.ticket_list(membership=request.membership, calendar=calendar, now=now, **filters)
    page = Paginator(tickets, 50).get_page(request.GET.get("page"))
    rows = [(ticket, _badge(selectors.sla_clock(ticket, calendar=calendar, now=now))) for ticket in page]
    return render(request, "crm/tickets/list.html", {
        "page": page, "rows": rows, "filters": filters, "statuses": Ticket.Status.choices,
        "priorities": Priority.choices, "assignees": assignable_users(request.tenant),
        "can_edit": membership_allows(request.membership, "crm", Access.EDIT),
        "query": urlencode({key: value for key, value in filters.items() if value})})


@crm_view(FEATURE, Access.EDIT)
def ticket_create(request):
    initial = {}
    party_id = request.GET.get("party", "")
    if party_id.isdigit():
        initial["party"] = Party.objects.filter(pk=party_id).first()
    form = TicketForm(request.POST or None, tenant=request.tenant, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            ticket = services.ticket_open(actor=request.user, **form.cleaned_data)
        except CrmError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Ticket #%(id)s opened.") % {"id": ticket.pk})
            return redirect("ticket_detail", pk=ticket.pk)
    return render(request, "crm/tickets/form.html", {"form": form}, status=400 if form.errors else 200)


def _status_change_labels(event: TicketEvent) -> tuple[str, str] | None:
    if event.kind != TicketEvent.Kind.STATUS or ">" not in event.body:
        return None
    old, new = event.body.split(">", 1)
    return STATUS_LABELS.get(old, old), STATUS_LABELS.get(new, new)


def _detail(request, ticket: Ticket, *, reply_form=None, status: int = 200):
    now = timezone.now()
    events = [(event, _status_change_labels(event)) for event in ticket.events.select_related("actor")]
    history = [(entry, ACTION_LABELS.get(entry.action, entry.action)) for entry in
               AuditEntry.objects.filter(target_type=ticket._meta.label_lower, target_id=str(ticket.pk))
               .select_related("actor")[:20]]
    return render(request, "crm/tickets/detail.html", {
        "ticket": ticket, "events": events, "history": history,
        "can_edit": membership_allows(request.membership, "crm", Access.EDIT),
        "badge": _badge(selectors.sla_clock(ticket, calendar=business_calendar(), now=now)),
        "next_statuses": [(value, STATUS_LABELS[value]) for value in services.next_statuses(ticket)],
        "reply_form": reply_form or ReplyForm(),
        "assign_form": AssignForm(tenant=request.tenant, initial={"assignee": ticket.assignee_id}),
        "priority_form": PriorityForm(initial={"priority": ticket.priority}),
        "party_history": selectors.party_history(ticket=ticket, membership=request.membership),
    }, status=status)


@crm_view(FEATURE)
def ticket_detail(request, pk: int):
    return _detail(request, selectors.get_ticket_for(request.membership, pk))


@require_POST
@crm_view(FEATURE, Access.EDIT)
def ticket_reply(request, pk: int):
    ticket = selectors.get_ticket_for(request.membership, pk)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            services.ticket_reply(ticket=ticket, actor=request.user, **form.cleaned_data)
        except CrmError as error:
            _form_error(form, error)
        else:
            return redirect("ticket_detail", pk=ticket.pk)
    return _detail(request, ticket, reply_form=form, status=400)


def _run(request, ticket: Ticket, action, success: str):
    try:
        action()
    except CrmError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return redirect("ticket_detail", pk=ticket.pk)


@require_POST
@crm_view(FEATURE, Access.EDIT)
def ticket_status(request, pk: int):
    ticket = selectors.get_ticket_for(request.membership, pk)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid status."))
        return redirect("ticket_detail", pk=ticket.pk)
    new = form.cleaned_data["status"]
    return _run(request, ticket, lambda: services.ticket_set_status(ticket=ticket, actor=request.user, status=new),
                _("Status: %(status)s.") % {"status": STATUS_LABELS[new]})


@require_POST
@crm_view(FEATURE, Access.EDIT)
def ticket_assign(request, pk: int):
    ticket = selectors.get_ticket_for(request.membership, pk)
    form = AssignForm(request.POST, tenant=request.tenant)
    if not form.is_valid():
        messages.error(request, _("Choose a member of this workspace."))
        return redirect("ticket_detail", pk=ticket.pk)
    assignee = form.cleaned_data["assignee"]
    return _run(request, ticket, lambda: services.ticket_assign(ticket=ticket, actor=request.user, assignee=assignee),
                _("Assigned to %(email)s.") % {"email": assignee.email} if assignee else _("Ticket unassigned."))


@require_POST
@crm_view(FEATURE, Access.EDIT)
def ticket_priority(request, pk: int):
    ticket = selectors.get_ticket_for(request.membership, pk)
    form = PriorityForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid priority."))
        return redirect("ticket_detail", pk=ticket.pk)
    priority = form.cleaned_data["priority"]
    return _run(request, ticket,
                lambda: services.ticket_set_priority(ticket=ticket, actor=request.user, priority=priority),
                _("Priority changed; the due times were recalculated."))


urlpatterns = [
    path("tickets/", ticket_list, name="ticket_list"),
    path("tickets/new/", ticket_create, name="ticket_create"),
    path("tickets/<int:pk>/", ticket_detail, name="ticket_detail"),
    path("tickets/<int:pk>/reply/", ticket_reply, name="ticket_reply"),
    path("tickets/<int:pk>/status/", ticket_status, name="ticket_status"),
    path("tickets/<int:pk>/assign/", ticket_assign, name="ticket_assign"),
    path("tickets/<int:pk>/priority/", ticket_priority, name="ticket_priority"),
]
