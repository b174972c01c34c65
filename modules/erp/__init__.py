"""ERP bounded contexts, one Django app each (catalog, then inventory, sales, purchasing, finance...)."""
