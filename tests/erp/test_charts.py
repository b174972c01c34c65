"""The charts of accounts as data files: both load and validate, the role accounts are leaves, the names are the
Circulars' and each chart holds (or lacks) what its Circular does. No database needed."""

import pytest

from modules.erp.accounting import charts
from modules.erp.accounting.charts import (
    CHARTS,
    KINDS,
    NORMALS,
    ROLE_ACCOUNTS,
    ChartError,
    chart_leaves,
    chart_rows,
)

BOTH = sorted(CHARTS)

# Roles the brief and the posting services (setup, stock moves) rely on.
REQUIRED_ROLES = {
    "receivable", "payable", "cash", "bank", "revenue_goods", "revenue_services", "sales_discount", "output_vat",
    "input_vat", "inventory", "raw_materials", "cogs", "fx_gain", "fx_loss", "rounding_gain", "rounding_loss",
    "retained_earnings", "closing", "opening", "stock_surplus", "stock_shortage",
}


def by_code(chart: str) -> dict:
    return {row.code: row for row in chart_rows(chart)}


@pytest.mark.parametrize("chart", BOTH)
def test_chart_loads_and_every_row_is_well_formed(chart):
    rows = chart_rows(chart)
    codes = [row.code for row in rows]
    assert len(codes) == len(set(codes))
    accounts = by_code(chart)
    for row in rows:
        assert row.kind in KINDS and row.normal in NORMALS
        assert row.name_vi and row.name_en
        if row.level == 1:
            assert row.parent is None
        else:
            assert row.parent in accounts and row.code.startswith(row.parent) and len(row.parent) < len(row.code)


def test_level_one_accounts_number_as_in_the_circulars():
    # TT99 Appendix II numbers its level-1 accounts 01..71; TT133 Appendix 1 has 49 of them.
    assert sum(row.level == 1 for row in chart_rows("tt99")) == 71
    assert sum(row.level == 1 for row in chart_rows("tt133")) == 49


@pytest.mark.parametrize("chart", BOTH)
def test_role_accounts_exist_and_are_leaves(chart):
    roles = ROLE_ACCOUNTS[chart]
    assert set(roles) >= REQUIRED_ROLES
    leaves = chart_leaves(chart)
    accounts = by_code(chart)
    for role, code in roles.items():
        assert code in accounts, f"{chart}: role {role} points at {code}, not in the chart"
        assert code in leaves, f"{chart}: role {role} points at {code}, which has sub-accounts"


@pytest.mark.parametrize(("chart", "role", "kind", "normal"), [
    (chart, role, kind, normal) for chart in BOTH for role, kind, normal in [
        ("receivable", "asset", "debit"), ("payable", "liability", "credit"), ("output_vat", "liability", "credit"),
        ("input_vat", "asset", "debit"), ("inventory", "asset", "debit"), ("cogs", "cogs", "debit"),
        ("revenue_goods", "revenue", "credit"), ("revenue_services", "revenue", "credit"),
        ("fx_gain", "revenue", "credit"), ("fx_loss", "expense", "debit"),
        ("rounding_gain", "other_income", "credit"), ("rounding_loss", "other_expense", "debit"),
        ("retained_earnings", "equity", "credit"), ("closing", "closing", "credit"),
    ]])
def test_role_accounts_have_the_kind_the_statements_expect(chart, role, kind, normal):
    row = by_code(chart)[ROLE_ACCOUNTS[chart][role]]
    assert (row.kind, row.normal) == (kind, normal)


def test_the_sales_discount_role_follows_each_chart():
    tt99 = by_code("tt99")["521"]
    assert ROLE_ACCOUNTS["tt99"]["sales_discount"] == "521"
    assert (tt99.kind, tt99.normal) == ("revenue", "debit")  # contra revenue
    assert not CHARTS["tt99"].deductions_on_revenue
    assert CHARTS["tt133"].deductions_on_revenue  # debited straight to 511x
    assert ROLE_ACCOUNTS["tt133"]["sales_discount"].startswith("511")


@pytest.mark.parametrize(("chart", "code", "name"), [
    (chart, code, name) for chart in BOTH for code, name in [
        ("111", "Tiền mặt"),
        ("131", "Phải thu của khách hàng"),
        ("133", "Thuế GTGT được khấu trừ"),
        ("1331", "Thuế GTGT được khấu trừ của hàng hóa, dịch vụ"),
        ("152", "Nguyên liệu, vật liệu"),
        ("156", "Hàng hóa"),
        ("214", "Hao mòn tài sản cố định"),
        ("331", "Phải trả cho người bán"),
        ("333", "Thuế và các khoản phải nộp Nhà nước"),
        ("3331", "Thuế giá trị gia tăng phải nộp"),
        ("33311", "Thuế GTGT đầu ra"),
        ("33312", "Thuế GTGT hàng nhập khẩu"),
        ("3334", "Thuế thu nhập doanh nghiệp"),
        ("3335", "Thuế thu nhập cá nhân"),
        ("334", "Phải trả người lao động"),
        ("411", "Vốn đầu tư của chủ sở hữu"),
        ("4212", "Lợi nhuận sau thuế chưa phân phối năm nay"),
        ("511", "Doanh thu bán hàng và cung cấp dịch vụ"),
        ("515", "Doanh thu hoạt động tài chính"),
        ("632", "Giá vốn hàng bán"),
        ("635", "Chi phí tài chính"),
        ("711", "Thu nhập khác"),
        ("811", "Chi phí khác"),
        ("821", "Chi phí thuế thu nhập doanh nghiệp"),
        ("911", "Xác định kết quả kinh doanh"),
    ]])
def test_key_names_are_the_circulars(chart, code, name):
    assert by_code(chart)[code].name_vi == name


@pytest.mark.parametrize(("code", "name"), [
    ("112", "Tiền gửi không kỳ hạn"),
    ("155", "Sản phẩm"),
    ("158", "Nguyên liệu, vật tư tại kho bảo thuế"),
    ("215", "Tài sản sinh học"),
    ("2295", "Dự phòng tổn thất tài sản sinh học"),
    ("242", "Chi phí chờ phân bổ"),
    ("244", "Ký quỹ, ký cược"),
    ("332", "Phải trả cổ tức, lợi nhuận"),
    ("3386", "Bảo hiểm thất nghiệp"),
    ("3387", "Doanh thu chờ phân bổ"),
    ("3525", "Dự phòng phải trả khác"),
    ("419", "Cổ phiếu mua lại của chính mình"),
    ("4211", "Lợi nhuận sau thuế chưa phân phối lũy kế đến cuối năm trước"),
    ("521", "Các khoản giảm trừ doanh thu"),
    ("641", "Chi phí bán hàng"),
    ("642", "Chi phí quản lý doanh nghiệp"),
    ("82112", "Chi phí thuế thu nhập doanh nghiệp bổ sung theo quy định về thuế tối thiểu toàn cầu"),
])
def test_tt99_names_and_accounts_new_or_renamed_since_tt200(code, name):
    assert by_code("tt99")[code].name_vi == name


@pytest.mark.parametrize(("code", "name"), [
    ("112", "Tiền gửi Ngân hàng"),
    ("155", "Thành phẩm"),
    ("211", "Tài sản cố định"),
    ("2111", "TSCĐ hữu hình"),
    ("228", "Đầu tư góp vốn vào đơn vị khác"),
    ("242", "Chi phí trả trước"),
    ("1386", "Cầm cố, thế chấp, ký quỹ, ký cược"),
    ("3385", "Bảo hiểm thất nghiệp"),
    ("3386", "Nhận ký quỹ, ký cược"),
    ("3387", "Doanh thu chưa thực hiện"),
    ("418", "Các quỹ thuộc vốn chủ sở hữu"),
    ("419", "Cổ phiếu quỹ"),
    ("5111", "Doanh thu bán hàng hóa"),
    ("5113", "Doanh thu cung cấp dịch vụ"),
    ("611", "Mua hàng"),
    ("631", "Giá thành sản xuất"),
    ("642", "Chi phí quản lý kinh doanh"),
    ("6421", "Chi phí bán hàng"),
    ("6422", "Chi phí quản lý doanh nghiệp"),
])
def test_tt133_names(code, name):
    assert by_code("tt133")[code].name_vi == name


@pytest.mark.parametrize("code", [
    "113", "1113", "1123", "158", "171", "212", "213", "215", "221", "222", "243", "244", "332", "337", "343",
    "344", "347", "357", "412", "414", "521", "5211", "621", "622", "623", "627", "641", "8211", "8212",
])
def test_tt133_lacks_what_the_sme_regime_leaves_out(code):
    assert code not in by_code("tt133")


@pytest.mark.parametrize("code", [
    # dropped from TT200: gold as cash sub-accounts, non-business funds, periodic-inventory accounts, off-balance
    "1111", "1113", "1121", "1123", "1131", "161", "3385", "417", "441", "461", "466", "611", "631", "001", "007",
    # TT99 lists no sub-accounts under these
    "1561", "5111", "5113", "5211", "2111", "2131",
])
def test_tt99_lacks_what_appendix_ii_does_not_list(code):
    assert code not in by_code("tt99")


def test_contra_accounts_sit_on_the_other_side():
    tt99, tt133 = by_code("tt99"), by_code("tt133")
    for code in ("214", "2141", "2147", "229", "2293", "2295", "215122"):
        assert (tt99[code].kind, tt99[code].normal) == ("asset", "credit")
    for code in ("214", "2141", "229", "2294"):
        assert (tt133[code].kind, tt133[code].normal) == ("asset", "credit")
    assert (tt99["419"].normal, tt133["419"].normal) == ("debit", "debit")


def test_tt99_sub_accounts_hang_under_the_right_parents():
    tt99 = by_code("tt99")
    assert tt99["33311"].parent == "3331"
    assert tt99["3331"].parent == "333"
    assert tt99["215121"].parent == "21512"
    assert tt99["215121"].level == 4
    assert tt99["82112"].parent == "8211"
    assert tt99["41111"].parent == "4111"


def test_leaves_exclude_accounts_with_sub_accounts():
    leaves = chart_leaves("tt133")
    assert {"1111", "5113", "6421", "911", "131"} <= leaves
    assert not {"111", "511", "642", "333", "3331"} & leaves


def test_unknown_chart_is_refused():
    with pytest.raises(ChartError):
        chart_rows("tt200")


@pytest.fixture
def broken_chart(tmp_path, monkeypatch):
    """A throwaway chart "broken" whose CSV body each test writes."""
    monkeypatch.setattr(charts, "HERE", tmp_path)
    monkeypatch.setitem(charts.CHARTS, "broken", charts.Chart(
        code="broken", file="broken.csv", circular="-", label_vi="-", label_en="-",
        in_force_from=CHARTS["tt99"].in_force_from, deductions_on_revenue=False))
    charts._rows.cache_clear()

    def write(body: str):
        (tmp_path / "broken.csv").write_text("code,parent,name_vi,name_en,kind,normal\n" + body, encoding="utf-8")

    yield write
    charts._rows.cache_clear()


@pytest.mark.parametrize(("body", "message"), [
    ("111,,Tiền mặt,Cash,asset,debit\n111,,Tiền mặt,Cash,asset,debit\n", "listed twice"),
    ("1111,111,Tiền Việt Nam,VND,asset,debit\n", "nearest prefix"),
    ("111,,Tiền mặt,Cash,asset,debit\n1121,111,Tiền Việt Nam,VND,asset,debit\n", "nearest prefix"),
    ("111,,Tiền mặt,Cash,asset,debit\n33311,111,Thuế,VAT,asset,debit\n", "nearest prefix"),
    ("111,,Tiền mặt,Cash,asset,debit\n1111,,Tiền Việt Nam,VND,asset,debit\n", "nearest prefix"),
    ("111,,Tiền mặt,Cash,income,debit\n", "kind"),
    ("111,,Tiền mặt,Cash,asset,dr\n", "normal side"),
    ("11,,Tiền mặt,Cash,asset,debit\n", "account number"),
    ("111,,Tiền mặt,,asset,debit\n", "English name"),
    ("111,,Tiền mặt,Cash,asset,debit\n1111,111,Tiền Việt Nam,VND,liability,debit\n", "under 111"),
])
def test_a_broken_file_is_refused(broken_chart, body, message):
    broken_chart(body)
    with pytest.raises(ChartError, match=message):
        chart_rows("broken")
