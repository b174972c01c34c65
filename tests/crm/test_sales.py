"""Leads, deals and activities: scoring, assignment, conversion, stage moves, record rules, query counts."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from billing.errors import BillingError
from modules.crm.errors import CrmError
from modules.crm.models import Activity, Deal, DealStageChange, LeadSource, LostReason, Notification, Stage
from modules.crm.services.activities import activity_create, activity_reminders_send
from modules.crm.services.deals import deal_create, deal_move, pipeline_create
from modules.crm.services.leads import lead_convert, lead_create, lead_score
from modules.parties.models import Party
from tests.conftest import client_for
from tests.crm.factories import DealFactory, LeadFactory, PartyFactory, SalesTeamFactory, TeamMemberFactory, stage


def test_score_explains_every_point(in_a):
    # given
    owner = in_a.users["owner"]
    referral = LeadSource.objects.get(code="referral")
    # when
    lead = lead_create(actor=owner, name="Lê Văn Bình", company="Bình An", email="binh@an.vn",
                       source=referral, estimated_value=Decimal(150_000_000))
    # then
    reasons = {line["reason"]: line["points"] for line in lead.score_explanation}
    assert lead.score == 20 + 10 + 5 + 25
    assert reasons["Được giới thiệu"] == 20
    assert reasons["Giá trị dự kiến trên 100 triệu"] == 25
    assert "Có số điện thoại" not in reasons


def test_score_is_zero_with_nothing_to_go_on(in_a):
    assert lead_score(LeadFactory.build(company="")) == (0, [])


def test_round_robin_assigns_in_turn(in_a):
    # given: a team of three
    team = SalesTeamFactory()
    people = [in_a.users[role] for role in ("member", "manager", "admin")]
    for person in people:
        TeamMemberFactory(team=team, user_id=person.pk)
    # when
    owners = [lead_create(actor=in_a.users["owner"], name=f"L{n}", team=team, assign_round_robin=True).owner_id
              for n in range(4)]
    # then
    assert owners == [people[0].pk, people[1].pk, people[2].pk, people[0].pk]


def test_conversion_reuses_the_existing_party(in_a):
    # given: the company exists already, written with accents
    existing = PartyFactory(name="Công ty TNHH Sao Việt", tax_code="0312345678")
    lead = lead_create(actor=in_a.users["owner"], name="Phạm Thu", company="CONG TY TNHH SAO VIET",
                       email="thu@saoviet.vn", estimated_value=Decimal(80_000_000))
    # when
    party, deal = lead_convert(lead=lead, actor=in_a.users["owner"])
    # then
    lead.refresh_from_db()
    assert party == existing
    assert deal.party == existing and deal.value == Decimal(80_000_000) and deal.lead == lead
    assert deal.contact.name == "Phạm Thu" and deal.contact.organization == existing
    assert lead.status == "converted"
    assert Party.objects.filter(name__icontains="sao").count() == 1


def test_conversion_creates_a_party_when_none_matches(in_a):
    lead = lead_create(actor=in_a.users["owner"], name="Hoàng Nam", phone="0901234567")
    party, deal = lead_convert(lead=lead, actor=in_a.users["owner"])
    assert party.kind == "person" and party.name == "Hoàng Nam" and party.is_prospect
    assert deal.stage.kind == "open"


def test_a_converted_lead_cannot_convert_twice(in_a):
    lead = lead_create(actor=in_a.users["owner"], name="Một lần")
    lead_convert(lead=lead, actor=in_a.users["owner"])
    with pytest.raises(CrmError) as error:
        lead_convert(lead=lead, actor=in_a.users["owner"])
    assert error.value.code == "lead_converted"


def test_stage_moves_are_kept_and_close_the_deal(in_a):
    # given
    owner = in_a.users["owner"]
    deal = deal_create(actor=owner, party=PartyFactory(), title="Máy in", value=Decimal(5_000_000))
    # when
    deal_move(deal=deal, stage=stage("open", 2), actor=owner)
    won = deal_move(deal=deal, stage=stage("won"), actor=owner)
    reopened = deal_move(deal=deal, stage=stage("open", 1), actor=owner)
    # then
    assert won.closed_at is not None
    assert reopened.closed_at is None
    assert DealStageChange.objects.filter(deal=deal).count() == 4  # created + three moves


def test_losing_a_deal_needs_a_reason(in_a):
    deal = DealFactory(owner_id=in_a.users["owner"].pk)
    with pytest.raises(CrmError) as error:
        deal_move(deal=deal, stage=stage("lost"), actor=in_a.users["owner"])
    lost = deal_move(deal=deal, stage=stage("lost"), actor=in_a.users["owner"],
                     lost_reason=LostReason.objects.first(), lost_note="chọn bên khác")
    assert error.value.code == "lost_reason_required"
    assert lost.lost_reason is not None and lost.closed_at is not None


def test_a_member_cannot_open_or_move_a_colleagues_deal(in_a):
    # given: a deal owned by the manager
    deal = DealFactory(owner_id=in_a.users["manager"].pk)
    member = client_for(in_a, in_a.users["member"])
    # when
    opened = member.get(f"/crm/deals/{deal.pk}/")
    moved = member.post(f"/crm/deals/{deal.pk}/move/", {"stage": stage("won").pk})
    board = member.get("/crm/deals/").content.decode()
    # then
    assert opened.status_code == 404
    assert moved.status_code == 404
    assert deal.title not in board
    assert client_for(in_a, in_a.users["admin"]).get(f"/crm/deals/{deal.pk}/").status_code == 200


def test_a_manager_sees_the_team_and_members_may_too_when_set(in_a):
    # given: member and manager in one team; a deal of the member's colleague in that team
    from modules.crm.models import CrmSettings

    team = SalesTeamFactory(manager_id=in_a.users["manager"].pk)
    colleague = in_a.users["admin"]
    for person in (in_a.users["member"], colleague):
        TeamMemberFactory(team=team, user_id=person.pk)
    deal = DealFactory(owner_id=colleague.pk, team=team)
    # when
    manager_sees = client_for(in_a, in_a.users["manager"]).get(f"/crm/deals/{deal.pk}/").status_code
    member_before = client_for(in_a, in_a.users["member"]).get(f"/crm/deals/{deal.pk}/").status_code
    CrmSettings.objects.update(member_visibility="team")
    member_after = client_for(in_a, in_a.users["member"]).get(f"/crm/deals/{deal.pk}/").status_code
    # then
    assert (manager_sees, member_before, member_after) == (200, 404, 200)


def test_drag_and_drop_posts_a_move_with_htmx(in_a):
    # given
    deal = DealFactory(owner_id=in_a.users["owner"].pk)
    client = client_for(in_a, in_a.users["owner"])
    # when
    response = client.post(f"/crm/deals/{deal.pk}/move/", {"stage": stage("open", 1).pk, "position": 0},
                           HTTP_HX_REQUEST="true")
    refused = client.post(f"/crm/deals/{deal.pk}/move/", {"stage": stage("lost").pk}, HTTP_HX_REQUEST="true")
    # then
    deal.refresh_from_db()
    assert response.json() == {"ok": True, "error": None}
    assert refused.status_code == 400
    assert deal.stage == stage("open", 1)


def test_without_javascript_the_card_form_moves_the_deal(in_a):
    deal = DealFactory(owner_id=in_a.users["owner"].pk)
    response = client_for(in_a, in_a.users["owner"]).post(f"/crm/deals/{deal.pk}/move/",
                                                          {"stage": stage("won").pk, "next": "/crm/deals/"})
    deal.refresh_from_db()
    assert response.status_code == 302 and deal.stage.kind == "won"


def _deals(n, owner):
    party = PartyFactory()
    for index in range(n):
        DealFactory(party=party, owner_id=owner.pk, stage=stage("open", index % 4), value=Decimal(1_000_000 + index))


@pytest.mark.parametrize("url", ["/crm/deals/", "/crm/deals/list/", "/crm/", "/crm/leads/", "/crm/my-day/"])
def test_list_pages_cost_the_same_queries_for_few_or_many_rows(in_a, url):
    # given
    owner = in_a.users["owner"]
    client = client_for(in_a, owner)
    _deals(3, owner)
    for n in range(3):
        LeadFactory(owner_id=owner.pk)
        Activity.objects.create(subject=f"a{n}", owner_id=owner.pk, due_at=timezone.now(), party=PartyFactory())
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    # when
    _deals(40, owner)
    for n in range(20):
        LeadFactory(owner_id=owner.pk)
        Activity.objects.create(subject=f"b{n}", owner_id=owner.pk, due_at=timezone.now(), party=PartyFactory())
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    # then
    assert len(many.captured_queries) == len(few.captured_queries)


def test_reminders_notify_once_in_app_and_by_email(in_a, django_capture_on_commit_callbacks):
    # given
    owner = in_a.users["owner"]
    activity_create(actor=owner, kind="call", subject="Gọi chị Lan", party=PartyFactory(),
                    due_at=timezone.now() + timedelta(hours=1), remind_at=timezone.now() - timedelta(minutes=1))
    # when
    with django_capture_on_commit_callbacks(execute=True):
        first = activity_reminders_send()
    second = activity_reminders_send()
    # then
    assert (first, second) == (1, 0)
    assert Notification.objects.filter(user_id=owner.pk).count() == 1
    assert len(mail.outbox) == 1 and "Gọi chị Lan" in mail.outbox[0].subject


def test_my_day_marks_overdue(in_a):
    owner = in_a.users["owner"]
    activity_create(actor=owner, kind="task", subject="Gửi báo giá", party=PartyFactory(),
                    due_at=timezone.now() - timedelta(days=1))
    page = client_for(in_a, owner).get("/crm/my-day/").content.decode()
    assert "Gửi báo giá" in page
    assert 'class="activity late"' in page


def test_the_deal_shows_who_changed_what(in_a):
    owner = in_a.users["owner"]
    deal = deal_create(actor=owner, party=PartyFactory(), title="Bàn ghế", value=Decimal(1))
    deal_move(deal=deal, stage=stage("open", 1), actor=owner)
    page = client_for(in_a, owner).get(f"/crm/deals/{deal.pk}/").content.decode()
    assert "deal.moved" in page and "stage_id" in page


def test_second_pipeline_is_a_growth_feature(in_a):
    # given: A moves to Starter
    from billing.services import subscription_change_plan

    keep = [in_a.membership(role).pk for role in ("owner", "admin", "member")]
    subscription_change_plan(tenant=in_a.tenant, plan_code="starter", actor=in_a.users["owner"],
                             keep_member_ids=keep)
    connection.set_tenant(in_a.tenant)
    # when / then
    with pytest.raises(BillingError) as error:
        pipeline_create(actor=in_a.users["owner"], tenant=in_a.tenant, name="Dự án", stages=[("Mới", 10)])
    assert error.value.code == "feature_not_in_plan"
    assert client_for(in_a, in_a.users["owner"]).get("/crm/pipelines/new/").status_code == 402
    assert client_for(in_a, in_a.users["owner"]).get("/crm/deals/").status_code == 200


def test_growth_creates_a_second_pipeline_with_won_and_lost(in_a):
    pipeline = pipeline_create(actor=in_a.users["owner"], tenant=in_a.tenant, name="Dự án",
                               stages=[("Khảo sát", 20), ("Báo giá", 50)])
    assert [s.kind for s in pipeline.stages.all()] == ["open", "open", "won", "lost"]
    assert Stage.objects.filter(pipeline=pipeline, kind="won").count() == 1


def test_deal_value_follows_its_lines(in_a):
    from modules.crm.services.deals import deal_set_lines

    deal = DealFactory(owner_id=in_a.users["owner"].pk)
    deal_set_lines(deal=deal, actor=in_a.users["owner"], lines=[
        {"description": "Bàn", "quantity": 2, "unit_price": "1500000"},
        {"description": "Ghế", "quantity": 4, "unit_price": "350000"}])
    assert Deal.objects.get(pk=deal.pk).value == Decimal(4_400_000)


def test_line_items_from_the_deal_page_set_its_value(in_a):
    deal = DealFactory(owner_id=in_a.users["owner"].pk)
    form = {"lines-TOTAL_FORMS": "3", "lines-INITIAL_FORMS": "0",
            "lines-0-description": "Máy lạnh", "lines-0-quantity": "2", "lines-0-unit_price": "9000000",
            "lines-1-description": "Lắp đặt", "lines-1-quantity": "", "lines-1-unit_price": "500000",
            "lines-2-description": "", "lines-2-quantity": "", "lines-2-unit_price": ""}
    response = client_for(in_a, in_a.users["owner"]).post(f"/crm/deals/{deal.pk}/lines/", form)
    assert response.status_code == 302
    assert Deal.objects.get(pk=deal.pk).value == Decimal(18_500_000)
    assert [line.description for line in Deal.objects.get(pk=deal.pk).lines.all()] == ["Máy lạnh", "Lắp đặt"]


def test_stages_are_renamed_reweighed_and_a_busy_one_is_not_removed(in_a):
    from modules.crm.services.deals import pipeline_update_stages
    from tests.crm.factories import default_pipeline

    pipeline = default_pipeline()
    first, second, *_others = list(pipeline.stages.filter(kind="open"))
    DealFactory(stage=second)
    rows = [{"stage_id": first.pk, "name": "Liên hệ", "probability": 5},
            {"stage_id": second.pk, "name": second.name, "probability": 20, "remove": True}]
    with pytest.raises(CrmError) as error:
        pipeline_update_stages(pipeline=pipeline, actor=in_a.users["owner"], stages=rows)
    rows[1]["remove"] = False
    pipeline_update_stages(pipeline=pipeline, actor=in_a.users["owner"],
                           stages=[*rows, {"stage_id": None, "name": "Ký hợp đồng", "probability": 90}])
    assert error.value.code == "stage_has_deals"
    assert [(s.name, s.probability, s.kind) for s in pipeline.stages.order_by("position")][:3] == [
        ("Liên hệ", 5, "open"), (second.name, 20, "open"), ("Ký hợp đồng", 90, "open")]
    assert [s.kind for s in pipeline.stages.order_by("position")][-2:] == ["won", "lost"]


def test_the_pager_keeps_the_filters(in_a):
    owner = in_a.users["owner"]
    _deals(55, owner)
    page = client_for(in_a, owner).get("/crm/deals/list/?state=open&order=-value").content.decode()
    assert 'href="?state=open&amp;order=-value&amp;page=2"' in page
