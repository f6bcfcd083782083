"""Per-client rate limits (RATE_LIMIT), counted in Redis so every API process shares them
(store/rate_limits.py). An article's POST is checked and counted by the job script itself, in the
same round trip as its job (store/jobs.py); every other request but the public ones here, first."""

from __future__ import annotations

from flask import Flask, current_app, request
from flask_smorest import abort
from redis.exceptions import RedisError

from core.settings import Settings
from service.auth import PUBLIC_ENDPOINTS, client_for
from service.metrics import count_store_error
from store import rate_limits

CHECKED_BY_THE_JOB_SCRIPT = {"enrichments.create"}


def client_key() -> str:
    """Limit by client (its API key's owner); unauthenticated calls by address."""
    settings = current_app.extensions["settings"]
    client = client_for(request.headers.get("Authorization"), settings.api_keys)
    return rate_limits.client_counter(client) if client else f"addr:{request.remote_addr}"


def refuse(seconds: int) -> None:
    """Answer 429 with Retry-After: over one of the limits, nothing counted or written."""
    limits = "; ".join(map(str, current_app.extensions["rate_limits"]))
    abort(429, message=f"Rate limit of {limits} exceeded for this API key; retry after the Retry-After seconds.",
          headers={"Retry-After": str(seconds)})


def check() -> None:
    """before_request: count this request, or answer 429. A store that cannot count it (a full
    Redis still serves reads) lets it through with RATE_LIMIT_ON_STORE_FAILURE=open (logged and
    counted: enrichment_store_errors_total{kind="rate_limit_failed_open"}), else answers with the
    store's error (503, 507)."""
    if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint in CHECKED_BY_THE_JOB_SCRIPT \
            or request.endpoint is None:
        return
    try:
        wait = rate_limits.hit(current_app.extensions["redis"], client_key(), current_app.extensions["rate_limits"])
    except RedisError as exc:
        if current_app.extensions["settings"].rate_limit_on_store_failure != "open":
            raise
        current_app.logger.warning("Failed to rate limit, let the request through: %s", exc)
        count_store_error("rate_limit_failed_open")
        return
    if wait:
        refuse(wait)


def init_app(app: Flask, settings: Settings) -> None:
    app.extensions["rate_limits"] = rate_limits.parse(settings.rate_limit)
    if app.extensions["rate_limits"]:
        app.before_request(check)
