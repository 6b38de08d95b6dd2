"""Domain errors raised by services and mapped to HTTP once, app-wide."""
from __future__ import annotations


class DomainError(Exception):
    """Base class; `code` is the stable machine-readable error code."""

    status = 400
    code = "error"

    def __init__(self, message: str = "", fields: dict[str, str] | None = None):
        super().__init__(message or self.code)
        self.message = message or self.code
        self.fields = dict(fields or {})


class ValidationError(DomainError):
    status = 422
    code = "validation_error"

    def __init__(self, fields: dict[str, str], message: str = "Some fields are not valid."):
        super().__init__(message, fields)


class NotAuthenticated(DomainError):
    status = 401
    code = "not_authenticated"


class NotAuthorized(DomainError):
    status = 403
    code = "forbidden"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"
