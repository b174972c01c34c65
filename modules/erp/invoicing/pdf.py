"""The customer invoice / credit note as a PDF, in Vietnamese or English: seller with its tax code, symbol and
number (Decree 123 style), date, buyer with tax code and address, lines with their VAT rate, totals per rate, the
total and the amount in words. Words fixed per language here, as for the quotation (``modules/erp/sales/pdf.py``),
with the shared layout of ``modules/erp/common/pdf.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

from modules.erp.common.pdf import PdfDocument, line_rows, party_lines, pdf_render, totals_rows
from modules.erp.common.words import amount_in_words
from modules.erp.invoicing.models import Invoice
from saas_platform.templatetags.fmt import format_date, format_money

__all__ = ["LABELS", "Seller", "invoice_document", "pdf_render", "seller_of"]

LABELS = {
    "vi": {
        "invoice": "HÓA ĐƠN GIÁ TRỊ GIA TĂNG", "refund": "HÓA ĐƠN ĐIỀU CHỈNH GIẢM", "draft": "BẢN NHÁP",
        "cancelled": "ĐÃ HỦY", "template": "Mẫu số", "symbol": "Ký hiệu", "number": "Số", "date": "Ngày",
        "due": "Hạn thanh toán", "rate": "Tỷ giá", "corrects": "Điều chỉnh cho hóa đơn",
        "seller": "Đơn vị bán hàng", "buyer": "Người mua hàng", "tax_code": "Mã số thuế", "address": "Địa chỉ",
        "phone": "Điện thoại", "bank_account": "Số tài khoản",
        "columns": ("STT", "Tên hàng hóa, dịch vụ", "ĐVT", "Số lượng", "Đơn giá", "CK %", "Thuế suất", "Thành tiền"),
        "base_at": "Cộng tiền hàng chịu thuế {rate}", "tax_at": "Tiền thuế GTGT {rate}", "exempt": "KCT",
        "untaxed": "Cộng tiền hàng", "tax": "Tiền thuế GTGT", "total": "Tổng cộng tiền thanh toán",
        "words": "Số tiền viết bằng chữ", "note": "Ghi chú", "buyer_sign": "Người mua hàng",
        "seller_sign": "Người bán hàng", "sign_hint": "(Ký, ghi rõ họ tên)", "of": "ngày",
    },
    "en": {
        "invoice": "VAT INVOICE", "refund": "CREDIT NOTE", "draft": "DRAFT", "cancelled": "CANCELLED",
        "template": "Form", "symbol": "Symbol", "number": "No.", "date": "Date", "due": "Due date",
        "rate": "Exchange rate", "corrects": "Corrects invoice", "seller": "Seller", "buyer": "Buyer",
        "tax_code": "Tax code", "address": "Address", "phone": "Phone", "bank_account": "Bank account",
        "columns": ("No.", "Description", "Unit", "Qty", "Unit price", "Disc. %", "VAT", "Amount"),
        "base_at": "Amount subject to VAT {rate}", "tax_at": "VAT {rate}", "exempt": "VAT exempt",
        "untaxed": "Subtotal", "tax": "VAT", "total": "Total payment", "words": "Amount in words", "note": "Note",
        "buyer_sign": "Buyer", "seller_sign": "Seller", "sign_hint": "(Signature, full name)", "of": "of",
    },
}


@dataclass(frozen=True)
class Seller:
    name: str
    tax_code: str = ""
    address: str = ""
    phone: str = ""
    bank_account: str = ""


def seller_of(tenant) -> Seller:
    """The workspace as the seller: its company details (``/erp/company/``), else its name alone."""
    from modules.erp.common.company import company_profile

    profile = company_profile()
    return Seller(name=profile.legal_name or getattr(tenant, "name", ""), tax_code=profile.tax_code,
                  address=profile.address, phone=profile.phone, bank_account=profile.bank_account)


def invoice_document(*, invoice: Invoice, lines, seller: Seller, address: str, lang: str) -> PdfDocument:
    """The printable content of a customer invoice or credit note."""
    lang = "en" if lang == "en" else "vi"
    labels = LABELS[lang]
    currency = invoice.currency
    money = lambda amount: format_money(amount, currency, language=lang)  # noqa: E731
    title = labels["refund"] if invoice.is_refund else labels["invoice"]
    if invoice.state != Invoice.State.POSTED:
        title = f"{title} ({labels['draft'] if invoice.state == Invoice.State.DRAFT else labels['cancelled']})"
    number = f"{invoice.number:08d}" if invoice.number else "—"
    facts = [(labels["template"], invoice.symbol.template if invoice.symbol_id else "1"),
             (labels["symbol"], invoice.symbol.symbol if invoice.symbol_id else "—"),
             (labels["number"], number), (labels["date"], format_date(invoice.date))]
    if invoice.due_date and not invoice.is_refund:
        facts.append((labels["due"], format_date(invoice.due_date)))
    if currency != "VND":
        facts.append((labels["rate"], f"1 {currency} = {format_money(invoice.exchange_rate, 'VND', language=lang)}"))
    seller_lines = [seller.name] + [f"{labels[name]}: {getattr(seller, name)}" for name in
                                    ("tax_code", "address", "phone", "bank_account") if getattr(seller, name)]
    note = invoice.note
    if invoice.refund_of_id:
        original = invoice.refund_of
        corrects = (f"{labels['corrects']} {original.display_number} {labels['of']} "
                    f"{format_date(original.date)}")
        note = f"{corrects}. {note}" if note else corrects
    return PdfDocument(
        lang=lang, title=title, number=invoice.display_number, facts=facts, seller=seller_lines,
        buyer=party_lines(invoice.party, address=address, labels=labels), header=labels["columns"],
        rows=line_rows(lines, money=money, labels=labels, lang=lang),
        totals=totals_rows(invoice, lines, money=money, labels=labels, lang=lang),
        words=f"{labels['words']}: {amount_in_words(invoice.amount_total, currency, lang)}", note=note,
        labels=labels)
