"""The API's one error shape as exceptions: `code`, `status`, `message` (what to fix), `errors`."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """The API refused a request; `message` says what to fix, `errors` which fields."""

    def __init__(self, code: int, status: str, message: str, errors: dict[str, Any] | None = None,
                 retry_after: float | None = None) -> None:
        super().__init__(f"{code} {status}: {message}")
        self.code, self.status, self.message = code, status, message
        self.errors = errors or {}
        self.retry_after = retry_after


class Unauthorized(ApiError):
    """401 or 403: no key, a wrong key, or a key without the role."""


class NotFound(ApiError):
    """404: no such job or archive article for this client."""


class Conflict(ApiError):
    """409: e.g. a retracted archive id imported again, feedback on a job that cannot take it."""


class Invalid(ApiError):
    """400, 413 or 422: the request's body or parameters; `errors` names the fields."""


class Unavailable(ApiError):
    """429 or 503: try again later (`retry_after` seconds, when the API says)."""


BY_CODE: dict[int, type[ApiError]] = {401: Unauthorized, 403: Unauthorized, 404: NotFound, 409: Conflict,
                                      400: Invalid, 413: Invalid, 422: Invalid, 429: Unavailable,
                                      503: Unavailable}


def raise_for(code: int, reason: str, body: Any, retry_after: str | None) -> None:
    """Raise the ApiError for an error answer (any status of 400 or more)."""
    shape = body if isinstance(body, dict) and "message" in body else {}
    kind = BY_CODE.get(code, ApiError)
    wait = float(retry_after) if retry_after and retry_after.isdigit() else None
    raise kind(code, str(shape.get("status") or reason), str(shape.get("message") or body or reason),
               shape.get("errors"), wait)
