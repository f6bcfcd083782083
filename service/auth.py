"""Bearer keys: each key belongs to one client, and a client sees only its own jobs."""

from __future__ import annotations

import hmac

from flask import current_app, g, request
from flask_smorest import abort

PUBLIC_ENDPOINTS = {"ops.healthz", "ops.readyz", "api-docs.openapi_json", "metrics.prometheus", "docs.show"}


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
    if settings.auth_disabled:
        g.client = "default"
        return
    client = client_for(request.headers.get("Authorization"), settings.api_keys)
    if client is None:
        abort(401, message="Missing or wrong API key: send 'Authorization: Bearer <key>'.",
              headers={"WWW-Authenticate": 'Bearer realm="enrichment"'})
    g.client = client
