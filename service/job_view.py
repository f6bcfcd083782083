"""The public view of a job record."""

from __future__ import annotations

from typing import Any

import redis
from flask import url_for

from store import jobs


def job_view(r: redis.Redis, job: dict[str, str]) -> dict[str, Any]:
    job_id = job["id"]
    callback = None
    if job.get("callback_url"):
        callback = {
            "url": job["callback_url"],
            "state": job.get("delivery_state", "pending"),
            "webhook_id": job["webhook_id"],
            "attempts": jobs.attempts(r, job_id),
            "next_attempt_at": job.get("next_attempt_at") or None,
        }
    return {
        "id": job_id,
        "status": job["status"],
        "created_at": job["created_at"],
        "started_at": job.get("started_at"),
        "finished_at": job.get("finished_at"),
        "error": job.get("error") or None,
        "failed_stage": job.get("failed_stage") or None,
        "timings_ms": jobs.timings(job),
        "callback": callback,
        "result": jobs.load_json(r, job_id, "result") if job["status"] == "succeeded" else None,
        "links": {"self": url_for("enrichments.get", job_id=job_id)},
    }
