"""Job records in Redis: the article, each stage's output, status, timings and delivery state.

Every key of a job expires after the job TTL; the broker carries only the job id.
"""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import redis

PREFIX = "enr:"
RECENT_JOBS = PREFIX + "jobs:recent"  # zset: job id -> created (epoch), for ops stats
DEAD_LETTERS = PREFIX + "deliveries:dead"  # zset: job id -> time it died
DELIVERIES_DUE = PREFIX + "deliveries:due"  # zset: job id -> when the next attempt is due
UNFINISHED = PREFIX + "jobs:unfinished"  # zset: job id -> when it last made progress (watchdog)
TERMINAL = {"succeeded", "failed"}


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def job_key(job_id: str, *parts: str) -> str:
    return ":".join([PREFIX + "job", job_id, *parts])


def new_job_id() -> str:
    return "enr_" + uuid.uuid4().hex


def create_job(
    r: redis.Redis,
    *,
    client: str,
    article: dict[str, Any],
    callback_url: str | None,
    options: dict[str, Any],
    ttl: int,
    idempotency_key: str | None = None,
) -> tuple[str, bool]:
    """Store a new queued job; return (job id, created). An idempotency key seen before for
    this client returns the first job's id and created=False."""
    job_id = new_job_id()
    idem = f"{PREFIX}idem:{client}:{idempotency_key}" if idempotency_key else None
    if idem:
        existing = r.get(idem)
        if existing:
            return existing.decode(), False
    created = time.time()
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
    pipe = r.pipeline()  # one transaction: a key never points at a job that was not written
    if idem:
        pipe.set(idem, job_id, nx=True, ex=ttl)
    pipe.hset(job_key(job_id), mapping=record)
    pipe.expire(job_key(job_id), ttl)
    pipe.set(job_key(job_id, "article"), json.dumps(article), ex=ttl)
    pipe.zadd(RECENT_JOBS, {job_id: created})
    pipe.zadd(UNFINISHED, {job_id: created})
    pipe.zremrangebyscore(RECENT_JOBS, "-inf", created - 2 * 3600)
    written = pipe.execute()
    if idem and not written[0]:
        # A simultaneous request with the same key won: undo this job, answer with that one.
        r.delete(job_key(job_id), job_key(job_id, "article"))
        r.zrem(RECENT_JOBS, job_id)
        r.zrem(UNFINISHED, job_id)
        winner = r.get(idem)
        return (winner.decode() if winner else job_id), False
    return job_id, True


def discard_job(r: redis.Redis, job_id: str, client: str, idempotency_key: str | None) -> None:
    """Remove a job that could not be queued (best effort: Redis may be the thing that failed)."""
    keys = [job_key(job_id), job_key(job_id, "article")]
    if idempotency_key:
        keys.append(f"{PREFIX}idem:{client}:{idempotency_key}")
    try:
        r.delete(*keys)
        r.zrem(RECENT_JOBS, job_id)
        r.zrem(UNFINISHED, job_id)
    except redis.RedisError:
        pass  # the job's keys expire with the job TTL; the client was told to retry


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


def mark_running(r: redis.Redis, job_id: str) -> None:
    """Move a queued job to running; a re-run of a finished job leaves it as it is."""
    job = get_job(r, job_id)
    if job and job["status"] == "queued":
        update_job(r, job_id, status="running", started_at=now_iso())


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
