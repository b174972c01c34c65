"""Accounting reports against a small company computed by hand: the trial balance, the income statement (B02-DN)
and the balance sheet (B01-DN) match the tables below line by line; period and branch filters; XLSX and PDF;
the setup page; lock date and locked periods on the manual entry form; gates per tier; the entry list's query
count; the marketing ROI switching to invoiced revenue.

The company (Circular 99, amounts in VND) — January is before the reported period, February is the period:
  E1  05/01  capital paid in                Dr 112  500,000,000  / Cr 41111 500,000,000
  E2  10/01  cash withdrawn                 Dr 111   20,000,000  / Cr 112    20,000,000
  E3  20/01  export sale to C2 (0% VAT)     Dr 131   25,000,000  / Cr 511    25,000,000
  E4  02/02  goods bought with VAT from S   Dr 156  100,000,000, Dr 1331 10,000,000 / Cr 331 110,000,000
  E5  05/02  S paid in part                 Dr 331   60,000,000  / Cr 112    60,000,000
  E6  10/02  sale to C with VAT             Dr 131  165,000,000  / Cr 511 150,000,000, Cr 33311 15,000,000
  E7  10/02  cost of the goods sold         Dr 632   80,000,000  / Cr 156    80,000,000
  E8  15/02  trade discount to C            Dr 521    5,000,000, Dr 33311 500,000 / Cr 131 5,500,000
  E9  18/02  selling expense in cash        Dr 6418   2,000,000  / Cr 111     2,000,000
  E10 20/02  C pays                         Dr 112  100,000,000  / Cr 131   100,000,000
  E11 22/02  rent with VAT, in cash         Dr 6427  12,000,000, Dr 1331 1,200,000 / Cr 111 13,200,000
  E12 26/02  C2 pays at a better rate       Dr 112   25,400,000  / Cr 131 25,000,000, Cr 515 400,000 (FX gain)
  E13 27/02  advance from C3                Dr 112    5,000,000  / Cr 131     5,000,000
  E14 28/02  bank interest paid             Dr 635      300,000  / Cr 112       300,000
  E15 28/02  penalty received in cash       Dr 111    1,000,000  / Cr 711     1,000,000
"""

import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context
from openpyxl import load_workbook

from modules.crm.models import Campaign
from modules.crm.selectors.campaigns import INVOICED, WON, campaign_rows, revenue_basis
from modules.erp.accounting.models import Account, AccountingSettings, JournalEntry
from modules.erp.accounting.reports import ledger, statements
from modules.erp.accounting.reports.periods import ReportPeriod, quick_pick
from modules.erp.accounting.services.branches import branch_create
from modules.erp.accounting.services.posting import LineSpec, entry_post
from modules.erp.accounting.services.setup import accounting_enable, lock_date_set, period_lock_set
from modules.erp.errors import ErpError
from modules.erp.invoicing.models import Invoice
from modules.erp.sales.services import sales_order_create
from tests.conftest import client_for
from tests.crm.factories import CampaignFactory, DealFactory, PartyFactory, stage
from tests.erp.factories import on_plan

M = 1_000_000
FEB = ReportPeriod(datetime.date(2026, 2, 1), datetime.date(2026, 2, 28))
JAN = ReportPeriod(datetime.date(2026, 1, 1), datetime.date(2026, 1, 31))
FEB_QUERY = "from=2026-02-01&to=2026-02-28"
MANAGEMENT = {"lines-TOTAL_FORMS": "4", "lines-INITIAL_FORMS": "0", "lines-MIN_NUM_FORMS": "2",
              "lines-MAX_NUM_FORMS": "1000"}

# account: (opening debit, opening credit, debit, credit, closing debit, closing credit) for February
TRIAL_BALANCE = {
    "111": (20 * M, 0, 1 * M, 15_200_000, 5_800_000, 0),
    "112": (480 * M, 0, 130_400_000, 60_300_000, 550_100_000, 0),
    "131": (25 * M, 0, 165 * M, 135_500_000, 54_500_000, 0),
    "1331": (0, 0, 11_200_000, 0, 11_200_000, 0),
    "156": (0, 0, 100 * M, 80 * M, 20 * M, 0),
    "331": (0, 0, 60 * M, 110 * M, 0, 50 * M),
    "33311": (0, 0, 500_000, 15 * M, 0, 14_500_000),
    "41111": (0, 500 * M, 0, 0, 0, 500 * M),
    "511": (0, 25 * M, 0, 150 * M, 0, 175 * M),
    "515": (0, 0, 0, 400_000, 0, 400_000),
    "521": (0, 0, 5 * M, 0, 5 * M, 0),
    "632": (0, 0, 80 * M, 0, 80 * M, 0),
    "635": (0, 0, 300_000, 0, 300_000, 0),
    "6418": (0, 0, 2 * M, 0, 2 * M, 0),
    "6427": (0, 0, 12 * M, 0, 12 * M, 0),
    "711": (0, 0, 0, 1 * M, 0, 1 * M),
}
TRIAL_TOTAL = (525 * M, 525 * M, 567_400_000, 567_400_000, 740_900_000, 740_900_000)

INCOME_STATEMENT = {
    "01": 150 * M, "02": 5 * M, "10": 145 * M, "11": 80 * M, "20": 65 * M, "21": 400_000, "22": 300_000, "23": 0,
    "25": 2 * M, "26": 12 * M, "30": 51_100_000, "31": 1 * M, "32": 0, "40": 1 * M, "50": 52_100_000, "51": 0,
    "52": 0, "60": 52_100_000,
}

# line: (at 28/02, at 31/01); lines not listed are zero in both columns
BALANCE_SHEET = {
    "100": (646_600_000, 525 * M), "110": (555_900_000, 500 * M), "111": (555_900_000, 500 * M),
    "130": (59_500_000, 25 * M), "131": (59_500_000, 25 * M),  # C owes 59.5M; C3's advance is not netted
    "140": (20 * M, 0), "141": (20 * M, 0), "150": (11_200_000, 0), "152": (11_200_000, 0),
    "270": (646_600_000, 525 * M),
    "300": (69_500_000, 0), "310": (69_500_000, 0), "311": (50 * M, 0), "312": (5 * M, 0),
    "313": (14_500_000, 0),
    "400": (577_100_000, 525 * M), "410": (577_100_000, 525 * M), "411": (500 * M, 500 * M),
    "421": (77_100_000, 25 * M),  # the result not closed yet: January's 25M plus February's 52.1M
    "440": (646_600_000, 525 * M),
}



def _post(actor, day, *lines, party=None, branch=None, source=None):
    """``lines``: (account code, signed amount, party or None)."""
    return entry_post(actor=actor, journal_code="TH", date=datetime.date(2026, *day), branch=branch, source=source,
                      memo="test", lines=[LineSpec(account=code, amount=Decimal(amount),
                                                   party_id=(who or party).pk if (who or party) else None)
                                          for code, amount, who in lines])


def _company(owner):
    """The fifteen entries of the module docstring."""
    supplier, c, c2, c3 = (PartyFactory(name=name) for name in ("S", "C", "C2", "C3"))
    _post(owner, (1, 5), ("112", 500 * M, None), ("41111", -500 * M, None))
    _post(owner, (1, 10), ("111", 20 * M, None), ("112", -20 * M, None))
    _post(owner, (1, 20), ("131", 25 * M, c2), ("511", -25 * M, None))
    _post(owner, (2, 2), ("156", 100 * M, None), ("1331", 10 * M, None), ("331", -110 * M, supplier))
    _post(owner, (2, 5), ("331", 60 * M, supplier), ("112", -60 * M, None))
    _post(owner, (2, 10), ("131", 165 * M, c), ("511", -150 * M, None), ("33311", -15 * M, None))
    _post(owner, (2, 10), ("632", 80 * M, None), ("156", -80 * M, None))
    _post(owner, (2, 15), ("521", 5 * M, None), ("33311", 500_000, None), ("131", -5_500_000, c))
    _post(owner, (2, 18), ("6418", 2 * M, None), ("111", -2 * M, None))
    _post(owner, (2, 20), ("112", 100 * M, None), ("131", -100 * M, c))
    _post(owner, (2, 22), ("6427", 12 * M, None), ("1331", 1_200_000, None), ("111", -13_200_000, None))
    _post(owner, (2, 26), ("112", 25_400_000, None), ("131", -25 * M, c2), ("515", -400_000, None))
    _post(owner, (2, 27), ("112", 5 * M, None), ("131", -5 * M, c3))
    _post(owner, (2, 28), ("635", 300_000, None), ("112", -300_000, None))
    _post(owner, (2, 28), ("111", 1 * M, None), ("711", -1 * M, None))
    return {"supplier": supplier, "c": c, "c2": c2, "c3": c3}


@pytest.fixture
def books(ws_a):
    """Workspace A on Scale with the hand-computed company posted on Circular 99."""
    on_plan(ws_a.tenant, "scale")
    owner = ws_a.users["owner"]
    with tenant_context(ws_a.tenant):
        accounting_enable(actor=owner, chart="tt99")
        parties = _company(owner)
    return ws_a, parties


def _money(row):
    return tuple(int(value) for value in row)


# ---------------------------------------------------------------- the hand-computed company
def test_the_trial_balance_matches_the_hand_computed_table_line_by_line(books):
    # given
    ws, _parties = books
    with tenant_context(ws.tenant):
        # when
        report = ledger.trial_balance(period=FEB)
        posted = {row.account.code: row for row in report.rows if row.is_posted}
        # then
        assert set(posted) == set(TRIAL_BALANCE)
        assert {code: _money((*row.opening, row.sums.debit, row.sums.credit, *row.closing))
                for code, row in posted.items()} == TRIAL_BALANCE
        totals = report.totals
        assert _money((totals["open_debit"], totals["open_credit"], totals["debit"], totals["credit"],
                       totals["close_debit"], totals["close_credit"])) == TRIAL_TOTAL
        assert report.balanced


def test_parent_accounts_carry_their_children_in_the_trial_balance(books):
    # given
    ws, _parties = books
    with tenant_context(ws.tenant):
        # when
        rows = {row.account.code: row for row in ledger.trial_balance(period=FEB).rows}
        # then: 133 and 3331/333 are parents; 4111 holds 41111
        assert (rows["133"].is_posted, int(rows["133"].sums.debit)) == (False, 11_200_000)
        assert _money(rows["333"].closing) == (0, 14_500_000)
        assert _money(rows["411"].opening) == (0, 500 * M)


def test_the_income_statement_matches_the_hand_computed_b02(books):
    # given
    ws, _parties = books
    with tenant_context(ws.tenant):
        # when
        statement = statements.income_statement(chart="tt99", period=FEB)
        # then
        assert {line.code: int(statement.amount(line.code)) for line in statement.lines} == INCOME_STATEMENT
        assert statement.unmapped == []


def test_the_balance_sheet_matches_the_hand_computed_b01_and_balances(books):
    # given
    ws, _parties = books
    with tenant_context(ws.tenant):
        # when
        statement = statements.balance_sheet(chart="tt99", period=FEB)
        # then
        expected = {line.code: BALANCE_SHEET.get(line.code, (0, 0)) for line in statement.lines}
        assert {line.code: (int(statement.amount(line.code)), int(statement.amount(line.code, 1)))
                for line in statement.lines} == expected
        assert statement.caught == []


def test_closing_the_result_into_911_leaves_the_statements_unchanged(books):
    # given: February's revenue and costs closed into 911, and 911 into retained earnings (4212)
    ws, _parties = books
    owner = ws.users["owner"]
    with tenant_context(ws.tenant):
        _post(owner, (2, 28), ("511", 150 * M, None), ("521", -5 * M, None), ("911", -145 * M, None))
        _post(owner, (2, 28), ("911", 80 * M, None), ("632", -80 * M, None))
        _post(owner, (2, 28), ("911", 13_900_000, None), ("6418", -2 * M, None), ("6427", -12 * M, None),
              ("635", -300_000, None), ("515", 400_000, None))
        _post(owner, (2, 28), ("711", 1 * M, None), ("911", -1 * M, None))
        _post(owner, (2, 28), ("911", 52_100_000, None), ("4212", -52_100_000, None))
        # when
        income = statements.income_statement(chart="tt99", period=FEB)
        balance = statements.balance_sheet(chart="tt99", period=FEB)
        # then: closing entries are left out of the income statement; 421 keeps the result
        assert int(income.amount("60")) == 52_100_000
        assert (int(balance.amount("421")), int(balance.amount("270")), int(balance.amount("440"))) == (
            77_100_000, 646_600_000, 646_600_000)


def test_the_general_ledger_shows_the_opening_running_and_closing_balance(books):
    # given
    ws, _parties = books
    with tenant_context(ws.tenant):
        account = Account.objects.get(code="111")
        report = ledger.general_ledger(account=account, period=FEB)
        # when
        table = ledger.general_ledger_table(report, ledger.ledger_lines(report, period=FEB), period=FEB,
                                            branch=None, lang="vi")
        # then: 20M, -2M (18/02), -13.2M (22/02), +1M (28/02)
        running = [int(row.cells[6]) - int(row.cells[7] or 0) for row in table.rows if row.key.startswith("line-")]
        assert running == [18 * M, 4_800_000, 5_800_000]
        assert (int(report.opening), int(report.debit), int(report.credit), int(report.closing)) == (
            20 * M, 1 * M, 15_200_000, 5_800_000)
        assert [row.cells[3] for row in table.rows if row.key.startswith("line-")] == ["6418", "6427, 1331", "711"]


def test_the_cash_position_adds_cash_and_bank_day_by_day(books):
    # given
    ws, _parties = books
    with tenant_context(ws.tenant):
        # when
        report = ledger.cash_position(period=FEB)
        days = dict(report.days)
        # then
        assert {account.code: _money((s.opening, s.debit, s.credit, s.closing)) for account, s in report.rows} == {
            "111": (20 * M, 1 * M, 15_200_000, 5_800_000), "112": (480 * M, 130_400_000, 60_300_000, 550_100_000)}
        assert days[datetime.date(2026, 2, 1)] == 500 * M
        assert days[datetime.date(2026, 2, 5)] == 440 * M
        assert days[datetime.date(2026, 2, 28)] == 555_900_000
        assert len(report.days) == 28


# ---------------------------------------------------------------- filters
def test_another_period_gives_its_own_figures(books):
    # given
    ws, _parties = books
    with tenant_context(ws.tenant):
        # when
        january = ledger.trial_balance(period=JAN)
        income = statements.income_statement(chart="tt99", period=JAN)
        # then
        assert _money((january.totals["open_debit"], january.totals["debit"], january.totals["close_debit"])) == (
            0, 545 * M, 525 * M)
        assert (int(income.amount("01")), int(income.amount("60"))) == (25 * M, 25 * M)


def test_a_branch_filter_keeps_that_branchs_lines(books):
    # given: Enterprise, a Hanoi branch with one sale of its own
    ws, parties = books
    owner = ws.users["owner"]
    on_plan(ws.tenant, "enterprise")
    with tenant_context(ws.tenant):
        hanoi = branch_create(actor=owner, tenant=ws.tenant, code="hn", name="Chi nhánh Hà Nội")
        _post(owner, (2, 12), ("131", 11 * M, parties["c"]), ("511", -10 * M, None), ("33311", -1 * M, None),
              branch=hanoi)
        # when
        whole = statements.income_statement(chart="tt99", period=FEB)
        branch_only = statements.income_statement(chart="tt99", period=FEB, branch=hanoi)
        branch_balance = statements.balance_sheet(chart="tt99", period=FEB, branch=hanoi)
    page = client_for(ws, owner).get(f"/erp/accounting/reports/trial-balance/?{FEB_QUERY}&branch={hanoi.pk}")
    # then
    assert (int(whole.amount("01")), int(branch_only.amount("01")), int(branch_only.amount("60"))) == (
        160 * M, 10 * M, 10 * M)
    assert (int(branch_balance.amount("270")), int(branch_balance.amount("440"))) == (11 * M, 11 * M)
    assert page.status_code == 200
    rows = page.context["table"].rows
    assert [row.key for row in rows if row.style != "strong"] == ["131", "33311", "511", "total"]
    assert "Chi nhánh Hà Nội" in page.content.decode()


def test_quick_picks_cover_month_quarter_and_year():
    # given
    today = datetime.date(2026, 5, 14)
    # when
    picks = {pick: quick_pick(pick, today) for pick in ("this_month", "last_month", "this_quarter", "this_year")}
    # then
    assert {pick: (period.date_from, period.date_to) for pick, period in picks.items()} == {
        "this_month": (datetime.date(2026, 5, 1), datetime.date(2026, 5, 31)),
        "last_month": (datetime.date(2026, 4, 1), datetime.date(2026, 4, 30)),
        "this_quarter": (datetime.date(2026, 4, 1), datetime.date(2026, 6, 30)),
        "this_year": (datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)),
    }


# ---------------------------------------------------------------- pages and exports
@pytest.mark.parametrize("path", ["trial-balance/", "income-statement/", "balance-sheet/", "cash/", "vat/output/",
                                  "vat/input/", "ledger/?account=131&"])
def test_every_report_page_opens_for_a_viewer(books, path):
    # given
    ws, _parties = books
    client = client_for(ws, ws.users["viewer"])
    separator = "" if path.endswith("&") else "?"
    # when
    response = client.get(f"/erp/accounting/reports/{path}{separator}{FEB_QUERY}")
    # then
    assert response.status_code == 200
    assert 'data-testid="report-table"' in response.content.decode()


def test_the_trial_balance_xlsx_holds_the_same_totals(books):
    # given
    ws, _parties = books
    client = client_for(ws, ws.users["owner"])
    # when
    response = client.get(f"/erp/accounting/reports/trial-balance/?{FEB_QUERY}&format=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[cell for cell in row] for row in sheet.iter_rows(values_only=True)]
    # then
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    total = next(row for row in rows if row[1] in ("Grand total", "Tổng cộng"))
    assert tuple(total[2:8]) == TRIAL_TOTAL
    cash = next(row for row in rows if row[0] == "112")
    assert tuple(cell or 0 for cell in cash[2:8]) == TRIAL_BALANCE["112"]


def test_the_balance_sheet_xlsx_holds_the_hand_computed_totals(books):
    # given
    ws, _parties = books
    client = client_for(ws, ws.users["owner"])
    # when
    response = client.get(f"/erp/accounting/reports/balance-sheet/?{FEB_QUERY}&format=xlsx")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    by_code = {row[1]: row for row in rows if len(row) > 3 and row[1]}
    # then
    assert (by_code["270"][2], by_code["270"][3]) == BALANCE_SHEET["270"]
    assert (by_code["440"][2], by_code["440"][3]) == BALANCE_SHEET["440"]
    assert (by_code["312"][2], by_code["421"][2]) == (5 * M, 77_100_000)


@pytest.mark.parametrize("path", ["trial-balance/", "income-statement/", "balance-sheet/", "ledger/?account=112&"])
def test_reports_print_as_pdf(books, path):
    # given
    ws, _parties = books
    client = client_for(ws, ws.users["owner"])
    separator = "" if path.endswith("&") else "?"
    # when
    response = client.get(f"/erp/accounting/reports/{path}{separator}{FEB_QUERY}&format=pdf")
    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_the_finance_dashboard_shows_revenue_margin_receivables_payables_and_cash(books):
    # given
    ws, _parties = books
    client = client_for(ws, ws.users["owner"])
    # when
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/erp/accounting/")
    overview = response.context["overview"]
    # then: 175M - 5M revenue, 80M cost of goods sold, 131 and 331 balances, cash and bank today
    assert response.status_code == 200
    assert (int(overview.revenue), int(overview.margin)) == (170 * M, 90 * M)
    assert (int(overview.receivables), int(overview.payables), int(overview.cash)) == (54_500_000, 50 * M,
                                                                                      555_900_000)
    chart = response.context["revenue_chart"]
    assert chart["datasets"][0]["data"][chart["labels"].index("02/2026")] == 145 * M
    assert len([q for q in queries.captured_queries if "accounting_journalline" in q["sql"]]) == 2


# ---------------------------------------------------------------- setup and settings
def test_the_setup_page_creates_the_chart_once(ws_a):
    # given
    client = client_for(ws_a, ws_a.users["owner"])
    # when
    first = client.post("/erp/accounting/setup/", {"chart": "tt133"})
    with tenant_context(ws_a.tenant):
        accounts = Account.objects.count()
    second = client.post("/erp/accounting/setup/", {"chart": "tt99"})
    # then
    assert (first.status_code, first["Location"]) == (302, "/erp/accounting/settings/")
    assert second.status_code == 302
    with tenant_context(ws_a.tenant):
        assert AccountingSettings.objects.get().chart == "tt133"
        assert Account.objects.count() == accounts
        assert Account.objects.filter(code__in=["6421", "6422"]).count() == 2


def test_the_setup_page_explains_both_charts_and_is_for_owners_and_admins(ws_a):
    # given
    owner, member = client_for(ws_a, ws_a.users["owner"]), client_for(ws_a, ws_a.users["member"])
    # when
    page = owner.get("/erp/accounting/setup/").content.decode()
    refused = member.post("/erp/accounting/setup/", {"chart": "tt99"})
    redirected = owner.get("/erp/accounting/reports/trial-balance/")
    # then
    assert 'data-chart="tt99"' in page and 'data-chart="tt133"' in page
    assert refused.status_code == 403
    assert redirected.status_code == 402  # Growth: the ledger pages are Scale


def test_pages_before_setup_send_the_owner_to_choose_a_chart(ws_a):
    # given
    on_plan(ws_a.tenant, "scale")
    owner, member = client_for(ws_a, ws_a.users["owner"]), client_for(ws_a, ws_a.users["member"])
    # when
    entries = owner.get("/erp/accounting/entries/")
    settings_page = owner.get("/erp/accounting/settings/")
    member_entries = member.get("/erp/accounting/entries/")
    member_settings = member.get("/erp/accounting/settings/")
    # then: the settings menu entry answers with the chart choice, or says whom to ask
    assert (entries.status_code, entries["Location"]) == (302, "/erp/accounting/setup/")
    assert settings_page.status_code == 200 and 'data-testid="chart-form"' in settings_page.content.decode()
    assert member_entries.status_code == 409
    assert member_settings.status_code == 200
    assert 'data-testid="accounting-not-set-up"' in member_settings.content.decode()


def _entry_form(day: str, *, debit_account="6427", credit_account="111", debit="1000000", credit="1000000"):
    return {**MANAGEMENT, "date": day, "memo": "Thuê văn phòng", "reference": "HĐ-01",
            "lines-0-account": debit_account, "lines-0-debit": debit, "lines-0-label": "Tiền thuê",
            "lines-1-account": credit_account, "lines-1-credit": credit}


def test_a_manual_entry_is_posted_to_the_general_journal(books):
    # given
    ws, parties = books
    client = client_for(ws, ws.users["member"])
    form = {**_entry_form("2026-03-02", debit_account="331", credit_account="112", debit="5000000",
                          credit="5000000"), "lines-0-party": parties["supplier"].name}
    # when
    response = client.post("/erp/accounting/entries/new/", form)
    # then
    assert response.status_code == 302
    with tenant_context(ws.tenant):
        entry = JournalEntry.objects.get(memo="Thuê văn phòng")
        lines = {line.account.code: (int(line.debit), int(line.credit), line.party_id) for line in entry.lines.all()}
    assert entry.journal.code == "TH"
    assert lines == {"331": (5 * M, 0, parties["supplier"].pk), "112": (0, 5 * M, None)}


def test_an_unbalanced_entry_says_so_and_keeps_every_line(books):
    # given
    ws, _parties = books
    client = client_for(ws, ws.users["member"])
    # when
    response = client.post("/erp/accounting/entries/new/", _entry_form("2026-03-02", credit="900000"))
    # then
    page = response.content.decode()
    assert response.status_code == 400
    assert 'data-testid="balance-error"' in page and "100.000" in page
    assert 'value="1000000"' in page and 'value="900000"' in page and 'value="Tiền thuê"' in page
    with tenant_context(ws.tenant):
        assert not JournalEntry.objects.filter(memo="Thuê văn phòng").exists()


def test_the_lock_date_refuses_a_back_dated_manual_entry_with_a_clear_error(books):
    # given
    ws, _parties = books
    owner = ws.users["owner"]
    client = client_for(ws, owner)
    client.post("/erp/accounting/settings/lock-date/", {"lock_date": "2026-02-28"})
    # when
    refused = client.post("/erp/accounting/entries/new/", _entry_form("2026-02-20"))
    accepted = client.post("/erp/accounting/entries/new/", _entry_form("2026-03-01"))
    # then
    assert refused.status_code == 400
    assert "28/02/2026" in refused.context["form"].errors["date"][0]
    assert 'value="Tiền thuê"' in refused.content.decode()
    assert accepted.status_code == 302


def test_a_locked_period_refuses_a_manual_entry_until_unlocked(books):
    # given
    ws, _parties = books
    client = client_for(ws, ws.users["owner"])
    with tenant_context(ws.tenant):
        from modules.erp.accounting.models import Period

        march = Period.objects.get(date_start=datetime.date(2026, 3, 1))
    client.post(f"/erp/accounting/settings/periods/{march.pk}/lock/", {"locked": "1"})
    # when
    refused = client.post("/erp/accounting/entries/new/", _entry_form("2026-03-10"))
    client.post(f"/erp/accounting/settings/periods/{march.pk}/lock/", {"locked": "0"})
    accepted = client.post("/erp/accounting/entries/new/", _entry_form("2026-03-10"))
    # then
    assert refused.status_code == 400
    assert "10/03/2026" in refused.context["form"].errors["date"][0]
    assert accepted.status_code == 302


def test_services_refuse_what_is_locked(books):
    # given
    ws, _parties = books
    owner = ws.users["owner"]
    with tenant_context(ws.tenant):
        lock_date_set(actor=owner, lock_date=datetime.date(2026, 1, 31))
        from modules.erp.accounting.models import Period

        period_lock_set(actor=owner, period=Period.objects.get(date_start=datetime.date(2026, 4, 1)), locked=True)
        # when / then
        with pytest.raises(ErpError) as before_lock:
            _post(owner, (1, 31), ("111", 1, None), ("711", -1, None))
        with pytest.raises(ErpError) as in_period:
            _post(owner, (4, 2), ("111", 1, None), ("711", -1, None))
    assert (before_lock.value.code, in_period.value.code) == ("period_locked", "period_locked")


def test_an_entry_is_reversed_from_its_page(books):
    # given
    ws, _parties = books
    client = client_for(ws, ws.users["member"])
    with tenant_context(ws.tenant):
        entry = JournalEntry.objects.get(lines__account__code="711")
    # when
    response = client.post(f"/erp/accounting/entries/{entry.pk}/reverse/", {"date": "2026-03-01"})
    detail = client.get(f"/erp/accounting/entries/{entry.pk}/")
    # then
    assert response.status_code == 302
    with tenant_context(ws.tenant):
        reversal = JournalEntry.objects.get(reversal_of=entry)
        assert {line.account.code: int(line.debit) for line in reversal.lines.all()} == {"711": 1 * M, "111": 0}
    assert 'data-testid="reversed-by"' in detail.content.decode()
    assert 'data-testid="reverse"' not in detail.content.decode()


def test_settings_show_periods_journals_and_branches_on_enterprise(books):
    # given
    ws, _parties = books
    on_plan(ws.tenant, "enterprise")
    client = client_for(ws, ws.users["owner"])
    # when
    added = client.post("/erp/accounting/settings/branches/", {"code": "HCM", "name": "Chi nhánh TP.HCM"})
    page = client.get("/erp/accounting/settings/").content.decode()
    # then
    assert added.status_code == 302
    assert 'data-branch="HCM"' in page and 'data-journal="TH"' in page and 'data-period="2026-02"' in page


def test_the_chart_of_accounts_is_searchable_and_keeps_the_parents(books):
    # given
    ws, _parties = books
    client = client_for(ws, ws.users["viewer"])
    # when
    response = client.get("/erp/accounting/accounts/?q=33311")
    # then
    assert [account.code for account in response.context["accounts"]] == ["333", "3331", "33311"]


# ---------------------------------------------------------------- gates
@pytest.mark.parametrize(("plan", "path", "status"), [
    ("growth", "/erp/accounting/settings/", 200),
    ("growth", "/erp/accounting/entries/", 402),
    ("growth", "/erp/accounting/reports/trial-balance/", 402),
    ("scale", "/erp/accounting/reports/trial-balance/", 200),
    ("scale", "/erp/accounting/reports/income-statement/", 200),
    ("scale", "/erp/accounting/reports/vat/output/", 200),
    ("scale", "/erp/accounting/", 200),
    ("starter", "/erp/accounting/settings/", 402),
])
def test_pages_follow_the_plan(ws_a, plan, path, status):
    # given
    with tenant_context(ws_a.tenant):
        accounting_enable(actor=ws_a.users["owner"], chart="tt99")
    on_plan(ws_a.tenant, plan)
    # when
    response = client_for(ws_a, ws_a.users["owner"]).get(path)
    # then
    assert response.status_code == status


def test_branches_need_enterprise(books):
    # given: Scale
    ws, _parties = books
    client = client_for(ws, ws.users["owner"])
    # when
    response = client.post("/erp/accounting/settings/branches/", {"code": "HN", "name": "Hà Nội"})
    # then
    assert response.status_code == 402


def test_another_workspaces_entry_is_not_found(books, ws_b):
    # given
    ws, _parties = books
    with tenant_context(ws.tenant):
        entry = JournalEntry.objects.order_by("pk").last()
    on_plan(ws_b.tenant, "scale")
    with tenant_context(ws_b.tenant):
        accounting_enable(actor=ws_b.users["owner"], chart="tt99")
    # when
    response = client_for(ws_b, ws_b.users["owner"]).get(f"/erp/accounting/entries/{entry.pk + 1000}/")
    # then
    assert response.status_code == 404


# ---------------------------------------------------------------- query counts
def _entry_list_queries(client) -> int:
    client.get("/erp/accounting/entries/")  # the session's first request reads more (user, plan)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/erp/accounting/entries/?account=1&from=2026-01-01")
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(("query", "count"), [
    ("account=521", 1), ("account=13", 8), ("party=C3", 1), ("from=2026-02-27&to=2026-02-28", 3),
    ("journal=TH", 15), ("journal=BH", 0), ("account=131&from=2026-02-01", 5),
])
def test_the_entry_list_filters_by_journal_dates_account_and_party(books, query, count):
    # given
    ws, _parties = books
    client = client_for(ws, ws.users["viewer"])
    # when
    response = client.get(f"/erp/accounting/entries/?{query}")
    # then
    assert response.status_code == 200
    assert response.context["page"].paginator.count == count


def test_the_entry_list_costs_the_same_queries_for_3_or_15_entries(ws_a):
    # given
    on_plan(ws_a.tenant, "scale")
    owner = ws_a.users["owner"]
    client = client_for(ws_a, owner)
    with tenant_context(ws_a.tenant):
        accounting_enable(actor=owner, chart="tt99")
        for day in range(1, 4):
            _post(owner, (1, day), ("111", M, PartyFactory()), ("112", -M, None))
    few = _entry_list_queries(client)
    with tenant_context(ws_a.tenant):
        _company(owner)
    # when
    many = _entry_list_queries(client)
    # then
    assert few == many


def _trial_balance_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/erp/accounting/reports/trial-balance/?{FEB_QUERY}")
    assert response.status_code == 200
    return len(queries)


def test_the_trial_balance_costs_the_same_queries_whatever_the_ledger(books):
    # given
    ws, _parties = books
    client = client_for(ws, ws.users["owner"])
    client.get("/erp/accounting/")  # the session's first request reads more (user, plan)
    before = _trial_balance_queries(client)
    with tenant_context(ws.tenant):
        _company(ws.users["owner"])
    # when
    after = _trial_balance_queries(client)
    # then
    assert before == after


# ---------------------------------------------------------------- marketing ROI
def test_campaign_roi_switches_to_invoiced_revenue_once_invoices_are_posted(ws_a):
    # given: a won deal of 50M from the campaign, 10M spent; its order invoiced 40M, then credited 5M
    owner = ws_a.users["owner"]
    client = client_for(ws_a, owner)
    with tenant_context(ws_a.tenant):
        from modules.crm.services.campaigns import campaign_cost_add

        campaign = CampaignFactory(currency="VND")
        campaign_cost_add(campaign=campaign, actor=owner, spent_on=datetime.date(2026, 2, 1), amount=10 * M)
        customer = PartyFactory(is_customer=True)
        deal = DealFactory(stage=stage("won"), value=50 * M, campaign=campaign, party=customer)
        won_basis = revenue_basis()
        accounting_enable(actor=owner, chart="tt99")
        sales_order = sales_order_create(actor=owner, party=customer, deal=deal, lines=[
            {"description": "Dịch vụ", "quantity": Decimal(1), "unit_price": Decimal(40 * M)}])
        invoice = Invoice.objects.create(kind=Invoice.Kind.OUT_INVOICE, state=Invoice.State.POSTED, party=customer,
                                         sales_order=sales_order, amount_untaxed=40 * M, amount_tax=4 * M,
                                         amount_total=44 * M, amount_residual=44 * M)
        Invoice.objects.create(kind=Invoice.Kind.OUT_REFUND, state=Invoice.State.POSTED, party=customer,
                               refund_of=invoice, amount_untaxed=5 * M, amount_tax=500_000,
                               amount_total=5_500_000, amount_residual=5_500_000)
        # when
        with CaptureQueriesContext(connection) as queries:
            basis = revenue_basis()
            [(_campaign, results)] = campaign_rows(Campaign.objects.filter(pk=campaign.pk), basis)
        query_count = len(queries)  # read now: the requests below reset the connection's query log
    page = client.get(f"/crm/campaigns/{campaign.pk}/").content.decode()
    listing = client.get("/crm/campaigns/").content.decode()
    # then
    assert (won_basis, basis) == (WON, INVOICED)
    assert (results.revenue, results.roi) == (35 * M, Decimal("3.5"))
    assert query_count == 2
    assert "Invoiced revenue" in page or "Doanh thu" in page
    assert 'data-testid="roi-basis"' in listing
    assert response_roi(listing) == response_roi(page)


def response_roi(page: str) -> str:
    return page.split('data-testid="roi">')[1].split("<")[0]


def test_campaign_roi_stays_on_won_revenue_without_invoices(ws_a):
    # given: finance set up but nothing invoiced
    owner = ws_a.users["owner"]
    with tenant_context(ws_a.tenant):
        campaign = CampaignFactory(currency="VND")
        DealFactory(stage=stage("won"), value=50 * M, campaign=campaign)
        accounting_enable(actor=owner, chart="tt99")
        # when
        [(_campaign, results)] = campaign_rows(Campaign.objects.filter(pk=campaign.pk))
    # then
    assert (results.basis, results.revenue) == (WON, 50 * M)



# ---------------------------------------------------------------- VAT summaries and Circular 133
def test_vat_summaries_follow_the_posted_invoices_rate_by_rate_and_agree_with_the_ledger(ws_a):
    # given: two invoices (10% and 8%), a credit note, a draft left out, and a supplier bill, in March
    from modules.erp.accounting.reports import vat
    from modules.erp.invoicing.services.invoices import credit_note_create, invoice_create, invoice_post

    on_plan(ws_a.tenant, "scale")
    owner = ws_a.users["owner"]
    march = ReportPeriod(datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))
    with tenant_context(ws_a.tenant):
        accounting_enable(actor=owner, chart="tt99")
        customer = PartyFactory(is_customer=True, tax_code="0101234567")
        supplier = PartyFactory(is_supplier=True)

        def sale(day, lines, post=True):
            invoice = invoice_create(actor=owner, kind=Invoice.Kind.OUT_INVOICE, party=customer,
                                     date=datetime.date(2026, 3, day), lines=[
                                         {"description": "Dịch vụ", "quantity": 1, "unit_price": price,
                                          "vat_code": code} for price, code in lines])
            return invoice_post(actor=owner, invoice=invoice) if post else invoice

        first = sale(5, [(10_000_000, "10"), (3_333_333, "8")])
        sale(10, [(1_000_005, "10"), (1_000_005, "10")])
        sale(11, [(7_000_000, "10")], post=False)
        credit_note_create(actor=owner, invoice=first, reason="Giảm giá", date=datetime.date(2026, 3, 20),
                           lines=[{"line": first.lines.get(vat_code="10"), "quantity": 1, "unit_price": 1_000_000}])
        invoice_post(actor=owner, invoice=invoice_create(
            actor=owner, kind=Invoice.Kind.IN_INVOICE, party=supplier, date=datetime.date(2026, 3, 12),
            supplier_reference="0000777", lines=[{"description": "Thuê kho", "quantity": 1, "unit_price": 2_000_000}]))
        # when
        output = vat.vat_summary(side="output", period=march)
        purchases = vat.vat_summary(side="input", period=march)
    # then
    assert [(int(group.rate), int(group.base), int(group.tax), len(group.invoices)) for group in output.groups] == [
        (10, 11_000_010, 1_100_001, 3), (8, 3_333_333, 266_667, 1)]
    assert (int(output.tax), int(output.ledger)) == (1_366_668, 1_366_668)
    assert [(int(group.base), int(group.tax)) for group in purchases.groups] == [(2_000_000, 200_000)]
    assert (int(purchases.tax), int(purchases.ledger)) == (200_000, 200_000)


def test_circular_133_puts_6421_in_selling_6422_in_administration_and_511_debits_in_deductions(ws_a):
    # given: a sale, a discount debited to 5111, selling and administration costs
    on_plan(ws_a.tenant, "scale")
    owner = ws_a.users["owner"]
    with tenant_context(ws_a.tenant):
        accounting_enable(actor=owner, chart="tt133")
        customer = PartyFactory()
        _post(owner, (3, 1), ("1121", 200 * M, None), ("4111", -200 * M, None))
        _post(owner, (3, 2), ("131", 110 * M, customer), ("5111", -100 * M, None), ("33311", -10 * M, None))
        _post(owner, (3, 3), ("5111", 5 * M, None), ("33311", 500_000, None), ("131", -5_500_000, customer))
        _post(owner, (3, 4), ("6421", 2 * M, None), ("6422", 3 * M, None), ("1111", -5 * M, None))
        period = ReportPeriod(datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))
        # when
        income = statements.income_statement(chart="tt133", period=period)
        balance = statements.balance_sheet(chart="tt133", period=period)
    # then
    assert {code: int(income.amount(code)) for code in ("01", "02", "10", "20", "25", "26", "30", "60")} == {
        "01": 100 * M, "02": 5 * M, "10": 95 * M, "20": 95 * M, "25": 2 * M, "26": 3 * M, "30": 90 * M, "60": 90 * M}
    assert {code: int(balance.amount(code)) for code in ("111", "131", "270", "313", "411", "421", "440")} == {
        "111": 195 * M, "131": 104_500_000, "270": 299_500_000, "313": 9_500_000, "411": 200 * M, "421": 90 * M,
        "440": 299_500_000}


def test_a_later_page_of_the_general_ledger_keeps_the_running_balance(ws_a):
    # given: 105 receipts of 1,000 into cash after an opening of 50,000
    on_plan(ws_a.tenant, "scale")
    owner = ws_a.users["owner"]
    with tenant_context(ws_a.tenant):
        accounting_enable(actor=owner, chart="tt99")
        _post(owner, (4, 1), ("111", 50_000, None), ("41111", -50_000, None))
        for _ in range(105):
            _post(owner, (5, 2), ("111", 1_000, None), ("711", -1_000, None))
    client = client_for(ws_a, owner)
    # when
    response = client.get("/erp/accounting/reports/ledger/?account=111&from=2026-05-01&to=2026-05-31&page=2")
    rows = [row for row in response.context["table"].rows if row.key.startswith("line-")]
    # then: page 2 holds lines 101 to 105, the last one at 50,000 + 105,000
    assert response.status_code == 200
    assert [int(row.cells[6]) for row in rows] == [151_000, 152_000, 153_000, 154_000, 155_000]
    assert int(response.context["table"].row("closing").cells[6]) == 155_000
