"""Signed webhook delivery (Standard Webhooks) and its retry policy."""

from __future__ import annotations

import json
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import requests
from standardwebhooks import Webhook

RETRYABLE_STATUS = {408, 429}
MAX_RETRY_AFTER = 86400.0
USER_AGENT = "newsroom-enrichment-webhooks/1.0"


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    error: str | None
    retry_after: float | None
    duration_ms: float

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    @property
    def retryable(self) -> bool:
        if self.status_code is None:
            return True  # network error or timeout
        return self.status_code in RETRYABLE_STATUS or self.status_code >= 500


def payload(job_id: str, status: str, data: dict[str, Any]) -> str:
    kind = "enrichment.succeeded" if status == "succeeded" else "enrichment.failed"
    return json.dumps({"type": kind, "id": job_id, "data": data}, separators=(",", ":"))


def signed_headers(secret: str, webhook_id: str, body: str, at: datetime | None = None) -> dict[str, str]:
    at = at or datetime.now(UTC)
    return {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": webhook_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(webhook_id, at, body),
    }


def parse_retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return min(float(value), MAX_RETRY_AFTER)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return min(max(0.0, (when - datetime.now(UTC)).total_seconds()), MAX_RETRY_AFTER)


def send(url: str, body: str, headers: dict[str, str], timeout: float) -> Outcome:
    """POST once, never following redirects; network failures become an Outcome, not an error."""
    started = time.perf_counter()
    try:
        response = requests.post(url, data=body.encode(), headers=headers, timeout=timeout,
                                 allow_redirects=False)
    except requests.RequestException as exc:
        return Outcome(None, f"{type(exc).__name__}: {exc}"[:500], None,
                       (time.perf_counter() - started) * 1000)
    return Outcome(response.status_code, None, parse_retry_after(response.headers.get("retry-after")),
                   (time.perf_counter() - started) * 1000)


def next_delay(delays: tuple[float, ...], attempt: int, retry_after: float | None) -> float | None:
    """Seconds until the next try after `attempt` tries in this cycle (None: no more tries)."""
    if attempt > len(delays):
        return None
    base = delays[attempt - 1]
    jittered = base * random.uniform(0.9, 1.1)
    return max(jittered, retry_after or 0.0)
