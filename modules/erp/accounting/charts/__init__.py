"""The two Vietnamese charts of accounts a workspace keeps its books on, read from the CSV files beside this module.

``tt99``  Circular 99/2025/TT-BTC (Appendix II), for financial years from 1 January 2026; replaces Circular 200.
``tt133`` Circular 133/2016/TT-BTC (Appendix 1), the simplified regime for small and medium-sized enterprises.

Each file has the columns ``code,parent,name_vi,name_en,kind,normal``: the Vietnamese name as the Circular's list
of accounts spells it, a faithful English name, the statement family of the account (``kind``) and the side its
balance normally sits on (contra accounts such as 214, 229, 419 and 521 sit on the opposite side of their family).
``SOURCES.md`` says where every list comes from and what could not be checked against the Circular itself.

Postings go to leaf accounts only (accounts without children); ``ROLE_ACCOUNTS`` names, per chart, the leaf the
posting services use for each role ("receivable", "output_vat", ...), so no service hard-codes a chart.
"""

from __future__ import annotations

import csv
import datetime
from dataclasses import dataclass
from functools import cache
from pathlib import Path

HERE = Path(__file__).resolve().parent
COLUMNS = ("code", "parent", "name_vi", "name_en", "kind", "normal")
KINDS = frozenset({"asset", "liability", "equity", "revenue", "cogs", "expense", "other_income", "other_expense",
                   "closing", "off_balance"})
NORMALS = frozenset({"debit", "credit"})


class ChartError(ValueError):
    """A chart file that breaks one of the rules checked on loading."""


@dataclass(frozen=True)
class Chart:
    code: str
    file: str
    circular: str
    label_vi: str
    label_en: str
    in_force_from: datetime.date
    # No revenue-deductions account (521): trade discounts, price reductions and returns are debited straight to
    # the revenue account (511x) of what was sold, so the "sales_discount" role is only the default for goods.
    deductions_on_revenue: bool


CHARTS: dict[str, Chart] = {
    "tt99": Chart(code="tt99", file="tt99_2025.csv", circular="99/2025/TT-BTC",
                  label_vi="Thông tư 99/2025/TT-BTC", label_en="Circular 99/2025/TT-BTC",
                  in_force_from=datetime.date(2026, 1, 1), deductions_on_revenue=False),
    "tt133": Chart(code="tt133", file="tt133_2016.csv", circular="133/2016/TT-BTC",
                   label_vi="Thông tư 133/2016/TT-BTC (doanh nghiệp nhỏ và vừa)",
                   label_en="Circular 133/2016/TT-BTC (small and medium-sized enterprises)",
                   in_force_from=datetime.date(2017, 1, 1), deductions_on_revenue=True),
}


@dataclass(frozen=True)
class ChartRow:
    code: str
    parent: str | None
    name_vi: str
    name_en: str
    kind: str
    normal: str

    @property
    def level(self) -> int:
        """1 for a three-digit account (111), 2 for its sub-account (1111), and so on (33311 is level 3)."""
        return len(self.code) - 2


# The leaf each posting role goes to. TT99 lists 111, 112, 511 and 521 without sub-accounts (a business may open
# its own detail accounts under them, Appendix II allows it), so those roles post to the level-1 account itself.
ROLE_ACCOUNTS: dict[str, dict[str, str]] = {
    "tt99": {
        "cash": "111",
        "bank": "112",
        "receivable": "131",
        "payable": "331",
        "input_vat": "1331",
        "output_vat": "33311",
        "raw_materials": "152",
        "inventory": "156",
        "cogs": "632",
        "revenue_goods": "511",
        "revenue_services": "511",
        "sales_discount": "521",
        "fx_gain": "515",
        "fx_loss": "635",
        "rounding_gain": "711",
        "rounding_loss": "811",
        "stock_shortage": "1381",
        "stock_surplus": "3381",
        "opening": "4211",
        "purchase_expense": "6427",
        "retained_earnings": "4212",
        "closing": "911",
    },
    "tt133": {
        "cash": "1111",
        "bank": "1121",
        "receivable": "131",
        "payable": "331",
        "input_vat": "1331",
        "output_vat": "33311",
        "raw_materials": "152",
        "inventory": "156",
        "cogs": "632",
        "revenue_goods": "5111",
        "revenue_services": "5113",
        "sales_discount": "5111",  # no 521 in TT133: see Chart.deductions_on_revenue
        "fx_gain": "515",
        "fx_loss": "635",
        "rounding_gain": "711",
        "rounding_loss": "811",
        "stock_shortage": "1381",
        "stock_surplus": "3381",
        "opening": "4211",
        "purchase_expense": "6422",
        "retained_earnings": "4212",
        "closing": "911",
    },
}


def _row_read(chart: str, number: int, raw: dict[str, str]) -> ChartRow:
    values = {column: (raw.get(column) or "").strip() for column in COLUMNS}
    where = f"{CHARTS[chart].file} line {number}"
    code = values["code"]
    if not (code.isascii() and code.isdigit() and len(code) >= 3):
        raise ChartError(f"{where}: code {code!r} is not an account number of three digits or more")
    if not values["name_vi"] or not values["name_en"]:
        raise ChartError(f"{where}: account {code} needs both a Vietnamese and an English name")
    if values["kind"] not in KINDS:
        raise ChartError(f"{where}: account {code} has kind {values['kind']!r}, not one of {sorted(KINDS)}")
    if values["normal"] not in NORMALS:
        raise ChartError(f"{where}: account {code} has normal side {values['normal']!r}, not debit or credit")
    return ChartRow(code=code, parent=values["parent"] or None, name_vi=values["name_vi"],
                    name_en=values["name_en"], kind=values["kind"], normal=values["normal"])


def _tree_check(chart: str, rows: list[ChartRow]) -> None:
    by_code: dict[str, ChartRow] = {}
    for row in rows:
        if row.code in by_code:
            raise ChartError(f"{CHARTS[chart].file}: account {row.code} is listed twice")
        by_code[row.code] = row
    for row in rows:
        # the parent is the longest shorter code the chart holds that begins the child's code
        nearest = next((row.code[:size] for size in range(len(row.code) - 1, 2, -1) if row.code[:size] in by_code),
                       None)
        if row.parent != nearest:
            raise ChartError(f"{CHARTS[chart].file}: account {row.code} has parent {row.parent!r}, expected "
                             f"{nearest!r} (the parent must exist and be the nearest prefix of its code)")
        if row.parent and by_code[row.parent].kind != row.kind:
            raise ChartError(f"{CHARTS[chart].file}: account {row.code} is {row.kind} under {row.parent}, which "
                             f"is {by_code[row.parent].kind}")


@cache
def _rows(chart: str) -> tuple[ChartRow, ...]:
    if chart not in CHARTS:
        raise ChartError(f"unknown chart {chart!r}; the charts are {sorted(CHARTS)}")
    with (HERE / CHARTS[chart].file).open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise ChartError(f"{CHARTS[chart].file}: the columns must be {','.join(COLUMNS)}")
        rows = [_row_read(chart, reader.line_num, raw) for raw in reader]
    _tree_check(chart, rows)
    return tuple(rows)


def chart_rows(chart: str) -> list[ChartRow]:
    """The accounts of ``chart`` ("tt99" or "tt133") in the order of the Circular, checked: codes unique, every
    parent listed and the nearest prefix of its child's code, kind and normal side from the allowed sets."""
    return list(_rows(chart))


def chart_leaves(chart: str) -> set[str]:
    """Codes of the accounts that can be posted to: those no other account hangs under."""
    rows = _rows(chart)
    parents = {row.parent for row in rows if row.parent}
    return {row.code for row in rows if row.code not in parents}
