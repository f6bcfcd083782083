"""The deliver task: one signed attempt per run, then done, rescheduled, or dead-lettered."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import redis
from celery import shared_task

from workers import delivery, jobs, metrics
from workers.resources import redis_client, settings
from workers.scheduler import LEASE_SECONDS, schedule_delivery
from workers.url_guard import CallbackRefused, CallbackUnresolvable, check_callback_url

FINAL_STATES = {"none", "delivered", "delivery_failed"}


@shared_task(autoretry_for=(redis.ConnectionError, redis.TimeoutError), retry_backoff=True,
             max_retries=8, acks_late=True, reject_on_worker_lost=True)
def deliver(job_id: str) -> str:
    """Try the job's callback once, unless it is already settled or another worker holds it."""
    r = redis_client()
    cfg = settings()
    lock = jobs.job_key(job_id, "delivering")
    if not r.set(lock, "1", nx=True, ex=int(cfg.callback_timeout + 30)):
        return job_id
    try:
        job = jobs.get_job(r, job_id)
        if not job or job["delivery_state"] in FINAL_STATES or job["status"] not in jobs.TERMINAL:
            r.zrem(jobs.DELIVERIES_DUE, job_id)
            return job_id
        schedule_delivery(r, job_id, time.time() + LEASE_SECONDS)
        _attempt(r, job, cfg)
    finally:
        r.delete(lock)
    return job_id


def _attempt(r: redis.Redis, job: dict[str, str], cfg: Any) -> None:
    job_id = job["id"]
    cycle = int(job.get("cycle_attempts") or 0) + 1
    refused = False
    try:
        # Checked again at each try: a name may resolve elsewhere since the job was posted.
        addresses = check_callback_url(job["callback_url"], cfg.callback_allow_http, cfg.callback_allow_hosts)
    except CallbackUnresolvable as exc:  # DNS down or the host gone for now: retried like a network error
        outcome = delivery.Outcome(None, f"unresolvable: {exc}", None, 0.0)
    except CallbackRefused as exc:
        outcome, refused = delivery.Outcome(None, f"refused: {exc}", None, 0.0), True
    else:
        body = delivery.payload(job_id, job["status"], _data(r, job))
        headers = delivery.signed_headers(cfg.secret_for(job["client"]), job["webhook_id"], body)
        outcome = delivery.send(job["callback_url"], body, headers, cfg.callback_timeout, addresses,
                                cfg.callback_ca_bundle)
    jobs.add_attempt(r, job_id, {"at": jobs.now_iso(), "status_code": outcome.status_code,
                                 "error": outcome.error, "duration_ms": round(outcome.duration_ms, 1)},
                     cfg.job_ttl)
    delay = None
    if not outcome.delivered and outcome.retryable and not refused:
        delay = delivery.next_delay(cfg.callback_retry_delays, cycle, outcome.retry_after)
    if outcome.delivered:
        jobs.update_job(r, job_id, delivery_state="delivered", cycle_attempts=cycle,
                        next_attempt_at="", delivered_at=jobs.now_iso())
        r.zrem(jobs.DELIVERIES_DUE, job_id)
        metrics.count(r, "deliveries", "delivered")
        created = datetime.fromisoformat(job["created_at"].replace("Z", "+00:00"))
        metrics.observe(r, "post_to_delivered", (datetime.now(UTC) - created).total_seconds() * 1000)
    elif delay is not None:
        when = time.time() + delay
        jobs.update_job(r, job_id, delivery_state="pending", cycle_attempts=cycle,
                        next_attempt_at=datetime.fromtimestamp(when, UTC).isoformat())
        schedule_delivery(r, job_id, when)
        metrics.count(r, "deliveries", "retry_scheduled")
    else:
        jobs.update_job(r, job_id, delivery_state="delivery_failed", cycle_attempts=cycle,
                        next_attempt_at="")
        r.zrem(jobs.DELIVERIES_DUE, job_id)
        r.zadd(jobs.DEAD_LETTERS, {job_id: time.time()})
        metrics.count(r, "deliveries", "dead_lettered")


def _data(r: redis.Redis, job: dict[str, str]) -> dict[str, Any]:
    if job["status"] == "succeeded":
        result: dict[str, Any] = jobs.load_json(r, job["id"], "result")
        return result
    return {"id": job["id"], "status": job["status"], "error": job.get("error", "")}


def redeliver(r: redis.Redis, job_id: str) -> None:
    """Start a new cycle of attempts for a finished job (the webhook id stays the same)."""
    jobs.update_job(r, job_id, delivery_state="pending", cycle_attempts=0, next_attempt_at="")
    r.zrem(jobs.DEAD_LETTERS, job_id)
    schedule_delivery(r, job_id, time.time())
