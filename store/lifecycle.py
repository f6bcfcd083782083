"""Moments in a job's life that more than one part reaches: a stage begins, the job fails."""

from __future__ import annotations

import time

import redis

from store import jobs, metrics
from store.due import schedule_delivery


def open_job(r: redis.Redis, job_id: str, stage: str) -> dict[str, str] | None:
    """The job while it exists and is not final (else None, and the watchdog forgets it); notes
    that `stage` has begun, so a job that stalls or fails later says where."""
    job = jobs.get_job(r, job_id)
    if not job or job["status"] in jobs.TERMINAL:
        jobs.finished(r, job_id)  # expired or final: nothing for the watchdog to watch
        return None
    jobs.update_job(r, job_id, stage=stage)
    jobs.progressed(r, job_id)  # a stage has begun: the watchdog leaves the job alone meanwhile
    return job


def fail_job(r: redis.Redis, job_id: str, stage: str, error: str) -> None:
    """Mark the job failed in `stage` (once) and queue its enrichment.failed callback.

    The job keeps `failed_stage` and an `error` that begins with the stage's name."""
    job = jobs.get_job(r, job_id)
    if not job or not jobs.finish(r, job_id, "failed", error=f"{stage}: {error}"[:2000],
                                  failed_stage=stage):
        return
    metrics.count_job(r, "failed")
    if job.get("callback_url"):
        schedule_delivery(r, job_id, time.time())
