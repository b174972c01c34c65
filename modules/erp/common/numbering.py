"""Gap-free document numbers: ``sequence_next("sales.order")`` -> "SO00042"."""

from __future__ import annotations

from django.db import connection

# code -> prefix of the documents the ERP numbers (a workspace may rename a prefix in its own row).
PREFIXES = {
    "sales.order": "SO",
    "purchasing.order": "PO",
    "inventory.receipt": "WH/IN/",
    "inventory.delivery": "WH/OUT/",
    "inventory.internal": "WH/INT/",
    "inventory.count": "WH/CNT/",
    "accounting.BH": "BH",
    "accounting.MH": "MH",
    "accounting.TM": "TM",
    "accounting.NH": "NH",
    "accounting.TH": "TH",
    "invoicing.bill": "HDM",
    "invoicing.payment_in": "PT",
    "invoicing.payment_out": "PC",
}


def sequence_next(code: str) -> str:
    """The next number of ``code``, taken inside the caller's transaction.

    One statement creates the counter on first use and bumps it under the row's lock: concurrent callers
    queue, and a rolled-back transaction gives its number back, so numbers have no gaps."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO erp_common_documentsequence (code, prefix, padding, next_number)
            VALUES (%s, %s, 5, 2)
            ON CONFLICT (code) DO UPDATE SET next_number = erp_common_documentsequence.next_number + 1
            RETURNING prefix, padding, next_number - 1
            """,
            [code, PREFIXES.get(code, code.upper() + "/")],
        )
        prefix, padding, number = cursor.fetchone()
    return f"{prefix}{number:0{padding}d}"


def sequence_give_back(code: str) -> None:
    """Undo this transaction's last ``sequence_next(code)`` (its work turned out to exist already). Safe only
    while the caller's transaction still holds the counter row, i.e. right after taking the number."""
    with connection.cursor() as cursor:
        cursor.execute("UPDATE erp_common_documentsequence SET next_number = next_number - 1 WHERE code = %s",
                       [code])
