"""Writes on the ledger: ``posting`` (the one door), ``setup`` (enabling finance), ``stock`` (what stock moves
post)."""
