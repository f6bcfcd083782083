"""Bearer keys: each key belongs to one client, and a client sees only its own jobs and archive.
Operators' endpoints (queues, metrics) take an ops key (OPS_KEYS), never a client's."""

from __future__ import annotations

import hmac

from flask import current_app, g, request
from flask_smorest import abort

PUBLIC_ENDPOINTS = {"ops.healthz", "ops.readyz", "api-docs.openapi_json", "docs.show"}
OPS_ENDPOINTS = {"ops.queues", "metrics.prometheus"}


def client_for(header: str | None, keys: dict[str, str]) -> str | None:
    """Return the client whose key the Authorization header carries, comparing in constant time."""
    scheme, _, token = (header or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    found = None
    for key, client in keys.items():
        if hmac.compare_digest(key.encode(), token.strip().encode()):
            found = client
    return found


def require_client() -> None:
    """before_request hook: set g.client or answer 401."""
    if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
        return
    settings = current_app.extensions["settings"]
    if request.endpoint in OPS_ENDPOINTS:
        require_ops(settings)
        return
    if settings.auth_disabled:
        g.client = "default"
        return
    client = client_for(request.headers.get("Authorization"), settings.api_keys)
    if client is None:
        abort(401, message="Missing or wrong API key: send 'Authorization: Bearer <key>'.",
              headers={"WWW-Authenticate": 'Bearer realm="enrichment"'})
    g.client = client


def require_ops(settings) -> None:  # type: ignore[no-untyped-def]
    """An operators' endpoint: an ops key, or nothing for /metrics with METRICS_PUBLIC=1 (or with
    auth disabled); a client's key answers 403."""
    if settings.auth_disabled or (settings.metrics_public and request.endpoint == "metrics.prometheus"):
        return
    header = request.headers.get("Authorization")
    if client_for(header, settings.ops_keys) is not None:
        return
    if client_for(header, settings.api_keys) is not None:
        abort(403, message="This is an operators' endpoint: use an ops key (OPS_KEYS), not a client's.")
    abort(401, message="Missing or wrong ops key: send 'Authorization: Bearer <ops key>' (OPS_KEYS).",
          headers={"WWW-Authenticate": 'Bearer realm="operations"'})
