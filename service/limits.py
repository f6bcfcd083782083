"""Per-client rate limits, counted in Redis so every API process shares them (Flask-Limiter).

The sliding-window counter weighs the previous window by how much of it still overlaps: close to
a moving window, at the cost of two counters instead of a log of every request."""

from __future__ import annotations

import logging
import math
import time

from flask import Flask, current_app, request
from flask_limiter import Limiter
from redis.exceptions import RedisError

from core.settings import Settings
from service.auth import PUBLIC_ENDPOINTS, client_for
from service.metrics import count_store_error
from store.connection import limits_uri


def client_key() -> str:
    """Limit by client (its API key's owner); unauthenticated calls by address."""
    settings = current_app.extensions["settings"]
    client = client_for(request.headers.get("Authorization"), settings.api_keys)
    return f"client:{client}" if client else f"addr:{request.remote_addr}"


class _CountFailOpen(logging.Handler):
    """Flask-Limiter logs (with its traceback) each request it let through because it could not
    count: count those too (enrichment_store_errors_total{kind="rate_limit_failed_open"})."""

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith("Failed to rate limit"):
            count_store_error("rate_limit_failed_open")


def init_app(app: Flask, settings: Settings) -> None:
    """RATE_LIMIT_ON_STORE_FAILURE: 'open' (default) lets a request through when its count cannot be
    kept (a full Redis still serves reads), logged and counted; 'closed' refuses it (503 or 507)."""
    if not settings.rate_limit:
        return
    fail_open = settings.rate_limit_on_store_failure == "open"
    limiter = Limiter(client_key, app=app, storage_uri=limits_uri(settings.redis_url, settings.redis_sentinel_master),
                      default_limits=[settings.rate_limit], headers_enabled=False,
                      key_prefix="enr:limits", swallow_errors=fail_open, strategy="sliding-window-counter")
    if fail_open and not any(isinstance(h, _CountFailOpen) for h in limiter.logger.handlers):
        limiter.logger.addHandler(_CountFailOpen())
    limiter.request_filter(lambda: request.endpoint in PUBLIC_ENDPOINTS)
    app.extensions["rate_limiter"] = limiter


def retry_after() -> int:
    """Whole seconds until the breached limit lets the client in again (for a 429's Retry-After).

    Read only when a limit is breached: the X-RateLimit-* headers on every answer would cost a
    second Redis round trip per request, which is most of the limiter's price at high rates."""
    try:
        limit = current_app.extensions["rate_limiter"].current_limit
        return max(1, math.ceil(limit.reset_at - time.time())) if limit else 1
    except RedisError:  # the window is read from Redis; the 429 stands without it
        return 1
