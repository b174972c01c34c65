"""What a report prints: a title, the facts it was run with (period, branch), columns and rows. The page, the
XLSX and the PDF are drawn from the same ``Table``, so the three show the same numbers."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

ZERO = Decimal(0)


@dataclass(frozen=True)
class Column:
    label: str
    kind: str = "text"  # text | money | date
    width: float = 0  # share of the PDF page width (0: what is left)
    blank_zero: bool = False  # a zero amount prints empty (trial balance columns)


@dataclass
class Row:
    cells: list
    level: int = 0  # indent of the first text cell
    style: str = ""  # "" | "strong" (subtotal) | "total" | "muted"
    link: str = ""  # the page this row opens, on screen only
    link_cell: int = 0  # the cell that carries the link
    key: str = ""  # a stable handle for tests and anchors (an account code, a statement line code)


@dataclass
class Table:
    key: str
    title: str
    facts: list[tuple[str, str]]
    columns: list[Column]
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    landscape: bool = False

    def row(self, key: str) -> Row:
        return next(row for row in self.rows if row.key == key)

    def value(self, key: str, column: int) -> object:
        return self.row(key).cells[column]


def amount_text(value, lang: str = "vi", *, blank_zero: bool = False) -> str:
    """A VND amount without its symbol, grouped the reader's way; negatives in parentheses, as statements print
    them."""
    if value is None or value == "":
        return ""
    value = Decimal(value).quantize(Decimal(1))
    if value == 0:
        return "" if blank_zero else "0"
    grouped = f"{abs(int(value)):,}".replace(",", "," if lang == "en" else ".")
    return f"({grouped})" if value < 0 else grouped


def cell_text(value, column: Column, lang: str = "vi") -> str:
    if column.kind == "money":
        return amount_text(value, lang, blank_zero=column.blank_zero)
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return "" if value is None else str(value)
