"""The flask-smorest Api, with every error in one shape: code, status, message, errors."""

from __future__ import annotations

from typing import Any

import redis
from flask import Flask
from flask_limiter.errors import RateLimitExceeded
from flask_smorest import Api
from kombu.exceptions import OperationalError
from werkzeug.exceptions import HTTPException, ServiceUnavailable

from schemas.errors import ErrorSchema
from service import limits


def summarise(errors: Any, prefix: str = "") -> list[str]:
    """Flatten marshmallow's nested messages into 'field.sub: message' lines."""
    if isinstance(errors, dict):
        lines = []
        for key, value in errors.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            lines += summarise(value, name)
        return lines
    if isinstance(errors, list) and all(isinstance(e, str) for e in errors):
        return [f"{prefix}: {' '.join(errors)}" if prefix else " ".join(errors)]
    return [f"{prefix}: {errors}"]


class EnrichmentApi(Api):
    ERROR_SCHEMA = ErrorSchema

    def init_app(self, app: Flask, *args: Any, **kwargs: Any) -> None:
        super().init_app(app, *args, **kwargs)
        app.register_error_handler(redis.RedisError, self.handle_redis_error)
        app.register_error_handler(OperationalError, self.handle_redis_error)

    def handle_http_exception(self, error: HTTPException) -> tuple[dict[str, Any], int, dict[str, str]]:
        payload, code, headers = super().handle_http_exception(error)
        errors = payload.get("errors")
        if isinstance(errors, dict) and "json" in errors:
            payload["errors"] = errors = errors["json"]
        if isinstance(errors, list):
            payload["errors"] = {"body": errors}
        if isinstance(error, RateLimitExceeded):
            payload["message"] = (f"Rate limit of {error.description} exceeded for this API key; "
                                  "retry after the Retry-After seconds.")
            headers = {**(headers or {}), "Retry-After": str(limits.retry_after())}
        if "message" not in payload:
            if payload.get("errors"):
                payload["message"] = "Invalid request: " + "; ".join(summarise(payload["errors"]))
            else:
                payload["message"] = error.description or error.name
        return payload, code, headers

    def handle_redis_error(self, error: Exception) -> tuple[dict[str, Any], int, dict[str, str]]:
        """Redis is down or restarting: the client should retry, not see a 500."""
        unavailable = ServiceUnavailable(f"The job store is unavailable ({type(error).__name__}); "
                                         "retry shortly.")
        payload, code, _ = self.handle_http_exception(unavailable)
        return payload, code, {"Retry-After": "5"}
