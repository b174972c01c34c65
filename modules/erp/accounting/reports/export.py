"""A report ``Table`` as an XLSX workbook (openpyxl) or a PDF (fpdf2 with the DejaVu font the quotation PDF
uses): the same rows the page shows, amounts as numbers in the workbook."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

from fpdf import FPDF
from fpdf.fonts import FontFace
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from modules.erp.accounting.reports.table import Table, cell_text
from modules.erp.common.pdf import FONT, FONTS

XLSX_MONEY = '#,##0;(#,##0);"-"'
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEAD_FILL = (238, 241, 247)


def _xlsx_value(value, kind: str):
    if kind == "money":
        return int(Decimal(value).quantize(Decimal(1))) if value not in (None, "") else None
    return value if value not in ("",) else None


def table_xlsx(table: Table, *, company: str) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=table.title[:31].replace("/", "-").replace(":", " "))
    for index, column in enumerate(table.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = 50 if column.width == 0 else max(
            12, column.width * 0.6)
    bold = Font(bold=True)

    def text(value, *, font=None):
        cell = WriteOnlyCell(sheet, value=value)
        if font:
            cell.font = font
        return cell

    sheet.append([text(company, font=bold)])
    sheet.append([text(table.title, font=Font(bold=True, size=14))])
    for label, value in table.facts:
        sheet.append([text(f"{label}: {value}")])
    sheet.append([])
    fill = PatternFill("solid", fgColor="".join(f"{part:02X}" for part in HEAD_FILL))
    header = []
    for column in table.columns:
        cell = text(column.label, font=bold)
        cell.fill = fill
        cell.alignment = Alignment(horizontal="right" if column.kind == "money" else "left", wrap_text=True)
        header.append(cell)
    sheet.append(header)
    for row in table.rows:
        cells = []
        for index, (value, column) in enumerate(zip(row.cells, table.columns, strict=True)):
            cell = WriteOnlyCell(sheet, value=_xlsx_value(value, column.kind))
            if column.kind == "money":
                cell.number_format = XLSX_MONEY
            elif isinstance(value, datetime.date):
                cell.number_format = "DD/MM/YYYY"
            if row.style in ("strong", "total"):
                cell.font = bold
            if index == 0 and row.level:
                cell.alignment = Alignment(indent=row.level)
            cells.append(cell)
        sheet.append(cells)
    if table.notes:
        sheet.append([])
        for note in table.notes:
            sheet.append([text(note)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def table_pdf(table: Table, *, company: str, lang: str) -> bytes:
    pdf = FPDF(orientation="L" if table.landscape else "P", unit="mm", format="A4")
    pdf.add_font(FONT, "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_title(table.title)
    pdf.set_lang(lang)
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()
    width = pdf.epw
    pdf.set_font(FONT, "B", 10)
    pdf.cell(width, 6, company, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "B", 14)
    pdf.cell(width, 9, table.title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 9)
    pdf.cell(width, 5, "   ".join(f"{label}: {value}" for label, value in table.facts), align="C",
             new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    fixed = sum(column.width for column in table.columns)
    flexible = [column for column in table.columns if column.width == 0]
    rest = max(width - fixed, 30) / max(len(flexible), 1)
    widths = tuple(column.width or rest for column in table.columns)
    align = tuple("RIGHT" if column.kind == "money" else "LEFT" for column in table.columns)
    pdf.set_font(FONT, "", 7.5)
    bold = FontFace(emphasis="BOLD")
    total = FontFace(emphasis="BOLD", fill_color=HEAD_FILL)
    with pdf.table(col_widths=widths, text_align=align, line_height=4.2, first_row_as_headings=True,
                   headings_style=FontFace(emphasis="BOLD", fill_color=HEAD_FILL)) as pdf_table:
        pdf_table.row([column.label for column in table.columns])
        for row in table.rows:
            style = total if row.style == "total" else bold if row.style == "strong" else None
            cells = pdf_table.row()
            for index, (value, column) in enumerate(zip(row.cells, table.columns, strict=True)):
                text = cell_text(value, column, lang)
                if index == 0 and row.level and column.kind == "text":
                    text = "   " * row.level + text
                cells.cell(text, style=style)
    if table.notes:
        pdf.ln(3)
        pdf.set_font(FONT, "", 8)
        for note in table.notes:
            pdf.multi_cell(width, 4, note, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
