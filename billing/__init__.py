"""Plans, entitlements, subscriptions and payment providers (issue: tiers & billing)."""
