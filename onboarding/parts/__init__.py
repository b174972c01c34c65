"""Industry template parts, one module per product module; each registers itself with onboarding.registry."""
