"""The party master: tax code and phone validation, accent-insensitive search, duplicates, merging, record rules,
list query counts, forms and audit."""

import threading

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from billing.entitlements import entitlements_forget
from billing.models import Plan
from modules.audit.models import AuditEntry
from modules.crm.audit import history_of
from modules.crm.errors import CrmError
from modules.crm.models import Activity, Deal, Lead, Ticket
from modules.parties.models import Address, Party
from modules.parties.selectors import duplicates_of, merge_preview, party_search
from modules.parties.services import address_add, party_archive, party_create, party_merge, party_update
from modules.parties.validation import phone_normalise, tax_code_normalise
from tests.conftest import client_for
from tests.crm.factories import ActivityFactory, DealFactory, LeadFactory, PartyFactory, PersonFactory, TicketFactory

# --- validation -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "stored"), [
    ("0100233488", "0100233488"),
    (" 0100233488 ", "0100233488"),
    ("0100233488-001", "0100233488-001"),
    ("0100233488001", "0100233488-001"),
    ("0100233488 - 001", "0100233488-001"),
    ("", ""),
])
def test_tax_code_is_normalised(typed, stored):
    assert tax_code_normalise(typed) == stored


@pytest.mark.parametrize("typed", ["0312345678", "12345", "01002334881", "010023348x", "0100233488-000"])
def test_invalid_tax_code_is_refused_on_its_field(typed):
    with pytest.raises(CrmError) as error:
        tax_code_normalise(typed)
    assert error.value.code == "invalid_tax_code"
    assert error.value.field == "tax_code"


@pytest.mark.parametrize(("typed", "stored"), [
    ("0912345678", "+84912345678"),
    ("0912 345 678", "+84912345678"),
    ("0912.345.678", "+84912345678"),
    ("091-234-5678", "+84912345678"),
    ("+84 912 345 678", "+84912345678"),
    ("+84912345678", "+84912345678"),
    ("84912345678", "+84912345678"),
    ("+84 0912 345 678", "+84912345678"),
    ("0084912345678", "+84912345678"),
    ("0358123456", "+84358123456"),
    ("0701234567", "+84701234567"),
    ("0861234567", "+84861234567"),
    ("0512345678", "+84512345678"),
    ("024 3825 1234", "+842438251234"),
    ("(028) 3822 1234", "+842838221234"),
    ("+84 24 3825 1234", "+842438251234"),
    ("", ""),
])
def test_vietnamese_phone_is_normalised(typed, stored):
    assert phone_normalise(typed) == stored


@pytest.mark.parametrize("typed", [
    "091234567",        # a digit short
    "09123456789",      # a digit too many for a mobile
    "0112345678",       # 01x is no longer a mobile prefix
    "0412345678",       # 04 is not a mobile prefix
    "0243825123",       # a landline needs 11 digits
    "+1 415 555 0100",  # not Vietnamese
    "0912abc678",
])
def test_other_phone_numbers_are_refused_with_a_message(typed):
    with pytest.raises(CrmError) as error:
        phone_normalise(typed)
    assert error.value.code == "invalid_phone"
    assert error.value.field == "phone"
    assert error.value.message


def test_create_normalises_and_validates(in_a):
    # when
    party = party_create(actor=in_a.users["owner"], name="  Công ty  TNHH Minh Phát ", tax_code="0100233488001",
                         phone="0912.345.678", email="Sales@MinhPhat.VN", tags="vip, Hà Nội, vip")
    # then
    assert party.name == "Công ty TNHH Minh Phát"
    assert party.tax_code == "0100233488-001"
    assert party.phone == "+84912345678"
    assert party.email == "sales@minhphat.vn"
    assert party.tags == ["vip", "Hà Nội"]
    assert party.owner_id == in_a.users["owner"].pk


@pytest.mark.parametrize(("field", "value", "code"), [
    ("tax_code", "0312345678", "invalid_tax_code"),
    ("phone", "12345", "invalid_phone"),
    ("email", "not-an-email", "invalid_email"),
])
def test_create_refuses_bad_values(in_a, field, value, code):
    with pytest.raises(CrmError) as error:
        party_create(actor=in_a.users["owner"], name="Công ty X", **{field: value})
    assert (error.value.code, error.value.field) == (code, field)
    assert not Party.objects.filter(name="Công ty X").exists()


# --- search ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("query", "expected"), [
    ("nguyen van a", "Nguyễn Văn A"),
    ("NGUYỄN VĂN A", "Nguyễn Văn A"),
    ("cong ty tnhh", "Công ty TNHH Đông Á"),
    ("dong a", "Công ty TNHH Đông Á"),
    ("đong á", "Công ty TNHH Đông Á"),
    ("Đức", "Trần Duc Anh"),
    ("hoa@dong", "Lê Thị Hoa"),
    ("0987 654 321", "Lê Thị Hoa"),
    ("+84987654321", "Lê Thị Hoa"),
    ("0100233488", "Công ty TNHH Đông Á"),
    ("0312345673001", "Chi nhánh Sài Gòn"),
    ("0312345673-001", "Chi nhánh Sài Gòn"),
])
def test_search_is_accent_insensitive_and_matches_contact_details(in_a, query, expected):
    # given
    PersonFactory(name="Nguyễn Văn A")
    PartyFactory(name="Công ty TNHH Đông Á", tax_code="0100233488")
    PersonFactory(name="Trần Duc Anh")
    PersonFactory(name="Lê Thị Hoa", email="hoa@dongxanh.vn", phone="+84987654321")
    PartyFactory(name="Cửa hàng Bình Minh")
    PartyFactory(name="Chi nhánh Sài Gòn", tax_code="0312345673-001")
    # when
    found = list(party_search(Party.objects.all(), query).values_list("name", flat=True))
    # then
    assert found == [expected]


def test_search_name_test_is_the_indexed_expression(in_a):
    # given
    PartyFactory(name="Công ty TNHH Đông Á")
    parties = party_search(Party.objects.all(), "dong a")
    # when
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = parties.only("pk").query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # then: the pattern is folded to a constant, so the trigram index answers the LIKE
    assert "Bitmap Index Scan on party_name_trgm" in plan
    assert "f_unaccent(lower((name)::text)) ~~ '%dong a%'::text" in plan


def test_search_escapes_like_wildcards(in_a):
    # given
    PartyFactory(name="Công ty 100% Việt")
    PartyFactory(name="Công ty 1000 Việt")
    # when
    found = list(party_search(Party.objects.all(), "100%").values_list("name", flat=True))
    # then
    assert found == ["Công ty 100% Việt"]


# --- duplicates -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("original", "candidate"), [
    ({"name": "Công ty A", "tax_code": "0100233488"}, {"name": "Tên khác hẳn", "tax_code": "0100233488"}),
    ({"name": "Công ty A", "email": "ke.toan@a.vn"}, {"name": "Tên khác hẳn", "email": "KE.TOAN@a.vn"}),
    ({"name": "Công ty A", "phone": "+84912345678"}, {"name": "Tên khác hẳn", "phone": "+84912345678"}),
    ({"name": "Công ty TNHH Thương mại Hoàng Long"}, {"name": "CONG TY TNHH THUONG MAI HOANG LONG"}),
    ({"name": "Công ty TNHH Thương mại Hoàng Long"}, {"name": "Cty TNHH Thương mại Hoàng Long"}),
])
def test_duplicates_by_each_rule(in_a, original, candidate):
    # given
    party = PartyFactory(**original)
    duplicate = PartyFactory(**candidate)
    PartyFactory(name="Xưởng may Bình An", tax_code="0312345673", email="x@binhan.vn", phone="+84281234567")
    # when
    found = list(duplicates_of(party))
    # then
    assert found == [duplicate]


def test_merged_and_archived_parties_are_not_duplicates(in_a):
    # given
    party = PartyFactory(name="Công ty Hoàng Long", tax_code="0100233488")
    PartyFactory(name="Công ty Hoàng Long", is_active=False)
    PartyFactory(name="Hoàng Long", tax_code="0100233488", merged_into=party, is_active=False)
    # then
    assert list(duplicates_of(party)) == []


def _entry(party, action):
    return next(entry for entry in history_of(party) if entry.action == action)


# --- merge ----------------------------------------------------------------------------------------------------


def test_merge_moves_every_linked_record_to_the_kept_party(in_a):
    # given
    actor = in_a.users["owner"]
    keep = PartyFactory(name="Công ty Hoàng Long", tags=["vip"])
    lose = PartyFactory(name="Cty Hoàng Long", tax_code="0100233488", email="info@hoanglong.vn",
                        tags=["vip", "hà nội"], is_supplier=True)
    deal = DealFactory(party=lose)
    contact_deal = DealFactory(party=keep, contact=lose)
    lead = LeadFactory(party=lose)
    activity = ActivityFactory(party=lose)
    ticket = TicketFactory(party=lose, contact=lose)
    person = PersonFactory(organization=lose)
    address = Address.objects.create(party=lose, street="12 Lý Thái Tổ", province="ha-noi")
    earlier = PartyFactory(name="Hoàng Long cũ", is_active=False, merged_into=lose)
    # when
    party_merge(keep=keep, lose=lose, actor=actor)
    # then
    keep.refresh_from_db()
    lose.refresh_from_db()
    assert Deal.objects.get(pk=deal.pk).party_id == keep.pk
    assert Deal.objects.get(pk=contact_deal.pk).contact_id == keep.pk
    assert Lead.objects.get(pk=lead.pk).party_id == keep.pk
    assert Activity.objects.get(pk=activity.pk).party_id == keep.pk
    assert Ticket.objects.filter(pk=ticket.pk, party=keep, contact=keep).exists()
    assert Party.objects.get(pk=person.pk).organization_id == keep.pk
    assert Address.objects.get(pk=address.pk).party_id == keep.pk
    assert Party.objects.get(pk=earlier.pk).merged_into_id == keep.pk
    assert (lose.is_active, lose.merged_into_id) == (False, keep.pk)
    assert (keep.tax_code, keep.email, keep.is_supplier) == ("0100233488", "info@hoanglong.vn", True)
    assert keep.tags == ["vip", "hà nội"]


def test_merge_is_audited_on_both_records(in_a):
    # given
    keep = PartyFactory(name="Công ty Hoàng Long")
    lose = PartyFactory(name="Cty Hoàng Long", email="info@hoanglong.vn")
    DealFactory(party=lose)
    # when
    party_merge(keep=keep, lose=lose, actor=in_a.users["owner"])
    # then
    kept_entry = _entry(keep, "party.merged")
    lost_entry = _entry(lose, "party.merged_away")
    assert kept_entry.detail["changes"]["email"] == ["", "info@hoanglong.vn"]
    assert kept_entry.detail["changes"]["merged_from"] == [None, lose.pk]
    assert kept_entry.detail["changes"]["moved"][1] == {"crm.deal.party": 1}
    assert lost_entry.detail["changes"]["merged_into_id"] == [None, keep.pk]
    assert lost_entry.detail["changes"]["is_active"] == [True, False]


def test_merge_keeps_one_primary_address(in_a):
    # given: both have a primary address
    keep = PartyFactory(name="Công ty Hoàng Long")
    lose = PartyFactory(name="Cty Hoàng Long")
    Address.objects.create(party=keep, street="1 Tràng Tiền", is_primary=True)
    Address.objects.create(party=lose, street="2 Hàng Bài", is_primary=True)
    # when
    party_merge(keep=keep, lose=lose, actor=in_a.users["owner"])
    # then
    assert list(keep.addresses.filter(is_primary=True).values_list("street", flat=True)) == ["1 Tràng Tiền"]
    assert keep.addresses.count() == 2


def test_merge_preview_lists_what_moves(in_a):
    # given
    keep = PartyFactory(name="Công ty Hoàng Long")
    lose = PartyFactory(name="Cty Hoàng Long", phone="+84912345678", tags=["vip"])
    DealFactory(party=lose)
    DealFactory(party=lose)
    TicketFactory(party=keep, contact=lose)
    # when
    preview = merge_preview(keep=keep, lose=lose)
    # then
    assert sorted(count for _what, count in preview.moves) == [1, 2]
    assert preview.fills == [(str(Party._meta.get_field("phone").verbose_name), "+84912345678")]
    assert preview.tags_added == ["vip"]


@pytest.mark.parametrize("code", ["merge_same", "party_merged", "merge_kind_mismatch"])
def test_merge_refusals(in_a, code):
    # given
    keep = PartyFactory(name="Công ty Hoàng Long")
    others = {
        "merge_same": keep,
        "party_merged": PartyFactory(name="Hoàng Long", is_active=False, merged_into=keep),
        "merge_kind_mismatch": PersonFactory(name="Hoàng Long"),
    }
    # when
    with pytest.raises(CrmError) as error:
        party_merge(keep=keep, lose=others[code], actor=in_a.users["owner"])
    # then
    assert error.value.code == code


# --- audit ----------------------------------------------------------------------------------------------------


def test_update_records_before_and_after(in_a):
    # given
    party = party_create(actor=in_a.users["owner"], name="Công ty Minh Phát", phone="0912345678")
    # when
    party_update(party=party, actor=in_a.users["admin"], phone="0987 654 321", name="Công ty Minh Phát")
    # then
    entry = _entry(party, "party.updated")
    assert entry.detail == {"changes": {"phone": ["+84912345678", "+84987654321"]}}
    assert entry.actor_id == in_a.users["admin"].pk


def test_archive_and_address_are_audited(in_a):
    # given
    party = party_create(actor=in_a.users["owner"], name="Công ty Minh Phát")
    # when
    address_add(party=party, actor=in_a.users["owner"], street="5 Lê Lợi", province="ho-chi-minh")
    party_archive(party=party, actor=in_a.users["owner"])
    # then
    actions = set(history_of(party).values_list("action", flat=True))
    assert actions == {"party.created", "party.address_added", "party.archived"}
    assert Address.objects.get(party=party).is_primary


# --- pages ----------------------------------------------------------------------------------------------------


def test_member_cannot_open_a_colleagues_party(in_a):
    # given
    colleague = PartyFactory(owner=in_a.users["manager"])
    own = PartyFactory(owner=in_a.users["member"])
    client = client_for(in_a, in_a.users["member"])
    # when
    foreign = client.get(f"/parties/{colleague.pk}/")
    mine = client.get(f"/parties/{own.pk}/")
    listed = client.get("/parties/").content.decode()
    # then
    assert foreign.status_code == 404
    assert client.get(f"/parties/{colleague.pk}/edit/").status_code == 404
    assert mine.status_code == 200
    assert f'data-party="{own.pk}"' in listed
    assert f'data-party="{colleague.pk}"' not in listed


def test_member_cannot_merge_a_colleagues_party_into_their_own(in_a):
    # given
    colleague = PartyFactory(name="Công ty Hoàng Long", owner=in_a.users["manager"])
    own = PartyFactory(name="Công ty Hoàng Long", owner=in_a.users["member"])
    # when
    response = client_for(in_a, in_a.users["member"]).post(f"/parties/{own.pk}/merge/{colleague.pk}/")
    # then
    assert response.status_code == 404
    assert Party.objects.get(pk=colleague.pk).is_active


def _parties_with_an_address(count: int, owner) -> None:
    for party in PartyFactory.create_batch(count, owner=owner, tags=["vip"]):
        Address.objects.create(party=party, street="1 Lê Lợi", province="da-nang", is_primary=True)


def test_list_query_count_does_not_grow_with_rows(in_a):
    # given
    member = in_a.users["member"]
    client = client_for(in_a, member)
    _parties_with_an_address(5, member)
    client.get("/parties/")  # warm the per-process host, membership and plan caches
    # when
    with CaptureQueriesContext(connection) as with_5:
        first = client.get("/parties/?tag=vip")
    _parties_with_an_address(25, member)
    with CaptureQueriesContext(connection) as with_30:
        second = client.get("/parties/?tag=vip")
    # then
    assert first.content.decode().count("data-party=") == 5
    assert second.content.decode().count("data-party=") == 25  # one full page of 30
    assert len(with_5.captured_queries) == len(with_30.captured_queries)


def test_list_filters_and_accent_free_search(in_a):
    # given
    PartyFactory(name="Công ty Đông Á", tags=["vip"], is_supplier=True)
    PartyFactory(name="Công ty Đông Á Xanh", tags=["vip"])
    PartyFactory(name="Công ty Bình Minh", tags=["vip"], is_supplier=True)
    client = client_for(in_a, in_a.users["owner"])
    # when
    page = client.get("/parties/", {"q": "dong a", "role": "supplier", "tag": "vip"}).content.decode()
    # then
    assert "Công ty Đông Á<" in page
    assert "Đông Á Xanh" not in page
    assert "Bình Minh" not in page


def test_create_form_shows_field_errors(in_a):
    # given
    client = client_for(in_a, in_a.users["member"])
    form = {"kind": "organization", "name": "Công ty Minh Phát", "tax_code": "0312345678", "phone": "0912"}
    # when
    response = client.post("/parties/new/", form)
    # then
    page = response.content.decode()
    assert response.status_code == 400
    assert 'class="field-error" data-field="tax_code"' in page
    assert 'class="field-error" data-field="phone"' in page
    assert not Party.objects.filter(name="Công ty Minh Phát").exists()


def test_service_refusal_shows_on_its_field(in_a):
    # given: a company cannot belong to a company
    group = PartyFactory(name="Tập đoàn Hoàng Long", owner=in_a.users["member"])
    client = client_for(in_a, in_a.users["member"])
    # when
    response = client.post("/parties/new/", {"kind": "organization", "name": "Chi nhánh Hoàng Long",
                                             "organization": group.pk})
    # then
    assert response.status_code == 400
    assert 'data-field="organization"' in response.content.decode()


def test_create_form_creates_and_redirects(in_a):
    # given
    client = client_for(in_a, in_a.users["member"])
    form = {"kind": "organization", "name": "Công ty Minh Phát", "tax_code": "0100233488", "phone": "0912 345 678",
            "is_customer": "on", "tags": "vip", "owner": in_a.users["member"].pk}
    # when
    response = client.post("/parties/new/", form)
    # then
    party = Party.objects.get(name="Công ty Minh Phát")
    assert response.status_code == 302
    assert response["Location"] == f"/parties/{party.pk}/"
    assert (party.phone, party.created_by_id) == ("+84912345678", in_a.users["member"].pk)


def test_edit_form_shows_the_phone_error_and_keeps_the_record(in_a):
    # given
    party = PartyFactory(owner=in_a.users["member"], phone="+84912345678")
    client = client_for(in_a, in_a.users["member"])
    # when
    response = client.post(f"/parties/{party.pk}/edit/", {"kind": "organization", "name": party.name,
                                                            "phone": "0412345678"})
    # then
    assert response.status_code == 400
    assert 'data-field="phone"' in response.content.decode()
    assert Party.objects.get(pk=party.pk).phone == "+84912345678"


def test_detail_shows_links_duplicates_and_history(in_a):
    # given
    owner = in_a.users["owner"]
    party = party_create(actor=owner, name="Công ty Hoàng Long", tax_code="0100233488")
    party_update(party=party, actor=owner, email="info@hoanglong.vn")
    twin = PartyFactory(name="CONG TY HOANG LONG")
    DealFactory(party=party, title="Hợp đồng máy lọc nước")
    PersonFactory(name="Phạm Thu", organization=party)
    client = client_for(in_a, owner)
    # when
    page = client.get(f"/parties/{party.pk}/").content.decode()
    # then
    assert "Hợp đồng máy lọc nước" in page
    assert "Phạm Thu" in page
    assert f"/parties/{party.pk}/merge/{twin.pk}/" in page
    assert "party.updated" in page
    assert "info@hoanglong.vn" in page


def test_merge_pages_confirm_then_merge(in_a):
    # given
    manager = in_a.users["manager"]
    keep = PartyFactory(name="Công ty Hoàng Long", owner=manager)
    lose = PartyFactory(name="Cty Hoàng Long", owner=manager)
    DealFactory(party=lose)
    client = client_for(in_a, manager)
    # when
    confirm = client.get(f"/parties/{keep.pk}/merge/{lose.pk}/")
    merged = client.post(f"/parties/{keep.pk}/merge/{lose.pk}/")
    # then
    assert 'data-testid="merge-preview"' in confirm.content.decode()
    assert merged.status_code == 302
    assert Party.objects.get(pk=lose.pk).merged_into_id == keep.pk
    assert client.get(f"/parties/{lose.pk}/")["Location"] == f"/parties/{keep.pk}/"


def test_viewer_cannot_create(in_a):
    response = client_for(in_a, in_a.users["viewer"]).post("/parties/new/", {"kind": "person", "name": "X"})
    assert response.status_code == 403


def test_a_company_with_people_cannot_become_a_person(in_a):
    # given
    company = PartyFactory(name="Công ty Hoàng Long")
    PersonFactory(organization=company)
    # when
    with pytest.raises(CrmError) as error:
        party_update(party=company, actor=in_a.users["owner"], kind=Party.Kind.PERSON)
    # then
    assert (error.value.code, error.value.field) == ("has_people", "kind")


def test_a_blank_owner_on_create_means_the_creator(in_a):
    party = party_create(actor=in_a.users["member"], name="Công ty Minh Phát", owner=None)
    assert party.owner_id == in_a.users["member"].pk


def test_the_plans_contact_limit_is_enforced(in_a):
    # given: a plan that allows one active contact
    plan = in_a.tenant.subscription.plan
    Plan.objects.filter(pk=plan.pk).update(limits={**plan.limits, "contacts": 1})
    entitlements_forget(in_a.tenant.pk)
    party_create(actor=in_a.users["owner"], name="Công ty Một")
    # when
    with pytest.raises(CrmError) as error:
        party_create(actor=in_a.users["owner"], name="Công ty Hai")
    # then
    assert error.value.code == "contact_limit"
    assert Party.objects.count() == 1


def test_two_opposite_merges_at_once_merge_once_without_deadlock(workspaces, committed):
    # given: committed parties in A, two people merging them in opposite directions at the same moment
    workspace = workspaces["a"]
    connection.set_tenant(workspace.tenant)
    first, second = PartyFactory(name="Công ty Hoàng Long"), PartyFactory(name="Cty Hoàng Long")
    barrier, outcomes = threading.Barrier(2), []

    def merge(keep_pk, lose_pk):
        try:
            connection.set_tenant(workspace.tenant)
            keep, lose = Party.objects.get(pk=keep_pk), Party.objects.get(pk=lose_pk)
            barrier.wait()
            party_merge(keep=keep, lose=lose, actor=workspace.users["owner"])
            outcomes.append("merged")
        except CrmError as error:
            outcomes.append(error.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=merge, args=pair) for pair in ((first.pk, second.pk), (second.pk, first.pk))]
    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then
    try:
        assert sorted(outcomes) == ["merged", "party_merged"]
        assert Party.objects.filter(pk__in=[first.pk, second.pk], is_active=True).count() == 1
    finally:
        AuditEntry.objects.filter(target_type="parties.party", target_id__in=[str(first.pk), str(second.pk)]).delete()
        Party.objects.filter(pk__in=[first.pk, second.pk]).update(merged_into=None)
        Party.objects.filter(pk__in=[first.pk, second.pk]).delete()
        connection.set_schema_to_public()
