"""Configuration from the environment: the one place every process reads it."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from limits import parse_many

DEFAULT_RETRY_DELAYS = "5,300,1800,7200,18000,36000,86400"


class ConfigError(ValueError):
    """A setting is missing or malformed."""


def _pairs(raw: str, name: str) -> dict[str, str]:
    """Parse `a:b,c:d` into {"a": "b", "c": "d"}."""
    out: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in raw.split(","))):
        left, sep, right = item.partition(":")
        if not sep or not left or not right:
            raise ConfigError(f"{name}: expected 'name:value' items, got {item!r}")
        out[left.strip()] = right.strip()
    return out


def _api_keys(raw: str, name: str = "API_KEYS") -> dict[str, str]:
    """Parse `client:key,...` into key -> client; a client may hold several keys (rotation)."""
    keys: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in raw.split(","))):
        client, sep, key = item.partition(":")
        if not sep or not client.strip() or not key.strip():
            raise ConfigError(f"{name}: expected 'client:key' items, got {item!r}")
        if "/" in client:
            raise ConfigError(f"{name}: a client name may not hold '/': {client.strip()!r}")
        if keys.get(key.strip(), client.strip()) != client.strip():
            raise ConfigError(f"{name}: one key is given to two clients")
        keys[key.strip()] = client.strip()
    return keys


def _shares(raw: str) -> dict[str, frozenset[str]]:
    """Parse `wire:paper1,paper2;agency:paper3` into archive -> the clients that may read it."""
    out: dict[str, frozenset[str]] = {}
    for item in filter(None, (part.strip() for part in raw.split(";"))):
        archive, sep, readers = item.partition(":")
        clients = frozenset(c.strip() for c in readers.split(",") if c.strip())
        if not sep or not archive.strip() or not clients:
            raise ConfigError(f"ARCHIVE_SHARES: expected 'archive:client,client;...' items, got {item!r}")
        out[archive.strip()] = clients
    for name in [*out, *(c for clients in out.values() for c in clients)]:
        if "/" in name:
            raise ConfigError(f"ARCHIVE_SHARES: an archive or client name may not hold '/': {name!r}")
    return out


def _optional(value: str | None, default: str | None) -> str | None:
    """An unset variable keeps the default; 'none' (or empty) turns the feature off."""
    if value is None:
        return default
    return None if value.strip().lower() in {"", "none", "off"} else value.strip()


def _optional_int(value: str | None, default: int | None) -> int | None:
    raw = _optional(value, None if default is None else str(default))
    try:
        return None if raw is None else int(raw)
    except ValueError as exc:
        raise ConfigError(f"expected a number or 'none', got {value!r}") from exc


def _choice(value: str | None, name: str, choices: tuple[str, ...], default: str) -> str:
    chosen = (value or default).strip().lower()
    if chosen not in choices:
        raise ConfigError(f"{name}: {value!r} is not one of {', '.join(choices)}")
    return chosen


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def _delays(raw: str) -> tuple[float, ...]:
    try:
        delays = tuple(float(p) for p in raw.split(",") if p.strip())
    except ValueError as exc:
        raise ConfigError(f"CALLBACK_RETRY_DELAYS: {exc}") from exc
    if any(d < 0 for d in delays):
        raise ConfigError("CALLBACK_RETRY_DELAYS: delays must be >= 0 seconds")
    return delays


def _rate_limit(value: str | None) -> str | None:
    """A limit in Flask-Limiter's notation ('100/second', '10 per minute; 1000/hour'), or None."""
    if value is None:
        return None
    try:
        parse_many(value)
    except ValueError as exc:
        raise ConfigError(f"RATE_LIMIT: {value!r} is not a rate limit (e.g. '100/second', "
                          "'10 per minute'; 'none' turns limiting off)") from exc
    return value


def sentinel_hosts(url: str) -> list[tuple[str, int]]:
    """The sentinels a kombu-style URL lists ("sentinel://h1:26379;sentinel://h2:26379"); [] for
    a plain redis:// URL."""
    hosts = []
    for part in url.split(";"):
        parts = urlsplit(part.strip())
        if parts.scheme == "sentinel":
            hosts.append((parts.hostname or "127.0.0.1", parts.port or 26379))
    return hosts


@dataclass(frozen=True)
class Settings:
    redis_url: str = "redis://127.0.0.1:6379/0"
    archive_redis_url: str = ""  # the archive's own Redis or Redis Cluster; "" = redis_url
    archive_cluster: bool = False
    redis_sentinel_master: str = "mymaster"  # the master's name when REDIS_URL lists sentinels
    redis_wait_replicas: int = 0  # replicas that must hold an accepted job before the 202 (WAIT)
    redis_wait_ms: int = 500
    api_keys: dict[str, str] = field(default_factory=dict)  # key -> client
    webhook_secret: str = ""
    webhook_secrets: dict[str, str] = field(default_factory=dict)  # client -> secret
    auth_disabled: bool = False
    ops_keys: dict[str, str] = field(default_factory=dict)  # key -> operator name
    metrics_public: bool = False
    archive_shares: dict[str, frozenset[str]] = field(default_factory=dict)  # archive -> clients reading it
    callback_allow_http: bool = False
    callback_allow_hosts: frozenset[str] = frozenset()
    callback_retry_delays: tuple[float, ...] = _delays(DEFAULT_RETRY_DELAYS)
    callback_timeout: float = 10.0
    callback_ca_bundle: str | None = None  # CA certificates for https callbacks (default: certifi's)
    job_ttl: int = 7 * 24 * 3600
    max_body_chars: int = 200_000
    max_request_bytes: int = 2_000_000
    max_import_bytes: int = 50_000_000
    visibility_timeout: int = 300
    job_stall_seconds: int = 300
    spacy_model: str = "en_newsroom_ner"
    rate_limit: str | None = "100/second"
    rate_limit_on_store_failure: str = "open"  # a limiter that cannot count lets requests through, or refuses
    max_queue_depth: int | None = 10_000
    erase_keep_seconds: int = 7 * 24 * 3600  # an erased archive's export is kept this long (0: not kept)
    max_waiting: int | None = 2  # requests that may hold a server thread for `Prefer: wait` at once

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read settings from `env` (default: the process environment)."""
        env = os.environ if env is None else env
        keys = _api_keys(env.get("API_KEYS", ""))
        ops = _api_keys(env.get("OPS_KEYS", ""), "OPS_KEYS")
        if set(ops) & set(keys):
            raise ConfigError("OPS_KEYS: an ops key may not also be a client's key (API_KEYS)")
        secret = env.get("WEBHOOK_SECRET", "")
        per_client = _pairs(env.get("WEBHOOK_SECRETS", ""), "WEBHOOK_SECRETS")
        for name, value in [("WEBHOOK_SECRET", secret), *per_client.items()]:
            if value and not value.startswith("whsec_"):
                raise ConfigError(f"{name}: webhook secrets start with 'whsec_'")
        hosts = env.get("CALLBACK_ALLOW_HOSTS", "")
        return cls(
            redis_url=env.get("REDIS_URL", cls.redis_url),
            archive_redis_url=env.get("ARCHIVE_REDIS_URL", ""),
            redis_sentinel_master=env.get("REDIS_SENTINEL_MASTER", cls.redis_sentinel_master),
            redis_wait_replicas=int(env.get("REDIS_WAIT_REPLICAS", cls.redis_wait_replicas)),
            redis_wait_ms=int(env.get("REDIS_WAIT_MS", cls.redis_wait_ms)),
            archive_cluster=_flag(env.get("ARCHIVE_CLUSTER")),  # a redis+cluster:// URL says so by itself
            api_keys=keys,
            webhook_secret=secret,
            webhook_secrets=per_client,
            auth_disabled=_flag(env.get("AUTH_DISABLED")),
            ops_keys=ops,
            metrics_public=_flag(env.get("METRICS_PUBLIC")),
            archive_shares=_shares(env.get("ARCHIVE_SHARES", "")),
            callback_allow_http=_flag(env.get("CALLBACK_ALLOW_HTTP")),
            callback_allow_hosts=frozenset(h.strip().lower() for h in hosts.split(",") if h.strip()),
            callback_retry_delays=_delays(env.get("CALLBACK_RETRY_DELAYS", DEFAULT_RETRY_DELAYS)),
            callback_timeout=float(env.get("CALLBACK_TIMEOUT", cls.callback_timeout)),
            callback_ca_bundle=env.get("CALLBACK_CA_BUNDLE") or None,
            job_ttl=int(env.get("JOB_TTL", cls.job_ttl)),
            max_body_chars=int(env.get("MAX_BODY_CHARS", cls.max_body_chars)),
            max_request_bytes=int(env.get("MAX_REQUEST_BYTES", cls.max_request_bytes)),
            max_import_bytes=int(env.get("MAX_IMPORT_BYTES", cls.max_import_bytes)),
            visibility_timeout=int(env.get("BROKER_VISIBILITY_TIMEOUT", cls.visibility_timeout)),
            job_stall_seconds=int(env.get("JOB_STALL_SECONDS", cls.job_stall_seconds)),
            spacy_model=env.get("SPACY_MODEL", cls.spacy_model),
            rate_limit=_rate_limit(_optional(env.get("RATE_LIMIT"), cls.rate_limit)),
            rate_limit_on_store_failure=_choice(env.get("RATE_LIMIT_ON_STORE_FAILURE"), "RATE_LIMIT_ON_STORE_FAILURE",
                                                ("open", "closed"), cls.rate_limit_on_store_failure),
            max_queue_depth=_optional_int(env.get("MAX_QUEUE_DEPTH"), cls.max_queue_depth),
            max_waiting=_optional_int(env.get("MAX_WAITING"), cls.max_waiting),
            erase_keep_seconds=int(env.get("ERASE_KEEP_SECONDS", cls.erase_keep_seconds)),
        )

    @property
    def sentinels(self) -> list[tuple[str, int]]:
        """(host, port) of each sentinel when REDIS_URL is "sentinel://h1:26379;sentinel://h2:26379"."""
        return sentinel_hosts(self.redis_url)

    @property
    def archive_url(self) -> str:
        return self.archive_redis_url or self.redis_url

    def readable_archives(self, client: str) -> list[str]:
        """The archives a client's enrichments and reads draw on: its own first, then those
        shared with it (ARCHIVE_SHARES)."""
        return [client, *sorted(a for a, readers in self.archive_shares.items() if client in readers and a != client)]

    def secret_for(self, client: str) -> str:
        """Return the webhook secret that signs `client`'s callbacks."""
        return self.webhook_secrets.get(client) or self.webhook_secret
