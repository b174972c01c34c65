"""Signup, business questionnaire, recommendation engine, industry templates (issue: onboarding)."""
