"""CRM reads: one module per area (what pages and reports compute)."""
