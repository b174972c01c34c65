"""Support tickets: business-hours SLA arithmetic, due times per priority, the status flow, the first
response, the breach scan (once, notifications, email, fan-out per workspace), record rules, pages."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from billing.services import subscription_change_plan
from modules.crm.errors import CrmError
from modules.crm.models import Holiday, Notification, Ticket, TicketCategory, TicketEvent
from modules.crm.services.tickets import (
    ticket_assign,
    ticket_open,
    ticket_reply,
    ticket_set_priority,
    ticket_set_status,
)
from modules.crm.sla import add_business_minutes, business_calendar, business_minutes_between
from modules.crm.tasks import sla_breach_scan, sla_breach_scan_all
from saas_platform.celery import app
from tests.conftest import client_for
from tests.crm.factories import DealFactory, PartyFactory

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
# The seeded week: Monday-Friday 8:00-17:30, Saturday 8:00-12:00, Sunday off.
HOURS = {**{weekday: (time(8), time(17, 30)) for weekday in range(5)}, 5: (time(8), time(12))}
FRIDAY, SATURDAY, SUNDAY, MONDAY = date(2025, 6, 6), date(2025, 6, 7), date(2025, 6, 8), date(2025, 6, 9)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=HCM)


def add(start: datetime, minutes: int, holidays=frozenset()) -> datetime:
    return add_business_minutes(start, minutes, hours=HOURS, holidays=set(holidays), tz=HCM)


def open_ticket(ws, *, priority="normal", assignee=None, party=None, subject="Máy in không chạy"):
    return ticket_open(actor=ws.users["owner"], party=party or PartyFactory(), subject=subject,
                       description="Khách báo lỗi", priority=priority, assignee=assignee)


# ---------------------------------------------------------------- SLA arithmetic (pure)
def test_friday_evening_plus_an_hour_lands_on_saturday_morning():
    assert add(at(FRIDAY, 17), 60) == at(SATURDAY, 8, 30)


def test_saturday_before_noon_plus_an_hour_skips_sunday():
    assert add(at(SATURDAY, 11, 30), 60) == at(MONDAY, 8, 30)


def test_a_sunday_start_rolls_to_the_monday_opening():
    assert add(at(SUNDAY, 10), 0) == at(MONDAY, 8)
    assert add(at(SUNDAY, 10), 45) == at(MONDAY, 8, 45)


def test_a_start_before_opening_counts_from_the_opening():
    assert add(at(MONDAY, 6, 15), 30) == at(MONDAY, 8, 30)


def test_a_holiday_is_skipped():
    # given: Monday is a holiday
    holidays = {MONDAY}
    # when
    due = add(at(SATURDAY, 11, 30), 60, holidays)
    # then
    assert due == at(date(2025, 6, 10), 8, 30)


def test_business_minutes_between_over_a_weekend():
    # Friday 30 + Saturday 240 + Monday 60
    assert business_minutes_between(at(FRIDAY, 17), at(MONDAY, 9), hours=HOURS, holidays=set(), tz=HCM) == 330


def test_business_minutes_between_is_negative_when_overdue_and_inverts_add():
    start = at(FRIDAY, 16)
    due = add(start, 500)
    assert business_minutes_between(start, due, hours=HOURS, holidays=set(), tz=HCM) == 500
    assert business_minutes_between(due, start, hours=HOURS, holidays=set(), tz=HCM) == -500


def test_aware_in_aware_out_in_the_workspace_zone():
    due = add(datetime(2025, 6, 6, 10, 0, tzinfo=ZoneInfo("UTC")), 60)  # 17:00 in Ho Chi Minh City
    assert due.tzinfo == HCM
    assert due == at(SATURDAY, 8, 30)
    with pytest.raises(ValueError):
        add(datetime(2025, 6, 6, 10, 0), 60)


def test_calendar_loads_hours_holidays_and_zone_of_the_workspace(in_a):
    # given
    Holiday.objects.create(day=MONDAY, name="Nghỉ bù")
    # when
    calendar = business_calendar()
    # then
    assert calendar.tz == HCM
    assert calendar.hours == HOURS
    assert calendar.add(at(SATURDAY, 11, 30), 60) == at(date(2025, 6, 10), 8, 30)


# ---------------------------------------------------------------- due times
@pytest.mark.parametrize(("priority", "first_due", "resolution_due"), [
    ("urgent", at(MONDAY, 9, 30), at(MONDAY, 13)),        # 30 / 240 min
    ("high", at(MONDAY, 10), at(MONDAY, 17)),             # 60 / 480 min
    ("normal", at(MONDAY, 13), at(date(2025, 6, 11), 14)),  # 240 / 1440 min: 510 + 570 + 360
    ("low", at(MONDAY, 17), at(date(2025, 6, 18), 10, 30)),  # 480 / 4320 min, over a weekend
])
def test_due_times_follow_the_priority_policy_in_business_hours(in_a, priority, first_due, resolution_due):
    # given: Monday 9:00
    with time_machine.travel(at(MONDAY, 9), tick=False):
        # when
        ticket = open_ticket(in_a, priority=priority)
    # then
    assert ticket.status == Ticket.Status.NEW
    assert ticket.first_response_due == first_due
    assert ticket.resolution_due == resolution_due


def test_changing_the_priority_recomputes_from_the_opening(in_a):
    # given
    with time_machine.travel(at(MONDAY, 9), tick=False):
        ticket = open_ticket(in_a, priority="low")
    # when: raised two hours later
    with time_machine.travel(at(MONDAY, 11), tick=False):
        ticket = ticket_set_priority(ticket=ticket, actor=in_a.users["admin"], priority="urgent")
    # then
    assert ticket.first_response_due == at(MONDAY, 9, 30)
    assert ticket.resolution_due == at(MONDAY, 13)


# ---------------------------------------------------------------- status flow and replies
def test_status_flow_with_waiting_reopening_and_closing(in_a):
    # given
    ticket = open_ticket(in_a)
    actor = in_a.users["member"]
    # when
    seen = []
    for status in ["open", "pending", "open", "resolved", "open", "resolved", "closed"]:
        ticket = ticket_set_status(ticket=ticket, actor=actor, status=status)
        seen.append((ticket.status, ticket.resolved_at is not None))
    # then
    assert seen == [("open", False), ("pending", False), ("open", False), ("resolved", True), ("open", False),
                    ("resolved", True), ("closed", True)]
    assert ticket.events.filter(kind=TicketEvent.Kind.STATUS).count() == 7


@pytest.mark.parametrize(("path", "target"), [([], "resolved"), ([], "closed"), (["open"], "closed"),
                                              (["open", "pending"], "resolved"),
                                              (["open", "resolved", "closed"], "open")])
def test_invalid_transitions_are_refused(in_a, path, target):
    # given
    ticket = open_ticket(in_a)
    for status in path:
        ticket = ticket_set_status(ticket=ticket, actor=in_a.users["owner"], status=status)
    # when
    with pytest.raises(CrmError) as refused:
        ticket_set_status(ticket=ticket, actor=in_a.users["owner"], status=target)
    # then
    assert refused.value.code == "ticket_bad_transition"
    assert Ticket.objects.get(pk=ticket.pk).status == ticket.status


def test_first_public_reply_is_the_first_response_and_notes_are_not(in_a):
    # given
    with time_machine.travel(at(MONDAY, 9), tick=False):
        ticket = open_ticket(in_a)
    agent = in_a.users["member"]
    # when
    with time_machine.travel(at(MONDAY, 9, 10), tick=False):
        ticket_reply(ticket=ticket, actor=agent, body="Kiểm tra log giúp em", internal=True)
    after_note = Ticket.objects.get(pk=ticket.pk)
    with time_machine.travel(at(MONDAY, 9, 20), tick=False):
        ticket_reply(ticket=ticket, actor=agent, body="Chào anh, bên em đang xử lý ạ.")
    with time_machine.travel(at(MONDAY, 10), tick=False):
        ticket_reply(ticket=ticket, actor=agent, body="Đã xong ạ.")
    # then
    ticket.refresh_from_db()
    assert after_note.first_responded_at is None
    assert after_note.status == Ticket.Status.NEW
    assert ticket.first_responded_at == at(MONDAY, 9, 20)
    assert ticket.status == Ticket.Status.OPEN
    assert list(ticket.events.values_list("kind", flat=True)) == ["note", "reply", "status", "reply"]


def test_an_empty_reply_is_a_field_error(in_a):
    ticket = open_ticket(in_a)
    with pytest.raises(CrmError) as refused:
        ticket_reply(ticket=ticket, actor=in_a.users["member"], body="   ")
    assert (refused.value.code, refused.value.field) == ("ticket_reply_empty", "body")


def test_changes_are_audited(in_a):
    # given
    from modules.audit.models import AuditEntry

    ticket = open_ticket(in_a)
    # when
    ticket_assign(ticket=ticket, actor=in_a.users["admin"], assignee=in_a.users["member"])
    ticket_set_status(ticket=ticket, actor=in_a.users["member"], status="open")
    # then
    entries = AuditEntry.objects.filter(target_type="crm.ticket", target_id=str(ticket.pk))
    assert set(entries.values_list("action", flat=True)) == {"ticket.opened", "ticket.assigned",
                                                              "ticket.status_changed"}
    assigned = entries.get(action="ticket.assigned")
    assert assigned.detail["changes"]["assignee_id"] == [None, in_a.users["member"].pk]


def test_only_members_of_the_workspace_can_be_assigned(in_a, ws_b):
    ticket = open_ticket(in_a)
    with pytest.raises(CrmError) as refused:
        ticket_assign(ticket=ticket, actor=in_a.users["owner"], assignee=ws_b.users["member"])
    assert refused.value.code == "ticket_assignee_not_member"


# ---------------------------------------------------------------- breach scan
def test_breach_scan_flags_once_notifies_the_assignee_and_emails(in_a, mailoutbox,
                                                                 django_capture_on_commit_callbacks):
    # given: urgent at 9:00, first response due 9:30, resolution due 13:00
    member = in_a.users["member"]
    with time_machine.travel(at(MONDAY, 9), tick=False):
        ticket = open_ticket(in_a, priority="urgent", assignee=member)
    # when: scanned at 10:00, twice
    with time_machine.travel(at(MONDAY, 10), tick=False), django_capture_on_commit_callbacks(execute=True):
        first_run = sla_breach_scan()
        second_run = sla_breach_scan()
    # then
    ticket.refresh_from_db()
    assert (first_run, second_run) == (1, 0)
    assert ticket.first_response_breached is True
    assert ticket.resolution_breached is False
    assert ticket.events.filter(kind=TicketEvent.Kind.BREACH).count() == 1
    assert list(Notification.objects.values_list("user_id", flat=True)) == [member.pk]
    assert Notification.objects.get().url == f"/crm/tickets/{ticket.pk}/"
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [member.email]
    assert f"/crm/tickets/{ticket.pk}/" in mailoutbox[0].body


def test_an_unassigned_breach_goes_to_owners_and_admins(in_a, mailoutbox, django_capture_on_commit_callbacks):
    # given
    with time_machine.travel(at(MONDAY, 9), tick=False):
        open_ticket(in_a, priority="urgent")
    # when: after both due times
    with time_machine.travel(at(MONDAY, 14), tick=False), django_capture_on_commit_callbacks(execute=True):
        flagged = sla_breach_scan()
    # then: two breaches (first response, resolution), each to the owner and the admin
    owners_and_admins = {in_a.users["owner"].pk, in_a.users["admin"].pk}
    assert flagged == 2
    assert set(Notification.objects.values_list("user_id", flat=True)) == owners_and_admins
    assert Notification.objects.count() == 4
    assert sorted(mailoutbox[0].to) == sorted([in_a.users["owner"].email, in_a.users["admin"].email])
    assert len(mailoutbox) == 2


def test_answered_resolved_and_not_yet_due_tickets_are_not_flagged(in_a):
    # given
    with time_machine.travel(at(MONDAY, 9), tick=False):
        answered = open_ticket(in_a, priority="urgent")
        ticket_reply(ticket=answered, actor=in_a.users["member"], body="Đã nhận")
        resolved = open_ticket(in_a, priority="urgent")
        for status in ["open", "resolved"]:
            resolved = ticket_set_status(ticket=resolved, actor=in_a.users["member"], status=status)
        open_ticket(in_a, priority="low")
    # when
    with time_machine.travel(at(MONDAY, 10), tick=False):
        flagged = sla_breach_scan()
    # then
    assert flagged == 0
    assert not Ticket.objects.filter(first_response_breached=True).exists()


def test_fan_out_scans_every_workspace_with_tickets_in_its_plan(ws_a, ws_b, monkeypatch,
                                                                django_capture_on_commit_callbacks):
    # given: a late ticket in each workspace; B is on Starter (no tickets in its plan)
    monkeypatch.setitem(app.conf, "task_always_eager", True)
    monkeypatch.setitem(app.conf, "task_eager_propagates", True)
    late = {}
    for ws in (ws_a, ws_b):
        connection.set_tenant(ws.tenant)
        with time_machine.travel(at(MONDAY, 9), tick=False):
            late[ws.tenant.schema_name] = open_ticket(ws, priority="urgent").pk
    connection.set_schema_to_public()
    subscription_change_plan(tenant=ws_b.tenant, plan_code="starter", actor=ws_b.users["owner"],
                             keep_member_ids=[ws_b.membership(role).pk for role in ("owner", "admin", "member")])
    # when
    with time_machine.travel(at(MONDAY, 10), tick=False), django_capture_on_commit_callbacks(execute=True):
        sla_breach_scan_all()
    # then
    flags = {}
    for ws in (ws_a, ws_b):
        connection.set_tenant(ws.tenant)
        flags[ws.tenant.schema_name] = Ticket.objects.get(pk=late[ws.tenant.schema_name]).first_response_breached
    assert flags == {"alpha": True, "beta": False}


# ---------------------------------------------------------------- record rules
def test_members_see_their_tickets_and_the_unassigned_queue_only(in_a):
    # given
    from modules.crm.selectors.tickets import tickets_visible

    mine = open_ticket(in_a, assignee=in_a.users["member"])
    queue = open_ticket(in_a)
    colleague = open_ticket(in_a, assignee=in_a.users["manager"])
    # when
    member_sees = set(tickets_visible(in_a.membership("member")).values_list("pk", flat=True))
    viewer_sees = set(tickets_visible(in_a.membership("viewer")).values_list("pk", flat=True))
    # then
    assert member_sees == {mine.pk, queue.pk}
    assert viewer_sees == {mine.pk, queue.pk, colleague.pk}


def test_a_colleagues_ticket_is_404_for_a_member(in_a):
    # given
    ticket = open_ticket(in_a, assignee=in_a.users["manager"])
    connection.set_schema_to_public()
    # when
    response = client_for(in_a, in_a.users["member"]).get(f"/crm/tickets/{ticket.pk}/")
    # then
    assert response.status_code == 404


def test_viewers_read_but_cannot_reply(in_a):
    # given
    ticket = open_ticket(in_a)
    connection.set_schema_to_public()
    client = client_for(in_a, in_a.users["viewer"])
    # when
    page = client.get(f"/crm/tickets/{ticket.pk}/")
    reply = client.post(f"/crm/tickets/{ticket.pk}/reply/", {"body": "Xin chào"})
    # then
    assert page.status_code == 200
    assert 'data-testid="reply-form"' not in page.content.decode()
    assert reply.status_code == 403


# ---------------------------------------------------------------- pages
def test_starter_workspace_gets_the_upgrade_page(ws_a):
    # given
    subscription_change_plan(tenant=ws_a.tenant, plan_code="starter", actor=ws_a.users["owner"],
                             keep_member_ids=[ws_a.membership(role).pk for role in ("owner", "admin", "member")])
    # when
    response = client_for(ws_a, ws_a.users["owner"]).get("/crm/tickets/")
    # then
    assert response.status_code == 402
    assert 'data-testid="upgrade"' in response.content.decode()


def test_create_page_opens_a_ticket_with_due_times(in_a):
    # given
    party = PartyFactory(name="Công ty Hoa Sen")
    category = TicketCategory.objects.first()
    connection.set_schema_to_public()
    client = client_for(in_a, in_a.users["member"])
    # when
    form = client.get(f"/crm/tickets/new/?party={party.pk}")
    response = client.post("/crm/tickets/new/", {
        "party": party.pk, "subject": "Không xuất được hoá đơn", "description": "Lỗi 500", "priority": "high",
        "category": category.pk, "assignee": in_a.users["member"].pk})
    # then
    connection.set_tenant(in_a.tenant)
    ticket = Ticket.objects.get(subject="Không xuất được hoá đơn")
    assert form.status_code == 200
    assert response.status_code == 302
    assert response["Location"] == f"/crm/tickets/{ticket.pk}/"
    assert ticket.assignee_id == in_a.users["member"].pk
    assert ticket.first_response_due is not None
    assert ticket.resolution_due > ticket.first_response_due


def test_create_page_shows_field_errors(in_a):
    connection.set_schema_to_public()
    response = client_for(in_a, in_a.users["member"]).post("/crm/tickets/new/", {"subject": "", "priority": "x"})
    assert response.status_code == 400
    assert response.content.decode().count('class="field-error"') >= 3


def test_detail_shows_conversation_buttons_and_the_customers_history(in_a):
    # given
    party = PartyFactory(name="Công ty Sen Vàng")
    ticket = open_ticket(in_a, party=party, subject="Máy chấm công lỗi")
    open_ticket(in_a, party=party, subject="Đổi mật khẩu")
    DealFactory(party=party, title="Gia hạn hợp đồng bảo trì", owner=in_a.users["owner"])
    ticket_reply(ticket=ticket, actor=in_a.users["member"], body="Bên em đã nhận yêu cầu")
    ticket_reply(ticket=ticket, actor=in_a.users["member"], body="Ghi chú nội bộ", internal=True)
    connection.set_schema_to_public()
    # when
    page = client_for(in_a, in_a.users["admin"]).get(f"/crm/tickets/{ticket.pk}/").content.decode()
    # then
    assert "Bên em đã nhận yêu cầu" in page
    assert 'class="event event-note"' in page
    assert 'data-status="pending"' in page
    assert 'data-status="resolved"' in page
    assert 'data-status="closed"' not in page
    assert "Đổi mật khẩu" in page
    assert "Gia hạn hợp đồng bảo trì" in page


def test_status_button_posts_move_the_ticket_and_a_bad_move_says_why(in_a):
    # given
    ticket = open_ticket(in_a)
    connection.set_schema_to_public()
    client = client_for(in_a, in_a.users["member"])
    # when
    moved = client.post(f"/crm/tickets/{ticket.pk}/status/", {"status": "open"})
    refused = client.post(f"/crm/tickets/{ticket.pk}/status/", {"status": "closed"}, follow=True)
    # then
    connection.set_tenant(in_a.tenant)
    assert moved.status_code == 302
    assert Ticket.objects.get(pk=ticket.pk).status == "open"
    assert 'class="msg msg-error"' in refused.content.decode()


def test_list_filters_and_badges(in_a):
    # given: at Monday 10:00 one urgent ticket is overdue, one is near its due time, one has time
    with time_machine.travel(at(MONDAY, 9), tick=False):
        overdue = open_ticket(in_a, priority="urgent", subject="Quá hạn")
    with time_machine.travel(at(MONDAY, 9, 45), tick=False):
        near = open_ticket(in_a, priority="urgent", subject="Sắp quá hạn")
        relaxed = open_ticket(in_a, priority="low", subject="Còn thời gian", assignee=in_a.users["member"])
    connection.set_schema_to_public()
    client = client_for(in_a, in_a.users["admin"])
    # when
    with time_machine.travel(at(MONDAY, 10), tick=False):
        everything = client.get("/crm/tickets/").content.decode()
        breached = client.get("/crm/tickets/?sla=breached").content.decode()
        nearly = client.get("/crm/tickets/?sla=near").content.decode()
        members = client.get(f"/crm/tickets/?assignee={in_a.users['member'].pk}").content.decode()
    # then
    assert f'data-ticket="{overdue.pk}"' in everything
    assert 'data-sla="closed"' in everything  # red
    assert 'data-sla="warn"' in everything
    assert 'data-sla="active"' in everything
    assert [f'data-ticket="{pk}"' in breached for pk in (overdue.pk, near.pk, relaxed.pk)] == [True, False, False]
    assert [f'data-ticket="{pk}"' in nearly for pk in (overdue.pk, near.pk, relaxed.pk)] == [False, True, False]
    assert [f'data-ticket="{pk}"' in members for pk in (overdue.pk, near.pk, relaxed.pk)] == [False, False, True]


def _list_queries(ws) -> int:
    connection.set_schema_to_public()
    client = client_for(ws, ws.users["member"])
    client.get("/crm/tickets/")  # warm the host, membership and plan caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/crm/tickets/")
    assert response.status_code == 200
    connection.set_tenant(ws.tenant)
    return len(queries.captured_queries)


def test_list_query_count_does_not_grow_with_the_tickets(in_a):
    # given
    category = TicketCategory.objects.first()

    def make(count):
        for _ in range(count):
            ticket = open_ticket(in_a, assignee=in_a.users["member"])
            Ticket.objects.filter(pk=ticket.pk).update(category=category)

    make(3)
    few = _list_queries(in_a)
    make(12)
    # when
    many = _list_queries(in_a)
    # then
    assert many == few
    assert few <= 15
