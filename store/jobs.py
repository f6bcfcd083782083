"""Job records in Redis: the article, each stage's output, status, timings and delivery state.

Every key of a job expires after the job TTL; the broker carries only the job id.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import redis
from redis.exceptions import NoScriptError

from store import rate_limits

PREFIX = "enr:"
RECENT_JOBS = PREFIX + "jobs:recent"  # zset: job id -> created (epoch), for ops stats
DEAD_LETTERS = PREFIX + "deliveries:dead"  # zset: job id -> time it died
DELIVERIES_DUE = PREFIX + "deliveries:due"  # zset: job id -> when the next attempt is due
UNFINISHED = PREFIX + "jobs:unfinished"  # zset: job id -> when it last made progress (watchdog)
INTAKE = PREFIX + "jobs:intake"  # list: ids of accepted jobs, moved onto the Celery queue by workers
TERMINAL = {"succeeded", "failed"}


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def job_key(job_id: str, *parts: str) -> str:
    return ":".join([PREFIX + "job", job_id, *parts])


def new_job_id() -> str:
    return "enr_" + uuid.uuid4().hex


# One atomic step: refuse a request over its client's rate limits (store/rate_limits.py), answer
# an idempotent repeat (or refuse a key reused for another request), refuse when the queue is
# full, or store the job and put its id on the intake list. A job
# therefore never exists without its queue entry. The idempotency key holds "<job id>|<request
# fingerprint>" (a key stored before fingerprints holds the job id alone, and matches any request).
# KEYS: idempotency key ('' for none), job hash, article, recent jobs, unfinished jobs, intake,
#       the enrich queue, then the rate limits' counters. ARGV: job id, ttl, now, max depth (-1:
#       none), article JSON, the request's fingerprint, the rate limits' spec, hash pairs...
CREATE = rate_limits.CHECK + """
local wait = rate_check(8, ARGV[7])
if wait > 0 then return {'limited', tostring(wait)} end
if KEYS[1] ~= '' then
  local existing = redis.call('GET', KEYS[1])
  if existing then
    local bar = string.find(existing, '|', 1, true)
    if not bar then return {'existing', existing} end
    local first = string.sub(existing, 1, bar - 1)
    if string.sub(existing, bar + 1) ~= ARGV[6] then return {'conflict', first} end
    return {'existing', first}
  end
end
local max_depth = tonumber(ARGV[4])
if max_depth >= 0 and redis.call('LLEN', KEYS[6]) + redis.call('LLEN', KEYS[7]) >= max_depth then
  return {'full', ''}
end
if KEYS[1] ~= '' then redis.call('SET', KEYS[1], ARGV[1] .. '|' .. ARGV[6], 'EX', ARGV[2]) end
redis.call('HSET', KEYS[2], unpack(ARGV, 8))
redis.call('EXPIRE', KEYS[2], ARGV[2])
redis.call('SET', KEYS[3], ARGV[5], 'EX', ARGV[2])
redis.call('ZADD', KEYS[4], ARGV[3], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', tonumber(ARGV[3]) - 7200)
redis.call('ZADD', KEYS[5], ARGV[3], ARGV[1])
redis.call('LPUSH', KEYS[6], ARGV[1])
return {'created', ARGV[1]}
"""


class QueueFull(Exception):
    """The enrichment queue holds MAX_QUEUE_DEPTH entries or more."""


class RateLimited(Exception):
    """Over one of the client's rate limits: nothing was written; retry after `seconds`."""

    def __init__(self, seconds: int) -> None:
        super().__init__(seconds)
        self.seconds = seconds


class KeyReused(Exception):
    """The idempotency key was first used for a different request: its job is `job_id`."""

    def __init__(self, job_id: str) -> None:
        super().__init__(job_id)
        self.job_id = job_id


class NotReplicated(Exception):
    """The job was written to the master, but not confirmed by enough replicas in time."""

    def __init__(self, job_id: str) -> None:
        super().__init__(job_id)
        self.job_id = job_id


def create_job(
    r: redis.Redis,
    *,
    client: str,
    article: dict[str, Any],
    callback_url: str | None,
    options: dict[str, Any],
    ttl: int,
    idempotency_key: str | None = None,
    fingerprint: str = "",
    queue: str,
    max_depth: int | None = None,
    replicas: int = 0,
    wait_ms: int = 500,
    limits: list[rate_limits.Limit] | None = None,
) -> tuple[str, bool]:
    """Store a new job and queue its id for the workers; return (job id, created).

    An idempotency key seen before for this client returns the first job's id and created=False,
    or raises KeyReused when the first request's `fingerprint` differs from this one's.
    Raises RateLimited when the request is over one of the client's `limits` (checked first, and
    counted only when let in), QueueFull when `max_depth` entries already wait (in the intake and in `queue`), and
    NotReplicated when `replicas` replicas did not confirm the new job within `wait_ms` (Redis
    WAIT, on the connection that wrote it: replication is asynchronous, and a master that dies
    right after a write may take it with it)."""
    job_id = new_job_id()
    record = {
        "id": job_id,
        "client": client,
        "status": "queued",
        "created_at": now_iso(),
        "callback_url": callback_url or "",
        "delivery_state": "pending" if callback_url else "none",
        "webhook_id": "msg_" + job_id.removeprefix("enr_"),
        "options": json.dumps(options),
        "idempotency_key": idempotency_key or "",
    }
    idem = f"{PREFIX}idem:{client}:{idempotency_key}" if idempotency_key else ""
    now = time.time()
    counters, spec = rate_limits.keys_and_spec(rate_limits.client_counter(client), limits or [], now)
    keys = [idem, job_key(job_id), job_key(job_id, "article"), RECENT_JOBS, UNFINISHED, INTAKE, queue, *counters]
    args = [job_id, ttl, now, -1 if max_depth is None else max_depth, json.dumps(article), fingerprint, spec,
            *(item for pair in record.items() for item in pair)]
    (outcome, found), *acked = _create(r, keys, args, replicas, wait_ms)
    if outcome == b"limited":
        raise RateLimited(int(found))
    if outcome == b"full":
        raise QueueFull(max_depth)
    if outcome == b"conflict":
        raise KeyReused(found.decode())
    if outcome == b"created" and replicas and int(acked[0]) < replicas:
        raise NotReplicated(found.decode())
    return found.decode(), outcome == b"created"


CREATE_SHA = hashlib.sha1(CREATE.encode()).hexdigest()


def _create(r: redis.Redis, keys: list[str], args: list[Any], replicas: int, wait_ms: int) -> list[Any]:
    """Run CREATE (then WAIT, on the same connection) in one round trip: EVALSHA, and the script
    loaded only when Redis answers that it does not have it (a restart, SCRIPT FLUSH), then once
    more. (redis-py's Script in a pipeline asks SCRIPT EXISTS first: a second round trip a POST.)
    A NOSCRIPT answer means the script did not run, so the retry cannot create a job twice."""
    def run() -> list[Any]:
        pipe = r.pipeline(transaction=False)
        pipe.evalsha(CREATE_SHA, len(keys), *keys, *args)
        if replicas:
            pipe.wait(replicas, wait_ms)
        return pipe.execute()

    try:
        return run()
    except NoScriptError:
        r.script_load(CREATE)
        return run()


def get_job(r: redis.Redis, job_id: str) -> dict[str, str] | None:
    raw = r.hgetall(job_key(job_id))
    if not raw:
        return None
    return {k.decode(): v.decode() for k, v in raw.items()}


def update_job(r: redis.Redis, job_id: str, **fields: Any) -> None:
    """Set fields on an existing job (never recreates an expired one)."""
    values = {k: json.dumps(v) if isinstance(v, (dict, list)) else str(v) for k, v in fields.items()}
    if r.exists(job_key(job_id)):
        r.hset(job_key(job_id), mapping=values)


# Set the final status once: a job already succeeded or failed keeps what it has.
FINISH = """
local status = redis.call('HGET', KEYS[1], 'status')
if not status or status == 'succeeded' or status == 'failed' then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV))
return 1
"""


def finish(r: redis.Redis, job_id: str, status: str, **fields: Any) -> bool:
    """Move the job to its final `status` (with `fields`), unless it is already final; True if
    this call did it. Two copies of a stage racing to the end cannot both count or deliver."""
    values = {"status": status, "finished_at": now_iso(), **{k: str(v) for k, v in fields.items()}}
    args = [item for pair in values.items() for item in pair]
    done = bool(r.register_script(FINISH)(keys=[job_key(job_id)], args=args))
    if done:
        finished(r, job_id)
    return done


def mark_running(r: redis.Redis, job: dict[str, str]) -> None:
    """Move a queued job (as just read) to running; any other status is left as it is."""
    if job["status"] == "queued":
        update_job(r, job["id"], status="running", started_at=now_iso())


def progressed(r: redis.Redis, job_id: str) -> None:
    """Tell the watchdog the job moved on (it re-queues jobs that stop moving)."""
    r.zadd(UNFINISHED, {job_id: time.time()}, xx=True)


def finished(r: redis.Redis, job_id: str) -> None:
    """The job reached a final state (or vanished): the watchdog forgets it."""
    r.zrem(UNFINISHED, job_id)


def record_timing(r: redis.Redis, job_id: str, stage: str, ms: float) -> None:
    update_job(r, job_id, **{f"t_ms:{stage}": round(ms, 2)})


def timings(job: dict[str, str]) -> dict[str, float]:
    return {k.split(":", 1)[1]: float(v) for k, v in job.items() if k.startswith("t_ms:")}


def load_json(r: redis.Redis, job_id: str, *parts: str) -> Any:
    raw = r.get(job_key(job_id, *parts))
    if raw is None:
        raise LookupError(f"job {job_id}: no {'/'.join(parts)} stored (expired or never written)")
    return json.loads(raw)


def store_json(r: redis.Redis, job_id: str, value: Any, ttl: int, *parts: str) -> None:
    r.set(job_key(job_id, *parts), json.dumps(value), ex=ttl)


def has(r: redis.Redis, job_id: str, *parts: str) -> bool:
    return bool(r.exists(job_key(job_id, *parts)))


def add_attempt(r: redis.Redis, job_id: str, attempt: dict[str, Any], ttl: int) -> int:
    key = job_key(job_id, "attempts")
    pipe = r.pipeline()
    pipe.rpush(key, json.dumps(attempt))
    pipe.expire(key, ttl)
    return int(pipe.execute()[0])


def attempts(r: redis.Redis, job_id: str) -> list[dict[str, Any]]:
    return [json.loads(a) for a in r.lrange(job_key(job_id, "attempts"), 0, -1)]
