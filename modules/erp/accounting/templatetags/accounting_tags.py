"""Template helpers of the accounting pages: a report row's cells as text, the way the exports print them."""

from django import template
from django.utils.translation import get_language

from modules.erp.accounting.reports.table import amount_text, cell_text

register = template.Library()


@register.filter
def row_cells(row, table) -> list[dict]:
    lang = "en" if (get_language() or "vi").startswith("en") else "vi"
    return [{"text": cell_text(value, column, lang), "money": column.kind == "money",
             "indent": row.level if index == 0 else 0}
            for index, (value, column) in enumerate(zip(row.cells, table.columns, strict=True))]


@register.filter
def amount(value) -> str:
    lang = "en" if (get_language() or "vi").startswith("en") else "vi"
    return amount_text(value, lang)
