"""The quotation / sales order as a PDF, in Vietnamese or English, with the amount in words.

The document's words are fixed here per language rather than taken from the translation catalogue: what a
customer signs must not change with a translator's edit, and both languages are printed from any session. The
layout and the rows shared with invoices are in ``modules/erp/common/pdf.py``.
"""

from __future__ import annotations

from modules.erp.common.company import seller_lines
from modules.erp.common.pdf import PdfDocument, line_rows, party_lines, pdf_render, totals_rows
from modules.erp.common.words import amount_in_words
from saas_platform.templatetags.fmt import format_date, format_money

__all__ = ["LABELS", "PdfDocument", "pdf_document", "pdf_render"]

LABELS = {
    "vi": {
        "quotation": "BÁO GIÁ", "order": "ĐƠN BÁN HÀNG", "cancelled": "ĐÃ HỦY", "number": "Số", "date": "Ngày",
        "valid_until": "Hiệu lực đến", "delivery": "Ngày giao hàng", "seller": "Bên bán", "buyer": "Khách hàng",
        "tax_code": "Mã số thuế", "address": "Địa chỉ", "phone": "Điện thoại",
        "bank_account": "Số tài khoản",
        "columns": ("STT", "Tên hàng hóa, dịch vụ", "ĐVT", "Số lượng", "Đơn giá", "CK %", "Thuế suất", "Thành tiền"),
        "base_at": "Cộng tiền hàng chịu thuế {rate}", "tax_at": "Tiền thuế GTGT {rate}", "exempt": "Không chịu thuế",
        "untaxed": "Cộng tiền hàng", "tax": "Tiền thuế GTGT", "total": "Tổng cộng tiền thanh toán",
        "words": "Bằng chữ", "note": "Ghi chú", "buyer_sign": "Khách hàng", "seller_sign": "Người lập",
        "sign_hint": "(Ký, ghi rõ họ tên)",
    },
    "en": {
        "quotation": "QUOTATION", "order": "SALES ORDER", "cancelled": "CANCELLED", "number": "No.", "date": "Date",
        "valid_until": "Valid until", "delivery": "Delivery date", "seller": "Seller", "buyer": "Customer",
        "tax_code": "Tax code", "address": "Address", "phone": "Phone", "bank_account": "Bank account",
        "columns": ("No.", "Description", "Unit", "Qty", "Unit price", "Disc. %", "VAT", "Amount"),
        "base_at": "Amount subject to VAT {rate}", "tax_at": "VAT {rate}", "exempt": "VAT exempt",
        "untaxed": "Subtotal", "tax": "VAT", "total": "Total", "words": "Say", "note": "Note",
        "buyer_sign": "Customer", "seller_sign": "Prepared by", "sign_hint": "(Signature, full name)",
    },
}


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
    buyer = party_lines(order.party, address=address, labels=labels)
    rows = line_rows(lines, money=money, labels=labels, lang=lang)
    totals = totals_rows(order, lines, money=money, labels=labels, lang=lang)
    return PdfDocument(
        lang=lang, title=title, number=order.number, facts=facts,
        seller=seller_lines(fallback_name=seller_name, labels=labels), buyer=buyer, header=labels["columns"],
        rows=rows, totals=totals,
        words=f"{labels['words']}: {amount_in_words(order.amount_total, currency, lang)}", note=order.note,
        labels=labels)
