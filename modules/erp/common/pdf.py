"""Printed trade documents (quotation, sales order, invoice) in Vietnamese or English: the content, already
formatted in its language (``PdfDocument``, which tests read without parsing a PDF), and one A4 layout for it.

DejaVu Sans (vendored in static/fonts) carries every Vietnamese diacritic, so no system font is needed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from fpdf import FPDF
from fpdf.fonts import FontFace

from modules.erp.common.lines import vat_groups

FONTS = Path(settings.BASE_DIR) / "saas_platform" / "static" / "fonts"
FONT = "DejaVu"


@dataclass
class PdfDocument:
    """Everything the PDF prints. ``labels`` holds the layout's own words: seller, buyer, note, buyer_sign,
    seller_sign, sign_hint."""

    lang: str
    title: str
    number: str
    facts: list[tuple[str, str]]
    seller: list[str]
    buyer: list[str]
    header: tuple[str, ...]
    rows: list[tuple[str, ...]]
    totals: list[tuple[str, str]]
    words: str
    note: str = ""
    labels: dict = field(default_factory=dict)


def number_text(value: Decimal, lang: str) -> str:
    """A quantity or percentage without trailing zeros, grouped the way the language writes numbers."""
    text = f"{Decimal(value).normalize():f}"
    whole, _dot, fraction = text.partition(".")
    thousands, mark = (",", ".") if lang == "en" else (".", ",")
    grouped = f"{int(whole):,}".replace(",", thousands) if whole.lstrip("-").isdigit() else whole
    return f"{grouped}{mark}{fraction}" if fraction else grouped


def rate_text(rate: Decimal | None, labels: dict, lang: str) -> str:
    """"10%", or the language's word for exempt (``labels["exempt"]``)."""
    return labels["exempt"] if rate is None else f"{number_text(rate, lang)}%"


def party_lines(party, *, address: str, labels: dict) -> list[str]:
    """Name, then tax code and address when known."""
    lines = [party.name]
    if party.tax_code:
        lines.append(f"{labels['tax_code']}: {party.tax_code}")
    if address:
        lines.append(f"{labels['address']}: {address}")
    return lines


def line_rows(lines, *, money: Callable, labels: dict, lang: str) -> list[tuple[str, ...]]:
    """No., description, unit, quantity, unit price, discount, VAT rate, amount before VAT."""
    rows = []
    for position, line in enumerate(lines, start=1):
        unit = line.unit.name if line.unit_id else (line.product.base_unit.name if line.product_id else "")
        rows.append((str(position), line.description, unit, number_text(line.quantity, lang), money(line.unit_price),
                     number_text(line.discount_percent, lang) if line.discount_percent else "",
                     rate_text(line.vat_rate, labels, lang), money(line.amount_untaxed)))
    return rows


def totals_rows(document, lines, *, money: Callable, labels: dict, lang: str) -> list[tuple[str, str]]:
    """One base and one tax per rate, as Vietnamese invoices show them, then the sums and the total."""
    totals = []
    groups = vat_groups(lines, document.currency)
    for group in groups:
        rate = rate_text(group.rate, labels, lang)
        if group.rate is None:
            totals.append((rate, money(group.base)))
        else:
            totals += [(labels["base_at"].format(rate=rate), money(group.base)),
                       (labels["tax_at"].format(rate=rate), money(group.tax))]
    if len(groups) > 1:
        totals += [(labels["untaxed"], money(document.amount_untaxed)), (labels["tax"], money(document.amount_tax))]
    totals.append((labels["total"], money(document.amount_total)))
    return totals


def pdf_render(document: PdfDocument) -> bytes:
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.add_font(FONT, "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_title(f"{document.title} {document.number}")
    pdf.set_lang(document.lang)
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    width = pdf.epw
    labels = document.labels

    pdf.set_font(FONT, "B", 11)
    pdf.multi_cell(width, 6, f"{labels['seller']}: {document.seller[0]}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 9)
    for text in document.seller[1:]:
        pdf.multi_cell(width, 5, text, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font(FONT, "B", 16)
    pdf.cell(width, 9, document.title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 9)
    pdf.cell(width, 5, "   ".join(f"{label}: {value}" for label, value in document.facts), align="C",
             new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font(FONT, "B", 10)
    pdf.multi_cell(width, 5, f"{labels['buyer']}: {document.buyer[0]}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 9)
    for text in document.buyer[1:]:
        pdf.multi_cell(width, 5, text, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)

    pdf.set_font(FONT, "", 8)
    align = ("CENTER", "LEFT", "CENTER", "RIGHT", "RIGHT", "RIGHT", "CENTER", "RIGHT")
    with pdf.table(col_widths=(8, 56, 14, 16, 26, 12, 14, 30), text_align=align, line_height=5,
                   headings_style=FontFace(emphasis="BOLD", fill_color=(238, 241, 247))) as table:
        table.row(document.header)
        for row in document.rows:
            table.row(row)
    pdf.ln(2)

    for index, (label, value) in enumerate(document.totals):
        last = index == len(document.totals) - 1
        pdf.set_font(FONT, "B" if last else "", 10 if last else 9)
        pdf.cell(width - 40, 6, label, align="R")
        pdf.cell(40, 6, value, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font(FONT, "B", 9)
    pdf.multi_cell(width, 5, document.words, new_x="LMARGIN", new_y="NEXT")
    if document.note:
        pdf.ln(2)
        pdf.set_font(FONT, "", 9)
        pdf.multi_cell(width, 5, f"{labels['note']}: {document.note}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    half = width / 2
    pdf.set_font(FONT, "B", 9)
    pdf.cell(half, 5, labels["buyer_sign"], align="C")
    pdf.cell(half, 5, labels["seller_sign"], align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 8)
    pdf.cell(half, 5, labels["sign_hint"], align="C")
    pdf.cell(half, 5, labels["sign_hint"], align="C", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
