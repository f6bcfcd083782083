"""Signed webhook delivery (Standard Webhooks) and its retry policy."""

from __future__ import annotations

import base64
import json
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import unquote, urlsplit

import certifi
import urllib3
from standardwebhooks import Webhook

from core.settings import ConfigError, Settings

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


def check_secrets(settings: Settings) -> None:
    """Sign a test payload with every configured webhook secret, so that a secret that cannot sign
    stops the service at start, naming its variable, instead of every delivery failing later."""
    named = [("WEBHOOK_SECRET", settings.webhook_secret),
             *((f"WEBHOOK_SECRETS ({client})", secret) for client, secret in settings.webhook_secrets.items())]
    for name, secret in named:
        if not secret:
            continue
        try:
            signed_headers(secret, "msg_startup_check", "{}")
        except Exception as exc:  # the library's own errors: empty, not base64, ...
            raise ConfigError(f"{name}: cannot sign a webhook with this secret ({exc}); a secret is "
                              "'whsec_' followed by base64, e.g. from `python -c \"import base64, os; "
                              "print('whsec_' + base64.b64encode(os.urandom(24)).decode())\"`") from exc


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


def send(url: str, body: str, headers: dict[str, str], timeout: float, addresses: list[str],
         ca_bundle: str | None = None) -> Outcome:
    """POST once to one of `addresses` (those url_guard checked), never following redirects.

    The connection goes to a checked address, not to whatever the name resolves to now, so a
    name that re-resolves to a private address between the check and the POST (DNS rebinding)
    gets nowhere. The Host header, TLS server name and certificate check still use the URL's host.
    Network failures become an Outcome, not an error."""
    started = time.perf_counter()
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = {**headers, "host": parts.netloc.rsplit("@", 1)[-1]}
    if parts.username is not None and "authorization" not in headers:  # https://user:pass@host/...
        credentials = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()
        headers["authorization"] = "Basic " + base64.b64encode(credentials).decode()
    error = "no address to connect to"
    for address in addresses:
        pool = _pool(parts.scheme, parts.hostname or "", address, parts.port, timeout, ca_bundle)
        try:
            response = pool.urlopen("POST", target, body=body.encode(), headers=headers,
                                    redirect=False, retries=False)
        except (urllib3.exceptions.NewConnectionError, urllib3.exceptions.ConnectTimeoutError) as exc:
            error = f"{type(exc).__name__}: {exc}"[:500]
            continue  # not connected, so nothing was sent: the next checked address, if any
        except urllib3.exceptions.HTTPError as exc:
            # Connected, and the request may have arrived: one attempt never sends it twice.
            return Outcome(None, f"{type(exc).__name__}: {exc}"[:500], None,
                           (time.perf_counter() - started) * 1000)
        finally:
            pool.close()
        return Outcome(response.status, None, parse_retry_after(response.headers.get("retry-after")),
                       (time.perf_counter() - started) * 1000)
    return Outcome(None, error, None, (time.perf_counter() - started) * 1000)


def _pool(scheme: str, host: str, address: str, port: int | None, timeout: float,
          ca_bundle: str | None) -> urllib3.HTTPConnectionPool:
    limits = urllib3.Timeout(connect=timeout, read=timeout)
    if scheme == "https":
        return urllib3.HTTPSConnectionPool(
            address, port or 443, timeout=limits, retries=False, maxsize=1, server_hostname=host,
            assert_hostname=host, cert_reqs="CERT_REQUIRED", ca_certs=ca_bundle or certifi.where())
    return urllib3.HTTPConnectionPool(address, port or 80, timeout=limits, retries=False, maxsize=1)


def next_delay(delays: tuple[float, ...], attempt: int, retry_after: float | None) -> float | None:
    """Seconds until the next try after `attempt` tries in this cycle (None: no more tries)."""
    if attempt > len(delays):
        return None
    base = delays[attempt - 1]
    jittered = base * random.uniform(0.9, 1.1)
    return max(jittered, retry_after or 0.0)
