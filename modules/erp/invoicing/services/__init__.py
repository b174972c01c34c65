"""Writes on invoices and payments: ``invoices`` (drafts, posting, credit notes, bills) and ``payments`` (its own
module, written beside this one)."""

from modules.erp.invoicing.services.invoices import (
    bill_from_purchase_order,
    billed_quantities,
    credit_note_create,
    invoice_cancel,
    invoice_create,
    invoice_from_sales_order,
    invoice_post,
    invoice_update,
    invoiced_quantities,
    payment_state_for,
)

__all__ = [
    "bill_from_purchase_order",
    "billed_quantities",
    "credit_note_create",
    "invoice_cancel",
    "invoice_create",
    "invoice_from_sales_order",
    "invoice_post",
    "invoice_update",
    "invoiced_quantities",
    "payment_state_for",
]
