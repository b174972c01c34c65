"""The quotation / sales order as a PDF, in Vietnamese or English, with the amount in words.

The document's words are fixed here per language rather than taken from the translation catalogue: what a
customer signs must not change with a translator's edit, and both languages are printed from any session.
DejaVu Sans (vendored in static/fonts) carries every Vietnamese diacritic, so no system font is needed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from fpdf import FPDF
from fpdf.fonts import FontFace

from modules.erp.common.lines import vat_groups
from modules.erp.common.words import amount_in_words
from saas_platform.templatetags.fmt import format_date, format_money

FONTS = Path(settings.BASE_DIR) / "saas_platform" / "static" / "fonts"
FONT = "DejaVu"

LABELS = {
    "vi": {
        "quotation": "BÁO GIÁ", "order": "ĐƠN BÁN HÀNG", "cancelled": "ĐÃ HỦY", "number": "Số", "date": "Ngày",
        "valid_until": "Hiệu lực đến", "delivery": "Ngày giao hàng", "seller": "Bên bán", "buyer": "Khách hàng",
        "tax_code": "Mã số thuế", "address": "Địa chỉ",
        "columns": ("STT", "Tên hàng hóa, dịch vụ", "ĐVT", "Số lượng", "Đơn giá", "CK %", "Thuế suất", "Thành tiền"),
        "base_at": "Cộng tiền hàng chịu thuế {rate}", "tax_at": "Tiền thuế GTGT {rate}", "exempt": "Không chịu thuế",
        "untaxed": "Cộng tiền hàng", "tax": "Tiền thuế GTGT", "total": "Tổng cộng tiền thanh toán",
        "words": "Bằng chữ", "note": "Ghi chú", "buyer_sign": "Khách hàng", "seller_sign": "Người lập",
        "sign_hint": "(Ký, ghi rõ họ tên)",
    },
    "en": {
        "quotation": "QUOTATION", "order": "SALES ORDER", "cancelled": "CANCELLED", "number": "No.", "date": "Date",
        "valid_until": "Valid until", "delivery": "Delivery date", "seller": "Seller", "buyer": "Customer",
        "tax_code": "Tax code", "address": "Address",
        "columns": ("No.", "Description", "Unit", "Qty", "Unit price", "Disc. %", "VAT", "Amount"),
        "base_at": "Amount subject to VAT {rate}", "tax_at": "VAT {rate}", "exempt": "VAT exempt",
        "untaxed": "Subtotal", "tax": "VAT", "total": "Total", "words": "Say", "note": "Note",
        "buyer_sign": "Customer", "seller_sign": "Prepared by", "sign_hint": "(Signature, full name)",
    },
}


@dataclass
class PdfDocument:
    """Everything the PDF prints, already formatted in its language (tests read it without parsing a PDF)."""

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


def _number(value: Decimal, lang: str) -> str:
    """A quantity or percentage without trailing zeros, grouped the way the language writes numbers."""
    text = f"{Decimal(value).normalize():f}"
    whole, _dot, fraction = text.partition(".")
    thousands, mark = (",", ".") if lang == "en" else (".", ",")
    grouped = f"{int(whole):,}".replace(",", thousands) if whole.lstrip("-").isdigit() else whole
    return f"{grouped}{mark}{fraction}" if fraction else grouped


def _rate(rate: Decimal | None, labels: dict, lang: str) -> str:
    return labels["exempt"] if rate is None else f"{_number(rate, lang)}%"


def pdf_document(*, order, lines, seller_name: str, address: str, lang: str) -> PdfDocument:
    """The printable content of ``order`` (a quotation while not confirmed, an order after)."""
    lang = "en" if lang == "en" else "vi"
    labels = LABELS[lang]
    currency = order.currency
    money = lambda amount: format_money(amount, currency, language=lang)  # noqa: E731
    title = labels["quotation"] if order.state in ("quotation", "sent") else labels["order"]
    if order.state == "cancelled":
        title = f"{title} ({labels['cancelled']})"
    facts = [(labels["number"], order.number), (labels["date"], format_date(order.order_date))]
    if order.validity_date and order.state in ("quotation", "sent"):
        facts.append((labels["valid_until"], format_date(order.validity_date)))
    if order.commitment_date:
        facts.append((labels["delivery"], format_date(order.commitment_date)))
    party = order.party
    buyer = [party.name]
    if party.tax_code:
        buyer.append(f"{labels['tax_code']}: {party.tax_code}")
    if address:
        buyer.append(f"{labels['address']}: {address}")
    rows = []
    for position, line in enumerate(lines, start=1):
        unit = line.unit.name if line.unit_id else (line.product.base_unit.name if line.product_id else "")
        rows.append((str(position), line.description, unit, _number(line.quantity, lang), money(line.unit_price),
                     _number(line.discount_percent, lang) if line.discount_percent else "",
                     _rate(line.vat_rate, labels, lang), money(line.amount_untaxed)))
    totals = []
    groups = vat_groups(lines, currency)
    for group in groups:  # one base and one tax per rate, as Vietnamese invoices show them
        rate = _rate(group.rate, labels, lang)
        if group.rate is None:
            totals.append((rate, money(group.base)))
        else:
            totals += [(labels["base_at"].format(rate=rate), money(group.base)),
                       (labels["tax_at"].format(rate=rate), money(group.tax))]
    if len(groups) > 1:
        totals += [(labels["untaxed"], money(order.amount_untaxed)), (labels["tax"], money(order.amount_tax))]
    totals.append((labels["total"], money(order.amount_total)))
    return PdfDocument(
        lang=lang, title=title, number=order.number, facts=facts,
        # The workspace has no tax code or address of its own yet (tenants.Tenant holds a name only).
        seller=[seller_name], buyer=buyer, header=labels["columns"], rows=rows, totals=totals,
        words=f"{labels['words']}: {amount_in_words(order.amount_total, currency, lang)}", note=order.note,
        labels=labels)


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
