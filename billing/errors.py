"""Billing's one error type with stable codes. ``http_status`` maps them for the API."""

from __future__ import annotations


class BillingError(Exception):
    HTTP_STATUS = {
        "feature_not_in_plan": 402,
        "limit_exceeded": 402,
        "workspace_read_only": 402,
        "stripe_disabled": 409,
        "stripe_signature_invalid": 400,
        "stripe_signature_stale": 400,
        "bank_feed_unauthorized": 401,
        "invalid_payload": 400,
    }

    def __init__(self, code: str, message: str = "", **detail):
        super().__init__(message or code)
        self.code = code
        self.message = message or code
        self.detail = detail

    @property
    def http_status(self) -> int:
        return self.HTTP_STATUS.get(self.code, 400)

    def as_json(self) -> dict:
        return {"error": {"code": self.code, "message": str(self.message), **self.detail}}
