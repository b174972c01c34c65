"""One error type for the workspace domain, with stable codes (mapped to HTTP in one place)."""

from __future__ import annotations


class TenantError(Exception):
    def __init__(self, code: str, message: str = "", *, field: str | None = None):
        super().__init__(message or code)
        self.code = code
        self.message = message or code
        self.field = field
