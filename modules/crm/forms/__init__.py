"""CRM forms: one module per area (parsing and field errors only; rules live in services)."""
