"""The deliver task: one signed attempt per run, then done, rescheduled, or dead-lettered."""

from __future__ import annotations

import json
import time
from typing import Any

import redis
from celery import shared_task

from delivery import webhook
from delivery.url_guard import CallbackRefused, CallbackUnresolvable, check_callback_url
from schemas import ninjs
from store import deliveries, jobs
from store.due import LEASE_SECONDS, schedule_delivery, unschedule_delivery
from workers.resources import redis_client, settings


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
        if deliveries.is_settled(job):
            unschedule_delivery(r, job_id)
            return job_id
        assert job is not None
        schedule_delivery(r, job_id, time.time() + LEASE_SECONDS)  # leased while we try
        _attempt(r, job, cfg)
    finally:
        r.delete(lock)
    return job_id


def _data(r: redis.Redis, job: dict[str, str]) -> dict[str, Any]:
    """The callback's data: the enriched document, or as ninjs when the request asked for it."""
    data = deliveries.data(r, job)
    options = json.loads(job.get("options") or "{}")
    if job["status"] == "succeeded" and options.get("callback_format") == "ninjs":
        return ninjs.to_ninjs(data, options.get("ninjs_version", ninjs.DEFAULT_VERSION))
    return data


def _attempt(r: redis.Redis, job: dict[str, str], cfg: Any) -> None:
    refused = False
    try:
        # Checked again at each try: a name may resolve elsewhere since the job was posted.
        addresses = check_callback_url(job["callback_url"], cfg.callback_allow_http, cfg.callback_allow_hosts)
    except CallbackUnresolvable as exc:  # DNS down or the host gone for now: retried like a network error
        outcome = webhook.Outcome(None, f"unresolvable: {exc}", None, 0.0)
    except CallbackRefused as exc:
        outcome, refused = webhook.Outcome(None, f"refused: {exc}", None, 0.0), True
    else:
        body = webhook.payload(job["id"], job["status"], _data(r, job))
        headers = webhook.signed_headers(cfg.secret_for(job["client"]), job["webhook_id"], body)
        outcome = webhook.send(job["callback_url"], body, headers, cfg.callback_timeout, addresses,
                               cfg.callback_ca_bundle)
    retry_in = None
    if not outcome.delivered and outcome.retryable and not refused:
        cycle = int(job.get("cycle_attempts") or 0) + 1
        retry_in = webhook.next_delay(cfg.callback_retry_delays, cycle, outcome.retry_after)
    deliveries.record_attempt(r, job, status_code=outcome.status_code, error=outcome.error,
                              duration_ms=outcome.duration_ms, delivered=outcome.delivered,
                              retry_in=retry_in, ttl=cfg.job_ttl)
