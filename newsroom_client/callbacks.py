"""Verify a callback: the Standard Webhooks signature, keyed by the client's `whsec_` secret."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from standardwebhooks import Webhook, WebhookVerificationError


class CallbackRefused(Exception):
    """The callback is forged, altered or too old: answer it with 400 and ignore it."""


def verify_callback(secret: str, body: bytes | str, headers: Mapping[str, str]) -> dict[str, Any]:
    """The callback's payload ({"type", "id", "data"}) once its signature and timestamp check out.

    `headers` as the receiving framework gives them (any case). Raises CallbackRefused."""
    try:
        Webhook(secret).verify(body, {k.lower(): v for k, v in headers.items()})
    except WebhookVerificationError as exc:
        raise CallbackRefused(str(exc)) from exc
    payload: dict[str, Any] = json.loads(body)
    return payload
