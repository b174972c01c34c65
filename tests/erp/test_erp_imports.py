"""Imports of products and opening stock through the CRM's import run: row-by-row problems with nothing
written, a good file writing everything (opening stock valued at the sum of quantity x cost), the dry run and
its preview, the pages, gates and isolation."""

import csv
import dataclasses
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import Sum
from django.utils import translation
from django_tenants.utils import tenant_context

from modules.audit.models import AuditEntry
from modules.crm.models import ImportJob
from modules.crm.selectors.imports import import_preview_summary
from modules.crm.services.imports import KINDS, import_job_create, import_job_run, import_job_start
from modules.erp.catalog.models import Product, ProductCategory
from modules.erp.catalog.services import category_create
from modules.erp.inventory.models import Location, Lot, ProductValuation, StockLevel, StockMove, Warehouse
from modules.erp.inventory.services import location_create
from saas_platform.celery import app
from tests.conftest import client_for
from tests.erp.factories import goods, on_plan


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def eager():
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def _csv(rows) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode()



def _job(ws, target, rows, name="file.csv") -> ImportJob:
    return import_job_create(target=target, upload=SimpleUploadedFile(name, _csv(rows)), actor=ws.users["owner"])


def _run(ws, job, *, dry_run=False) -> ImportJob:
    """Start with the suggested mapping and run here, without Celery, in English (the report keeps the messages
    in the language of the run)."""
    import_job_start(job=job, mapping=job.mapping, actor=ws.users["owner"], dry_run=dry_run)
    with translation.override("en"):
        return import_job_run(job_id=job.pk, tenant=ws.tenant, dry_run=dry_run)


PRODUCT_HEADER = ["Mã hàng", "Tên hàng", "Loại", "ĐVT", "Nhóm hàng", "Mã vạch", "Thuế GTGT", "Giá bán", "Tiền tệ"]


def _product_rows(count: int):
    return [[f"SP-{n:04d}", f"Sản phẩm {n}", "Hàng hóa", "chiec", "Đồ gia dụng", "", "10%", "12.500", "VND"]
            for n in range(count)]


# --------------------------------------------------------------------------- products


def test_a_good_product_file_writes_every_product_and_creates_each_missing_category_once(in_a):
    # given: an existing category named with other accents and case; units by code and by name
    category_create(name="Đồ uống", actor=in_a.users["owner"])
    rows = [["NUOC-500", "Nước suối 500ml", "Hàng hóa", "Chiếc", "đồ uống", 8934567000011, 0.08, "5.000", "VND"],
            ["GIAO-HANG", "Phí giao hàng", "Dịch vụ", "lan", "", "", "10%", "30.000", ""],
            ["KEO-01", "Kẹo dừa", "goods", "hop", "Bánh kẹo", "", "8", "45.000,50", "VND"],
            ["KEO-02", "Kẹo lạc", "", "hop", "bánh kẹo", "", "", "40000", "đ"],
            ["TU-01", "Giấy in A4", "vật tư tiêu hao", "Hộp", "Văn phòng phẩm", "", "KCT", "1,5", "USD"]]
    # when
    job = _run(in_a, _job(in_a, "products", [PRODUCT_HEADER, *rows]))
    # then
    assert job.mapping == {"Mã hàng": "sku", "Tên hàng": "name", "Loại": "kind", "ĐVT": "unit",
                           "Nhóm hàng": "category", "Mã vạch": "barcode", "Thuế GTGT": "vat_code",
                           "Giá bán": "sale_price", "Tiền tệ": "currency"}
    assert job.errors == []
    assert (job.state, job.total_rows, job.created_rows) == ("done", 5, 5)
    products = {p.sku: p for p in Product.objects.select_related("category", "base_unit")}
    assert set(products) == {"NUOC-500", "GIAO-HANG", "KEO-01", "KEO-02", "TU-01"}
    water = products["NUOC-500"]
    assert (water.kind, water.base_unit.code, water.category.name, water.barcode, water.vat_code, water.sale_price,
            water.created_by_id) == ("goods", "chiec", "Đồ uống", "8934567000011", "8", Decimal(5000),
                                     in_a.users["owner"].pk)
    assert (products["GIAO-HANG"].kind, products["GIAO-HANG"].category, products["GIAO-HANG"].currency) == (
        "service", None, "VND")
    assert products["KEO-01"].sale_price == Decimal(45001)  # VND has no decimals
    assert products["KEO-01"].category_id == products["KEO-02"].category_id
    assert (products["TU-01"].kind, products["TU-01"].vat_code, products["TU-01"].sale_price) == (
        "consumable", "exempt", Decimal("1.50"))
    assert sorted(ProductCategory.objects.values_list("name", flat=True)) == [
        "Bánh kẹo", "Văn phòng phẩm", "Đồ uống"]
    assert list(AuditEntry.objects.filter(action="import.done").values_list("detail__created", flat=True)) == [5]


def test_bad_product_rows_are_reported_by_row_and_nothing_is_written(in_a):
    # given: row 3 repeats row 2's SKU, row 4 an existing SKU, row 5 an unknown unit and VAT, row 6 no name,
    # row 7 an unknown kind and a negative price; rows 2 and 8 are fine
    goods(in_a.users["owner"], sku="CO-SAN")
    before = (Product.objects.count(), ProductCategory.objects.count())
    rows = _product_rows(7)
    rows[1][0] = rows[0][0]
    rows[2][0] = "co-san"
    rows[3][3], rows[3][6] = "thùng lớn", "7%"
    rows[4][1] = ""
    rows[5][2], rows[5][7] = "máy bay", "-5"
    # when
    job = _run(in_a, _job(in_a, "products", [PRODUCT_HEADER, *rows]))
    # then
    assert job.state == "failed"
    assert [(error["row"], error["column"]) for error in job.errors] == [
        (3, "Mã hàng"), (4, "Mã hàng"), (5, "ĐVT"), (5, "Thuế GTGT"), (6, "Tên hàng"), (7, "Loại"), (7, "Giá bán")]
    assert "Row 2 already has this SKU." in job.errors[0]["message"]
    assert (Product.objects.count(), ProductCategory.objects.count()) == before
    assert not AuditEntry.objects.filter(action="import.done").exists()


def test_a_sku_saved_between_the_check_and_the_write_fails_the_import_and_writes_nothing(in_a, monkeypatch):
    # given: another member saves SP-0001 once the import has read the SKUs in use
    kind = KINDS["products"]

    def lookups_then_a_rival(tenant):
        lookups = kind.lookups(tenant)
        goods(in_a.users["member"], sku="SP-0001")
        return lookups

    monkeypatch.setitem(KINDS, "products", dataclasses.replace(kind, lookups=lookups_then_a_rival))
    # when
    job = _run(in_a, _job(in_a, "products", [PRODUCT_HEADER, *_product_rows(3)]))
    # then
    assert job.state == "failed" and "SP-0001" in job.errors[0]["message"]
    assert list(Product.objects.values_list("sku", flat=True)) == ["SP-0001"]
    assert not ProductCategory.objects.exists()


def test_a_dry_run_checks_everything_writes_nothing_and_previews_what_the_import_would_write(in_a):
    # given
    job = _job(in_a, "products", [PRODUCT_HEADER, *_product_rows(12)])
    # when
    checked = _run(in_a, job, dry_run=True)
    summary = import_preview_summary(job=checked)
    # then
    assert (checked.state, checked.total_rows, checked.processed_rows, checked.errors) == ("uploaded", 12, 12, [])
    assert not Product.objects.exists() and not ProductCategory.objects.exists()
    assert (summary["rows"], summary["new_categories"], len(summary["samples"])) == (12, ["Đồ gia dụng"], 10)
    assert summary["samples"][0] == {"sku": "SP-0000", "name": "Sản phẩm 0", "kind": "Goods (stocked)",
                                     "unit": "Chiếc", "category": "Đồ gia dụng", "vat": "10",
                                     "price": Decimal(12500), "currency": "VND"}
    # when: imported after the check
    done = _run(in_a, checked)
    # then
    assert (done.state, done.created_rows, Product.objects.count()) == ("done", 12, 12)
    assert import_preview_summary(job=done) is None


def test_a_dry_run_with_problems_fails_like_an_import(in_a):
    # given
    rows = _product_rows(2)
    rows[1][3] = "không có"
    # when
    job = _run(in_a, _job(in_a, "products", [PRODUCT_HEADER, *rows]), dry_run=True)
    # then
    assert job.state == "failed" and [error["row"] for error in job.errors] == [3]
    assert import_preview_summary(job=job) is None


# --------------------------------------------------------------------------- opening stock

OPENING_HEADER = ["Mã hàng", "Mã kho", "Vị trí", "Số lượng", "Đơn giá vốn", "Số lô"]


def test_a_good_opening_stock_file_posts_every_row_and_values_the_stock_at_the_sum_of_quantity_x_cost(in_a):
    # given: two rows of the same product at different costs, a second location, the default one when empty
    owner = in_a.users["owner"]
    water = goods(owner, sku="NUOC")
    cola = goods(owner, sku="COLA")
    shelf = location_create(actor=owner, warehouse=Warehouse.objects.get(is_default=True), code="KE-A", name="Kệ A")
    rows = [["NUOC", "", "", "240", "3.200", ""],
            ["nuoc", "wh", "ke-a", "48", "3.350", ""],
            ["COLA", "WH", "STOCK", "10,5", "7000.25", ""]]
    # when
    job = _run(in_a, _job(in_a, "opening", [OPENING_HEADER, *rows]))
    # then
    assert job.mapping == {"Mã hàng": "product", "Mã kho": "warehouse", "Vị trí": "location", "Số lượng": "quantity",
                           "Đơn giá vốn": "unit_cost", "Số lô": "lot_code"}
    assert (job.state, job.created_rows, job.errors) == ("done", 3, [])
    expected = {water.pk: (Decimal(288), Decimal(240 * 3200 + 48 * 3350)),
                cola.pk: (Decimal("10.5"), Decimal(73503))}  # VND: whole dong
    assert {v.product_id: (v.quantity, v.value) for v in ProductValuation.objects.all()} == expected
    moves = StockMove.objects.filter(kind="opening")
    assert moves.count() == 3 and moves.aggregate(total=Sum("value"))["total"] == sum(v for _q, v in expected.values())
    default = Location.objects.get(warehouse__is_default=True, is_default=True)
    assert {(level.product_id, level.location_id): level.on_hand for level in StockLevel.objects.all()} == {
        (water.pk, default.pk): Decimal(240), (water.pk, shelf.pk): Decimal(48), (cola.pk, default.pk): Decimal("10.5")}
    audit = AuditEntry.objects.get(action="import.done")
    assert (audit.detail["created"], audit.detail["value"]) == (3, "1002303")


def test_bad_opening_stock_rows_are_reported_by_row_and_nothing_is_written(in_a):
    # given
    owner = in_a.users["owner"]
    goods(owner, sku="NUOC")
    goods(owner, sku="PHI", kind="service")
    goods(owner, sku="LO-01", tracking="lot")
    rows = [["NUOC", "", "", "5", "1000", ""],  # row 2: fine
            ["KHONG-CO", "", "", "5", "1000", ""],  # row 3: no such product
            ["PHI", "", "", "1", "0", ""],  # row 4: a service is not stocked
            ["NUOC", "", "", "0", "1000", ""],  # row 5: quantity zero
            ["NUOC", "", "", "-2", "1000", ""],  # row 6: negative quantity
            ["NUOC", "KHO-2", "", "5", "1000", ""],  # row 7: no such warehouse
            ["NUOC", "", "KE-Z", "5", "1000", ""],  # row 8: no such location
            ["NUOC", "", "", "5", "", ""],  # row 9: the cost is missing
            ["NUOC", "", "", "5", "1000", "L1"],  # row 10: not tracked, yet a lot
            ["LO-01", "", "", "5", "1000", ""]]  # row 11: tracked, no lot
    # when
    job = _run(in_a, _job(in_a, "opening", [OPENING_HEADER, *rows]))
    # then
    assert job.state == "failed"
    assert [(error["row"], error["column"]) for error in job.errors] == [
        (3, "Mã hàng"), (4, "Mã hàng"), (5, "Số lượng"), (6, "Số lượng"), (7, "Mã kho"), (8, "Vị trí"),
        (9, "Đơn giá vốn"), (10, "Số lô"), (11, "Số lô")]
    assert not StockMove.objects.exists() and not ProductValuation.objects.exists()
    assert not StockLevel.objects.filter(on_hand__gt=0).exists()


def test_tracked_products_get_their_lots_and_a_serial_is_one_unit_once(in_a):
    # given
    owner = in_a.users["owner"]
    goods(owner, sku="SUA", tracking="lot")
    goods(owner, sku="MAY", tracking="serial")
    good = [["SUA", "", "", "20", "15000", "L-2026-01"], ["SUA", "", "", "10", "15500", "L-2026-02"],
            ["MAY", "", "", "1", "2000000", "SN-1"], ["MAY", "", "", "1", "2000000", "SN-2"]]
    bad = [["MAY", "", "", "2", "2000000", "SN-3"], ["MAY", "", "", "1", "2000000", "SN-1"],
           ["MAY", "", "", "1", "2000000", "SN-4"], ["MAY", "", "", "1", "2000000", "SN-4"]]
    # when
    imported = _run(in_a, _job(in_a, "opening", [OPENING_HEADER, *good]))
    refused = _run(in_a, _job(in_a, "opening", [OPENING_HEADER, *bad]))
    # then
    assert imported.state == "done"
    assert sorted(Lot.objects.values_list("code", flat=True)) == ["L-2026-01", "L-2026-02", "SN-1", "SN-2"]
    assert refused.state == "failed"
    assert [(error["row"], error["column"]) for error in refused.errors] == [
        (2, "Số lượng"), (3, "Số lô"), (5, "Số lô")]
    assert StockMove.objects.count() == 4


def test_the_import_refuses_a_workspace_whose_plan_lost_the_feature(in_a):
    # given: queued on Growth, run after a move to Starter (no catalog)
    job = _job(in_a, "products", [PRODUCT_HEADER, *_product_rows(1)])
    import_job_start(job=job, mapping=job.mapping, actor=in_a.users["owner"])
    on_plan(in_a.tenant, "starter")
    # when
    with translation.override("en"):
        job = import_job_run(job_id=job.pk, tenant=in_a.tenant)
    # then
    assert job.state == "failed" and "not in your plan" in job.errors[0]["message"]
    assert not Product.objects.exists()


# --------------------------------------------------------------------------- pages


def test_upload_check_preview_and_import_through_the_pages(ws_a, eager, django_capture_on_commit_callbacks):
    # given
    client = client_for(ws_a, ws_a.users["member"])
    upload = SimpleUploadedFile("hang-hoa.csv", _csv([PRODUCT_HEADER, *_product_rows(3)]))
    # when
    uploaded = client.post("/erp/imports/upload/", {"target": "products", "file": upload})
    mapping_url = uploaded["Location"]
    mapping_page = client.get(mapping_url).content.decode()
    chosen = {f"column_{index}": key for index, key in enumerate(
        ["sku", "name", "kind", "unit", "category", "barcode", "vat_code", "sale_price", "currency"])}
    with django_capture_on_commit_callbacks(execute=True):
        checked = client.post(mapping_url, {**chosen, "check": "1"})
    preview = client.get(checked["Location"], follow=True)
    with tenant_context(ws_a.tenant):
        written_after_check = Product.objects.count()
    job_id = int(mapping_url.rstrip("/").split("/")[-2])
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(f"/erp/imports/{job_id}/start/")
    status = client.get(f"/erp/imports/{job_id}/status/").json()
    report = client.get(status["redirect"]).content.decode()
    # then
    assert uploaded.status_code == 302 and mapping_url == f"/erp/imports/{job_id}/mapping/"
    assert '<option value="sku" selected>' in mapping_page and "SP-0001" in mapping_page
    assert preview.redirect_chain[-1][0] == f"/erp/imports/{job_id}/preview/"
    assert 'data-testid="preview-rows">3<' in preview.content.decode()
    assert written_after_check == 0
    assert started.status_code == 302
    assert (status["state"], status["progress"], status["written_rows"]) == ("done", 100, 3)
    assert 'data-testid="created-rows">3<' in report
    with tenant_context(ws_a.tenant):
        assert Product.objects.count() == 3


def test_the_import_page_offers_the_erp_kinds_and_sample_files(ws_a):
    # given
    client = client_for(ws_a, ws_a.users["owner"])
    # when
    page = client.get("/erp/imports/").content.decode()
    sample = client.get("/erp/imports/samples/opening.csv")
    # then
    assert '<option value="products">' in page and '<option value="opening">' in page
    assert 'data-sample="products"' in page and 'data-testid="columns-opening"' in page
    assert sample.status_code == 200 and sample.content.decode("utf-8-sig").startswith("Mã hàng,Mã kho,")


def test_the_crm_import_page_keeps_to_crm_kinds(ws_a):
    # when
    page = client_for(ws_a, ws_a.users["owner"]).get("/crm/imports/").content.decode()
    # then
    assert '<option value="parties">' in page and '<option value="products">' not in page
    assert 'data-export="products.csv"' not in page


def test_an_erp_import_is_not_found_through_crm_pages_nor_a_crm_import_through_erp_pages(ws_a):
    # given
    with tenant_context(ws_a.tenant):
        erp_job = _job(ws_a, "products", [PRODUCT_HEADER, *_product_rows(1)])
        crm_job = _job(ws_a, "parties", [["Tên"], ["Công ty A"]])
    client = client_for(ws_a, ws_a.users["owner"])
    # when
    through_crm = client.get(f"/crm/imports/{erp_job.pk}/report/")
    through_erp = client.get(f"/erp/imports/{crm_job.pk}/report/")
    # then
    assert (through_crm.status_code, through_erp.status_code) == (404, 404)


def test_another_workspaces_import_is_not_found(ws_a, ws_b):
    # given
    with tenant_context(ws_b.tenant):
        theirs = _job(ws_b, "products", [PRODUCT_HEADER, *_product_rows(1)])
    # when
    response = client_for(ws_a, ws_a.users["owner"]).get(f"/erp/imports/{theirs.pk}/report/")
    # then
    assert response.status_code == 404


def test_viewers_cannot_upload_and_starter_gets_the_upgrade_page(ws_a):
    # given
    viewer = client_for(ws_a, ws_a.users["viewer"])
    owner = client_for(ws_a, ws_a.users["owner"])
    upload = SimpleUploadedFile("x.csv", _csv([PRODUCT_HEADER, *_product_rows(1)]))
    # when
    refused = viewer.post("/erp/imports/upload/", {"target": "products", "file": upload})
    on_plan(ws_a.tenant, "starter")
    on_starter = owner.get("/erp/imports/")
    # then
    assert refused.status_code == 403 and on_starter.status_code == 402
    with tenant_context(ws_a.tenant):
        assert not ImportJob.objects.filter(target="products").exists()


def test_a_big_product_file_is_checked_and_written_in_chunks(in_a):
    # given: more rows than one COPY chunk
    rows = _product_rows(2100)
    # when
    job = _run(in_a, _job(in_a, "products", [PRODUCT_HEADER, *rows]))
    # then
    assert (job.state, job.created_rows, Product.objects.count()) == ("done", 2100, 2100)
    assert ProductCategory.objects.count() == 1
    connection.set_schema_to_public()


def test_the_opening_stock_preview_shows_the_value_the_import_would_add(ws_a):
    # given
    with tenant_context(ws_a.tenant):
        goods(ws_a.users["owner"], sku="NUOC")
        job = _run(ws_a, _job(ws_a, "opening", [OPENING_HEADER, ["NUOC", "", "", "240", "3.200", ""]]),
                   dry_run=True)
    client = client_for(ws_a, ws_a.users["owner"])
    # when
    progress = client.get(f"/erp/imports/{job.pk}/progress/")
    preview = client.get(f"/erp/imports/{job.pk}/preview/").content.decode()
    # then
    assert progress["Location"] == f"/erp/imports/{job.pk}/preview/"
    assert 'data-testid="preview-rows">1<' in preview and "768.000" in preview and 'data-testid="import-now"' in preview
    with tenant_context(ws_a.tenant):
        assert not StockMove.objects.exists()


def test_a_queued_import_shows_its_progress_bar(ws_a):
    # given
    with tenant_context(ws_a.tenant):
        job = _job(ws_a, "products", [PRODUCT_HEADER, *_product_rows(1)])
        import_job_start(job=job, mapping=job.mapping, actor=ws_a.users["owner"], dry_run=True)
    client = client_for(ws_a, ws_a.users["owner"])
    # when
    page = client.get(f"/erp/imports/{job.pk}/progress/").content.decode()
    status = client.get(f"/erp/imports/{job.pk}/status/").json()
    # then
    assert f'data-status-url="/erp/imports/{job.pk}/status/"' in page and 'role="progressbar"' in page
    assert (status["state"], status["progress"], "redirect" in status) == ("queued", 0, False)


def test_opening_stock_over_several_chunks_adds_up(in_a):
    # given: more rows than one posting chunk, all on one product and location
    goods(in_a.users["owner"], sku="NUOC")
    rows = [["NUOC", "", "", "2", str(1000 + n), ""] for n in range(1200)]
    # when
    job = _run(in_a, _job(in_a, "opening", [OPENING_HEADER, *rows]))
    # then
    assert (job.state, job.created_rows) == ("done", 1200)
    valuation = ProductValuation.objects.get()
    assert (valuation.quantity, valuation.value) == (Decimal(2400), Decimal(sum(2 * (1000 + n) for n in range(1200))))
    assert StockLevel.objects.get().on_hand == Decimal(2400)
    assert StockMove.objects.aggregate(total=Sum("value"))["total"] == valuation.value
