"""Import and export of companies & contacts, leads and deals (CSV and XLSX)."""

import csv
import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.html import escape

from billing.services import subscription_change_plan
from modules.audit.models import AuditEntry
from modules.crm.dataio import read_table
from modules.crm.errors import CrmError
from modules.crm.models import Deal, DealStageChange, ImportJob, Lead
from modules.crm.services.imports import import_job_create, import_job_run, import_job_start
from modules.parties.models import Address, Party
from saas_platform.celery import app
from tests.conftest import client_for
from tests.crm.factories import CampaignFactory, DealFactory, LeadFactory, PartyFactory

MST_A, MST_B, MST_C = "0100233488", "0101245486", "0309532909"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def eager():
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def _csv(rows, *, delimiter=",", bom=False) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    return (("\ufeff" if bom else "") + buffer.getvalue()).encode()


def _xlsx(rows) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _job(ws, target, name, content) -> ImportJob:
    return import_job_create(target=target, upload=SimpleUploadedFile(name, content), actor=ws.users["owner"])


def _run(ws, job, mapping=None) -> ImportJob:
    """Start with the suggested mapping (or the one given) and run it here, without Celery."""
    import_job_start(job=job, mapping=mapping if mapping is not None else job.mapping, actor=ws.users["owner"])
    return import_job_run(job_id=job.pk, tenant=ws.tenant)


PARTY_HEADER = ["Tên công ty", "Mã số thuế", "SĐT", "Email", "Tỉnh/TP", "Địa chỉ", "Nhãn", "Khách hàng (có/không)"]


def _party_rows(count: int, start: int = 0):
    return [[f"Công ty Bench {start + n}", "", f"09{(start + n) % 10**8:08d}", f"ct{start + n}@example.vn", "", "", "",
             "có"] for n in range(count)]


# --------------------------------------------------------------------------- parties


def test_csv_with_bom_and_semicolons_suggests_the_mapping_and_imports_parties(in_a):
    # given
    content = _csv([PARTY_HEADER,
                    ["Công ty TNHH Ánh Dương", MST_A, "0912 345 678", "Lien.He@AnhDuong.vn", "TP.HCM",
                     "12 Lê Lợi, Quận 1", "vip; đại lý", "có"],
                    ["Hợp tác xã Bình Minh", MST_B, "+84 24 3825 1234", "", "Hà Nội", "5 Tràng Tiền", "", "không"]],
                   delimiter=";", bom=True)
    # when
    job = _job(in_a, "parties", "khach-hang.csv", content)
    job = _run(in_a, job)
    # then
    assert job.mapping == {"Tên công ty": "name", "Mã số thuế": "tax_code", "SĐT": "phone", "Email": "email",
                           "Tỉnh/TP": "province", "Địa chỉ": "street", "Nhãn": "tags",
                           "Khách hàng (có/không)": "is_customer"}
    assert (job.state, job.total_rows, job.created_rows, job.errors) == ("done", 2, 2, [])
    anh_duong = Party.objects.get(tax_code=MST_A)
    assert (anh_duong.name, anh_duong.phone, anh_duong.email, anh_duong.tags, anh_duong.is_customer) == (
        "Công ty TNHH Ánh Dương", "+84912345678", "lien.he@anhduong.vn", ["vip", "đại lý"], True)
    assert anh_duong.owner_id == in_a.users["owner"].pk
    assert list(Address.objects.filter(party=anh_duong).values_list("province", "street", "is_primary")) == [
        ("ho-chi-minh", "12 Lê Lợi, Quận 1", True)]
    assert Party.objects.get(tax_code=MST_B).phone == "+842438251234"
    assert list(AuditEntry.objects.filter(action="import.done").values_list("detail__created", flat=True)) == [2]


def test_xlsx_with_english_headers_imports_parties(in_a):
    # given: a phone stored as a number (Excel dropped the 0) and a yes/no column
    content = _xlsx([["Company", "Tax code", "Phone", "Kind", "Supplier", "Province", "Street", "Website"],
                     ["Saigon Trading JSC", MST_C, 912345678, "company", "yes", "da nang", "1 Bạch Đằng",
                      "saigontrading.vn"],
                     ["Nguyễn Thị Hoa", None, "0987654321", "cá nhân", "no", None, None, None]])
    # when
    job = _run(in_a, _job(in_a, "parties", "list.xlsx", content))
    # then
    assert job.state == "done"
    company = Party.objects.get(name="Saigon Trading JSC")
    assert (company.tax_code, company.phone, company.kind, company.is_supplier, company.website) == (
        MST_C, "+84912345678", "organization", True, "https://saigontrading.vn")
    assert company.addresses.get().province == "da-nang"
    person = Party.objects.get(name="Nguyễn Thị Hoa")
    assert (person.kind, person.is_supplier, person.addresses.count()) == ("person", False, 0)


def test_a_bad_row_in_the_middle_writes_nothing_and_the_report_names_row_and_column(in_a):
    # given: five rows; the third (spreadsheet row 4) has a bad email and a bad tax code
    rows = _party_rows(5)
    rows[2][3] = "not-an-email"
    rows[2][1] = "0100233489"
    before = Party.objects.count()
    # when
    job = _run(in_a, _job(in_a, "parties", "bad.csv", _csv([PARTY_HEADER, *rows])))
    # then
    assert job.state == "failed"
    assert Party.objects.count() == before
    assert [(error["row"], error["column"]) for error in job.errors] == [(4, "Mã số thuế"), (4, "Email")]
    assert not AuditEntry.objects.filter(action="import.done").exists()


def test_a_file_over_the_starter_contacts_limit_writes_nothing(in_a):
    # given: A on Starter (2,000 contacts), keeping three members; 1,990 parties already there
    owner = in_a.users["owner"]
    keep = [in_a.membership(role).pk for role in ("owner", "admin", "member")]
    subscription_change_plan(tenant=in_a.tenant, plan_code="starter", actor=owner, keep_member_ids=keep)
    Party.objects.bulk_create(Party(name=f"Có sẵn {n}") for n in range(1990))
    job = _job(in_a, "parties", "too-many.csv", _csv([PARTY_HEADER, *_party_rows(11)]))
    # when
    job = _run(in_a, job)
    # then
    assert job.state == "failed"
    assert Party.objects.count() == 1990
    assert len(job.errors) == 1
    assert "2000" in job.errors[0]["message"]


def test_a_file_that_fits_the_starter_limit_exactly_is_imported(in_a):
    # given
    owner = in_a.users["owner"]
    keep = [in_a.membership(role).pk for role in ("owner", "admin", "member")]
    subscription_change_plan(tenant=in_a.tenant, plan_code="starter", actor=owner, keep_member_ids=keep)
    Party.objects.bulk_create(Party(name=f"Có sẵn {n}") for n in range(1990))
    # when
    job = _run(in_a, _job(in_a, "parties", "fits.csv", _csv([PARTY_HEADER, *_party_rows(10)])))
    # then
    assert (job.state, job.created_rows, Party.objects.count()) == ("done", 10, 2000)


def test_a_redelivered_run_writes_nothing_more(in_a):
    # given
    job = _run(in_a, _job(in_a, "parties", "once.csv", _csv([PARTY_HEADER, *_party_rows(3)])))
    # when
    again = import_job_run(job_id=job.pk, tenant=in_a.tenant)
    # then
    assert (again.state, again.created_rows, Party.objects.count()) == ("done", 3, 3)


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_the_csv_delimiter_is_recognised(delimiter):
    # when
    table = read_table(_csv([["Tên", "MST"], ["A, B và C", MST_A]], delimiter=delimiter), name="x.csv")
    # then
    assert table.headers == ["Tên", "MST"]
    assert list(table.rows) == [(2, ["A, B và C", MST_A])]


def test_an_unreadable_file_is_refused_at_upload(in_a):
    with pytest.raises(CrmError) as refused:
        _job(in_a, "parties", "fake.xlsx", b"this is not a zip")
    assert (refused.value.code, refused.value.field) == ("file_unreadable", "file")


# --------------------------------------------------------------------------- leads and deals


def test_leads_import_resolves_source_and_campaign_and_scores_them(in_a):
    # given
    CampaignFactory(utm_campaign="tet-2026")
    content = _csv([["Họ tên", "Công ty", "Điện thoại", "Nguồn", "Chiến dịch", "Giá trị dự kiến", "Trạng thái",
                     "Người phụ trách"],
                    ["Trần Văn Nam", "Cửa hàng Nam", "0903 111 222", "Giới thiệu", "TET-2026", "150.000.000",
                     "Contacted", "member@alpha.test"],
                    ["Lê Thị Lan", "", "", "zalo", "", "", "", ""]])
    # when
    job = _run(in_a, _job(in_a, "leads", "leads.csv", content))
    # then
    assert job.state == "done"
    nam = Lead.objects.get(name="Trần Văn Nam")
    assert (nam.company, nam.phone, nam.source.code, nam.campaign.utm_campaign, nam.estimated_value, nam.status) == (
        "Cửa hàng Nam", "+84903111222", "referral", "tet-2026", Decimal(150_000_000), "contacted")
    assert nam.owner_id == in_a.users["member"].pk
    assert nam.score == 20 + 10 + 5 + 25
    assert [line["points"] for line in nam.score_explanation] == [20, 10, 5, 25]
    lan = Lead.objects.get(name="Lê Thị Lan")
    assert (lan.source.code, lan.status, lan.owner_id) == ("zalo", "new", in_a.users["owner"].pk)


def test_leads_with_an_unknown_source_are_reported(in_a):
    # when
    job = _run(in_a, _job(in_a, "leads", "leads.csv", _csv([["Name", "Source"], ["A", "Tivi"], ["B", "Website"]])))
    # then
    assert job.state == "failed"
    assert [(e["row"], e["column"], e["field"]) for e in job.errors] == [(2, "Source", "source")]
    assert not Lead.objects.exists()


def test_deals_import_links_existing_companies_and_creates_missing_ones_once(in_a):
    # given: one company found by tax code, one by its name without accents; "Công ty Mới" is new (twice)
    by_code = PartyFactory(name="Công ty Cổ phần Sông Hồng", tax_code=MST_A)
    by_name = PartyFactory(name="Công ty Hoàng Gia")
    parties_before = Party.objects.count()
    content = _xlsx([["Tên cơ hội", "Khách hàng", "Giá trị", "Tiền tệ", "Giai đoạn", "Ngày dự kiến chốt",
                      "Người phụ trách"],
                     ["Phần mềm kế toán", MST_A, "25.000.000", "VND", "Đề xuất", "15/07/2026", "manager@alpha.test"],
                     ["Bảo trì", "cong ty hoang gia", 1200.5, "USD", "de xuat", "2026-08-01", ""],
                     ["Đào tạo", "Công ty Mới", None, None, None, date(2026, 9, 30), None],
                     ["Lắp đặt", "Công ty Mới", "", "", "Thắng", "", ""]])
    # when
    job = _run(in_a, _job(in_a, "deals", "deals.xlsx", content))
    # then
    assert (job.state, job.created_rows) == ("done", 4)
    software, upkeep, training, install = (Deal.objects.get(title=t) for t in ("Phần mềm kế toán", "Bảo trì",
                                                                                  "Đào tạo", "Lắp đặt"))
    assert (software.party, software.value, software.stage.name, software.expected_close, software.owner_id) == (
        by_code, Decimal(25_000_000), "Đề xuất", date(2026, 7, 15), in_a.users["manager"].pk)
    assert (upkeep.party, upkeep.value, upkeep.currency, upkeep.expected_close) == (
        by_name, Decimal("1200.50"), "USD", date(2026, 8, 1))
    assert training.party == install.party
    assert training.party.name == "Công ty Mới"
    assert Party.objects.count() == parties_before + 1
    assert (training.stage.name, training.stage.kind, training.closed_at) == ("Mới", "open", None)
    assert (install.stage.kind, install.closed_at is not None) == ("won", True)
    assert DealStageChange.objects.filter(deal__in=[software, upkeep, training, install], from_stage=None).count() == 4


def test_deals_naming_an_unknown_tax_code_or_stage_are_reported(in_a):
    # when
    job = _run(in_a, _job(in_a, "deals", "deals.csv", _csv([
        ["Title", "Company", "Stage", "Owner"],
        ["A", MST_B, "Mới", ""],
        ["B", "Công ty X", "Đã ký", "stranger@nowhere.test"]])))
    # then
    assert job.state == "failed"
    assert [(e["row"], e["column"]) for e in job.errors] == [(2, "Company"), (3, "Stage"), (3, "Owner")]
    assert not Deal.objects.exists()


def test_deals_with_an_unknown_tax_code_are_reported(in_a):
    # when
    job = _run(in_a, _job(in_a, "deals", "deals.csv", _csv([["Title", "Company"], ["A", MST_B]])))
    # then
    assert [(e["row"], e["column"], e["field"]) for e in job.errors] == [(2, "Company", "party")]
    assert not Party.objects.filter(tax_code=MST_B).exists()


def test_mapping_must_cover_the_required_fields_and_use_a_field_once(in_a):
    # given
    job = _job(in_a, "parties", "p.csv", _csv([["Tên", "Email", "Mail"], ["A", "a@x.vn", "b@x.vn"]]))
    # when
    with pytest.raises(CrmError) as missing:
        import_job_start(job=job, mapping={"Tên": "", "Email": "email"}, actor=in_a.users["owner"])
    with pytest.raises(CrmError) as twice:
        import_job_start(job=job, mapping={"Tên": "name", "Email": "email", "Mail": "email"},
                         actor=in_a.users["owner"])
    # then
    assert missing.value.code == "import_required_unmapped"
    assert (twice.value.code, twice.value.field) == ("import_field_twice", "Mail")


# --------------------------------------------------------------------------- the pages


def test_upload_map_and_import_through_the_pages(ws_a, eager, django_capture_on_commit_callbacks):
    # given
    client = client_for(ws_a, ws_a.users["member"])
    upload = SimpleUploadedFile("kh.csv", _csv([["Tên khách hàng", "Số điện thoại", "Ghi chú"],
                                                ["Công ty Trang Nhung", "0912000111", "gọi lại"]]))
    # when
    uploaded = client.post("/crm/imports/upload/", {"target": "parties", "file": upload})
    mapping_page = client.get(uploaded["Location"]).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(uploaded["Location"], {"column_0": "name", "column_1": "phone", "column_2": ""})
    status = client.get(started["Location"].replace("/progress/", "/status/")).json()
    report = client.get(status["redirect"]).content.decode()
    # then
    assert uploaded.status_code == 302
    assert '<option value="name" selected>' in mapping_page
    assert "Công ty Trang Nhung" in mapping_page
    assert (status["state"], status["progress"], status["written_rows"]) == ("done", 100, 1)
    assert 'data-testid="created-rows">1<' in report
    connection.set_tenant(ws_a.tenant)
    assert Party.objects.get(name="Công ty Trang Nhung").owner_id == ws_a.users["member"].pk


def test_a_queued_import_shows_its_progress_page_and_status(in_a):
    # given
    job = _job(in_a, "parties", "q.csv", _csv([["Tên"], ["A"]]))
    import_job_start(job=job, mapping={"Tên": "name"}, actor=in_a.users["owner"])
    connection.set_schema_to_public()
    client = client_for(in_a, in_a.users["owner"])
    # when
    page = client.get(f"/crm/imports/{job.pk}/progress/").content.decode()
    status = client.get(f"/crm/imports/{job.pk}/status/").json()
    # then
    assert f'data-status-url="/crm/imports/{job.pk}/status/"' in page
    assert 'role="progressbar"' in page
    assert (status["state"], status["progress"], "redirect" in status) == ("queued", 0, False)


def test_the_report_of_an_import_over_the_limit_shows_the_reason(in_a):
    # given
    keep = [in_a.membership(role).pk for role in ("owner", "admin", "member")]
    subscription_change_plan(tenant=in_a.tenant, plan_code="starter", actor=in_a.users["owner"], keep_member_ids=keep)
    job = _run(in_a, _job(in_a, "parties", "big.csv", _csv([PARTY_HEADER, *_party_rows(2001)])))
    connection.set_schema_to_public()
    # when
    page = client_for(in_a, in_a.users["owner"]).get(f"/crm/imports/{job.pk}/report/").content.decode()
    # then
    assert "2000" in job.errors[0]["message"]
    assert escape(job.errors[0]["message"]) in page


def test_the_mapping_page_shows_a_missing_required_field(ws_a):
    # given
    client = client_for(ws_a, ws_a.users["owner"])
    client.cookies["django_language"] = "en"
    upload = SimpleUploadedFile("kh.csv", _csv([["Email"], ["a@x.vn"]]))
    mapping_url = client.post("/crm/imports/upload/", {"target": "parties", "file": upload})["Location"]
    # when
    response = client.post(mapping_url, {"column_0": "email"})
    # then
    assert response.status_code == 400
    assert 'role="alert">Choose a column for: ' in response.content.decode()


def test_an_upload_that_is_not_a_spreadsheet_shows_a_field_error(ws_a):
    client = client_for(ws_a, ws_a.users["owner"])
    client.cookies["django_language"] = "en"
    # when
    response = client.post(
        "/crm/imports/upload/", {"target": "parties", "file": SimpleUploadedFile("notes.txt", b"hello")})
    # then
    assert response.status_code == 400
    assert "Upload a .csv or .xlsx file." in response.content.decode()


def test_the_report_lists_each_bad_row(in_a):
    # given
    rows = _party_rows(3)
    rows[1][2] = "12345"
    with translation.override("en"):  # the report keeps the messages in the language of the run
        job = _run(in_a, _job(in_a, "parties", "bad.csv", _csv([PARTY_HEADER, *rows])))
    connection.set_schema_to_public()
    # when
    page = client_for(in_a, in_a.users["owner"]).get(f"/crm/imports/{job.pk}/report/").content.decode()
    # then
    assert 'data-row="3"' in page
    assert "SĐT" in page
    assert "Not a Vietnamese phone number" in page


def test_the_history_page_runs_a_constant_number_of_queries(in_a):
    # given
    def history_queries():
        connection.set_schema_to_public()
        client = client_for(in_a, in_a.users["owner"])
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/crm/imports/").status_code == 200
        connection.set_tenant(in_a.tenant)
        return len(queries)

    _job(in_a, "parties", "one.csv", _csv([["Tên"], ["A"]]))
    history_queries()  # warm the process caches (host, membership, plan)
    # when
    one = history_queries()
    for n in range(5):
        _job(in_a, "parties", f"more-{n}.csv", _csv([["Tên"], ["A"]]))
    six = history_queries()
    # then
    assert one == six


def test_a_member_sees_only_their_own_imports(in_a):
    # given
    theirs = import_job_create(target="parties", upload=SimpleUploadedFile("m.csv", _csv([["Tên"], ["A"]])),
                               actor=in_a.users["member"])
    owners = _job(in_a, "parties", "o.csv", _csv([["Tên"], ["A"]]))
    connection.set_schema_to_public()
    client = client_for(in_a, in_a.users["member"])
    # when
    history = client.get("/crm/imports/").content.decode()
    foreign = client.get(f"/crm/imports/{owners.pk}/report/")
    # then
    assert f'data-job="{theirs.pk}"' in history
    assert f'data-job="{owners.pk}"' not in history
    assert foreign.status_code == 404


# --------------------------------------------------------------------------- export


def _csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def test_export_parties_as_csv_and_xlsx(in_a):
    # given
    party = PartyFactory(name="Công ty Ánh Dương", tax_code=MST_A, phone="+84912345678", tags=["vip", "đại lý"],
                         owner_id=in_a.users["owner"].pk)
    Address.objects.create(party=party, street="12 Lê Lợi", province="ho-chi-minh", is_primary=True)
    connection.set_schema_to_public()
    client = client_for(in_a, in_a.users["owner"])
    # when
    as_csv = client.get("/crm/exports/parties.csv")
    as_xlsx = client.get("/crm/exports/parties.xlsx")
    # then
    assert as_csv["Content-Type"] == "text/csv; charset=utf-8"
    rows = _csv_rows(as_csv)
    assert rows[0] == ["name", "kind", "is_customer", "is_supplier", "tax_code", "email", "phone", "website", "tags",
                       "province", "street", "owner"]
    assert rows[1:] == [["Công ty Ánh Dương", "organization", "yes", "no", MST_A, "", "+84912345678", "",
                         "vip, đại lý", "Thành phố Hồ Chí Minh", "12 Lê Lợi", "owner@alpha.test"]]
    sheet = openpyxl.load_workbook(io.BytesIO(as_xlsx.content)).active
    assert [cell.value for cell in sheet[2]][:5] == ["Công ty Ánh Dương", "organization", "yes", "no", MST_A]


def test_an_exported_file_imports_back_with_the_suggested_mapping(in_a):
    # given
    PartyFactory(name="Công ty Vòng Tròn", tax_code=MST_B, owner_id=in_a.users["owner"].pk)
    connection.set_schema_to_public()
    exported = b"".join(client_for(in_a, in_a.users["owner"]).get("/crm/exports/parties.csv").streaming_content)
    connection.set_tenant(in_a.tenant)
    Party.objects.all().delete()
    # when
    job = _run(in_a, _job(in_a, "parties", "back.csv", exported))
    # then
    assert job.state == "done"
    assert Party.objects.get().tax_code == MST_B


def test_export_leads_and_deals(in_a):
    # given
    LeadFactory(name="Trần Thị Mai", estimated_value=Decimal(5_000_000), owner_id=in_a.users["owner"].pk)
    DealFactory(title="Hợp đồng lớn", party=PartyFactory(name="Công ty Lớn"), value=Decimal(90_000_000),
                expected_close=date(2026, 12, 31), owner_id=in_a.users["admin"].pk)
    connection.set_schema_to_public()
    client = client_for(in_a, in_a.users["owner"])
    # when
    leads = _csv_rows(client.get("/crm/exports/leads.csv"))
    deals = openpyxl.load_workbook(io.BytesIO(client.get("/crm/exports/deals.xlsx").content)).active
    # then
    assert leads[1][0] == "Trần Thị Mai"
    assert leads[1][7] == "5000000.00"
    assert [cell.value for cell in deals[1]] == ["title", "party", "value", "currency", "stage", "expected_close",
                                                "owner"]
    row = [cell.value for cell in deals[2]]
    assert row[:4] == ["Hợp đồng lớn", "Công ty Lớn", 90_000_000, "VND"]
    assert row[5].date() == date(2026, 12, 31)
    assert row[6] == "admin@alpha.test"


def test_a_member_exports_only_their_own_records(in_a):
    # given
    member, admin = in_a.users["member"], in_a.users["admin"]
    PartyFactory(name="Của thành viên", owner_id=member.pk)
    PartyFactory(name="Của quản trị", owner_id=admin.pk)
    LeadFactory(name="Lead thành viên", owner_id=member.pk)
    LeadFactory(name="Lead quản trị", owner_id=admin.pk)
    DealFactory(title="Deal thành viên", owner_id=member.pk)
    DealFactory(title="Deal quản trị", owner_id=admin.pk)
    connection.set_schema_to_public()
    client = client_for(in_a, member)
    # when
    parties = _csv_rows(client.get("/crm/exports/parties.csv"))
    leads = _csv_rows(client.get("/crm/exports/leads.csv"))
    deals = openpyxl.load_workbook(io.BytesIO(client.get("/crm/exports/deals.xlsx").content)).active
    # then
    assert [row[0] for row in parties[1:]] == ["Của thành viên"]
    assert [row[0] for row in leads[1:]] == ["Lead thành viên"]
    assert [row[0].value for row in deals.iter_rows(min_row=2)] == ["Deal thành viên"]


def test_the_viewer_can_export_and_cannot_import(ws_a):
    # given
    client = client_for(ws_a, ws_a.users["viewer"])
    # when
    page = client.get("/crm/imports/")
    export = client.get("/crm/exports/leads.xlsx")
    upload = client.post("/crm/imports/upload/", {"target": "parties",
                                                  "file": SimpleUploadedFile("a.csv", _csv([["Tên"], ["A"]]))})
    # then
    assert page.status_code == 200
    assert 'data-testid="upload-form"' not in page.content.decode()
    assert 'data-export="leads.xlsx"' in page.content.decode()
    assert export.status_code == 200
    assert upload.status_code == 403


def test_an_unknown_export_is_not_found(ws_a):
    assert client_for(ws_a, ws_a.users["owner"]).get("/crm/exports/tickets.csv").status_code == 404
