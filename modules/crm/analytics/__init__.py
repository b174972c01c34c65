"""Selectors for the Growth reports: campaign results, forecast, quotas and leaderboard, RFM segments."""
