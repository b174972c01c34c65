"""The product modules, one Django app per bounded context. They live in each tenant's schema."""
