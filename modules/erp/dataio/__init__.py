"""Imports of products and of opening stock, through the CRM's import run (upload, column mapping, row-by-row
check, dry-run preview, all-or-nothing write, progress, report). Registered from the catalog app's ready()."""
