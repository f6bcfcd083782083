"""Per-client rate limits, counted in Redis so every API process shares them (Flask-Limiter).

The sliding-window counter weighs the previous window by how much of it still overlaps: close to
a moving window, at the cost of two counters instead of a log of every request."""

from __future__ import annotations

import math
import time

from flask import Flask, current_app, request
from flask_limiter import Limiter
from redis.exceptions import RedisError

from core.settings import Settings
from service.auth import PUBLIC_ENDPOINTS, client_for
from store.connection import limits_uri


def client_key() -> str:
    """Limit by client (its API key's owner); unauthenticated calls by address."""
    settings = current_app.extensions["settings"]
    client = client_for(request.headers.get("Authorization"), settings.api_keys)
    return f"client:{client}" if client else f"addr:{request.remote_addr}"


def init_app(app: Flask, settings: Settings) -> None:
    if not settings.rate_limit:
        return
    limiter = Limiter(client_key, app=app, storage_uri=limits_uri(settings.redis_url, settings.redis_sentinel_master),
                      default_limits=[settings.rate_limit], headers_enabled=False,
                      key_prefix="enr:limits", swallow_errors=True, strategy="sliding-window-counter")
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
