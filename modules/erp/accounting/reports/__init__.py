"""Accounting reports read from the ledger: the trial balance, the general ledger of an account, the income
statement (B02-DN shape), the balance sheet (B01-DN shape), VAT summaries, the cash position and the finance
dashboard.

Every figure is aggregated in SQL (one ``GROUP BY account`` per question, over the ``(account, date)`` and
``date`` indexes); journal lines are never loaded into Python, so a report costs the same few queries over
ten lines or ten million. Each report returns its domain figures and a ``Table`` (``reports.table``) that the
page, the XLSX export and the PDF export all print, so the three always show the same numbers.
"""
