"""The ERP's one error type, with stable codes; views turn it into field or page errors."""

from __future__ import annotations


class ErpError(Exception):
    def __init__(self, code: str, message: str = "", *, field: str | None = None):
        super().__init__(message or code)
        self.code = code
        self.message = message or code
        self.field = field
