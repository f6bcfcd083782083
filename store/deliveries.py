"""A job's callback in Redis: what to send, each attempt's record, and what follows it
(delivered, due again later, or dead-lettered). Sending itself is delivery/webhook.py."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import redis

from store import jobs, metrics
from store.due import schedule_delivery, unschedule_delivery

FINAL_STATES = {"none", "delivered", "delivery_failed"}


def is_settled(job: dict[str, str] | None) -> bool:
    """Nothing to send: the job is gone, not final yet, or its callback is already settled."""
    return not job or job["delivery_state"] in FINAL_STATES or job["status"] not in jobs.TERMINAL


def data(r: redis.Redis, job: dict[str, str]) -> dict[str, Any]:
    """The callback's `data`: the enriched document, or the failure."""
    if job["status"] == "succeeded":
        result: dict[str, Any] = jobs.load_json(r, job["id"], "result")
        return result
    return {"id": job["id"], "status": job["status"], "error": job.get("error", "")}


def record_attempt(r: redis.Redis, job: dict[str, str], *, status_code: int | None, error: str | None,
                   duration_ms: float, delivered: bool, retry_in: float | None, ttl: int) -> None:
    """Keep one attempt and move the callback on: delivered, due again in `retry_in` seconds,
    or (no retry) dead-lettered."""
    job_id = job["id"]
    cycle = int(job.get("cycle_attempts") or 0) + 1
    jobs.add_attempt(r, job_id, {"at": jobs.now_iso(), "status_code": status_code, "error": error,
                                 "duration_ms": round(duration_ms, 1)}, ttl)
    if delivered:
        jobs.update_job(r, job_id, delivery_state="delivered", cycle_attempts=cycle,
                        next_attempt_at="", delivered_at=jobs.now_iso())
        unschedule_delivery(r, job_id)
        metrics.count(r, "deliveries", "delivered")
        created = datetime.fromisoformat(job["created_at"].replace("Z", "+00:00"))
        metrics.observe(r, "post_to_delivered", (datetime.now(UTC) - created).total_seconds() * 1000)
    elif retry_in is not None:
        when = time.time() + retry_in
        jobs.update_job(r, job_id, delivery_state="pending", cycle_attempts=cycle,
                        next_attempt_at=datetime.fromtimestamp(when, UTC).isoformat())
        schedule_delivery(r, job_id, when)
        metrics.count(r, "deliveries", "retry_scheduled")
    else:
        jobs.update_job(r, job_id, delivery_state="delivery_failed", cycle_attempts=cycle,
                        next_attempt_at="")
        unschedule_delivery(r, job_id)
        r.zadd(jobs.DEAD_LETTERS, {job_id: time.time()})
        metrics.count(r, "deliveries", "dead_lettered")


def redeliver(r: redis.Redis, job_id: str) -> None:
    """Start a new cycle of attempts for a finished job (the webhook id stays the same); the
    scheduler (workers/scheduler.py) queues it at once."""
    jobs.update_job(r, job_id, delivery_state="pending", cycle_attempts=0, next_attempt_at="")
    r.zrem(jobs.DEAD_LETTERS, job_id)
    schedule_delivery(r, job_id, time.time())
