"""The flask-smorest Api, with every error in one shape: code, status, message, errors."""

from __future__ import annotations

from typing import Any

import redis
from flask import Flask, current_app
from flask_smorest import Api
from kombu.exceptions import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from schemas.errors import ErrorSchema
from service.metrics import count_store_error


class InsufficientStorage(HTTPException):
    """507: the store is full (werkzeug has no class for it)."""

    code = 507


UNAVAILABLE = (redis.ConnectionError, redis.TimeoutError, redis.BusyLoadingError, OperationalError)


def store_error_kind(error: Exception) -> str:
    """'unavailable' (down, restarting, loading: retry), 'out_of_memory' (maxmemory reached: an
    operator must act) or 'error' (anything else: a bug or a misconfigured store)."""
    if isinstance(error, UNAVAILABLE):
        return "unavailable"
    if isinstance(error, redis.ResponseError) and (
            isinstance(error, redis.exceptions.OutOfMemoryError) or "OOM command not allowed" in str(error)):
        return "out_of_memory"
    return "error"


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
        if "message" not in payload:
            if payload.get("errors"):
                payload["message"] = "Invalid request: " + "; ".join(summarise(payload["errors"]))
            else:
                payload["message"] = error.description or error.name
        return payload, code, headers

    def handle_redis_error(self, error: Exception) -> tuple[dict[str, Any], int, dict[str, str]]:
        """A store failure, named: unavailable (503, retry shortly), out of memory (507: nothing was
        written, operators must free memory), anything else (500, logged with its traceback).
        Each is counted (enrichment_store_errors_total) and the last two alert."""
        kind = store_error_kind(error)
        count_store_error(kind)
        if kind == "unavailable":
            payload, code, _ = self.handle_http_exception(ServiceUnavailable(
                f"The job store is unavailable ({type(error).__name__}); retry shortly."))
            return payload, code, {"Retry-After": "5"}
        if kind == "out_of_memory":
            current_app.logger.error("the job store is out of memory: %s", error)
            payload, code, _ = self.handle_http_exception(InsufficientStorage(
                "The job store is out of memory (Redis maxmemory reached): nothing was written. Retry later; "
                "operators must free memory or raise maxmemory (see the EnrichmentStoreOutOfMemory alert)."))
            return payload, code, {"Retry-After": "60"}
        current_app.logger.error("job store error", exc_info=error)
        payload, code, _ = self.handle_http_exception(InternalServerError(
            f"The job store failed ({type(error).__name__}); the operators have it in their logs and metrics."))
        return payload, code, {}
