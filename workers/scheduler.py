"""The due-work loop in every worker: queues due deliveries, re-queues stalled jobs, queues again
staged archive articles whose index message was lost, and prunes dead letters whose jobs expired.

The due entries live in Redis (store/due.py). The watchdog: a job that has made no progress for
JOB_STALL_SECONDS (its message lost with a Redis that restarted without it, say) is queued again
from its first stage; every stage skips work already stored, so this repeats nothing done.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import redis
from kombu.exceptions import OperationalError

from store import archive_staging, metrics
from store.due import LEASE_SECONDS, claim_due
from store.jobs import DEAD_LETTERS, DELIVERIES_DUE, UNFINISHED, finished, get_job, job_key
from store.lifecycle import fail_job
from store.queues import ENRICH, FINISH, INDEX, oldest_accepted_at, oldest_enqueued_at
from workers.pipeline import DELIVER_TASK, enqueue_enrichment, enqueue_indexing, send
from workers.worker_thread import WorkerThread

MAX_REQUEUES = 3
POLL_SECONDS = 0.25
PRUNE_SECONDS = 10  # how often dead letters are pruned and lost index messages looked for
INDEX_STALL_SECONDS = 600  # a staged article waiting this long, behind no older index message, is lost
log = logging.getLogger(__name__)


def _stalled_before(r: redis.Redis, now: float, settings: Any) -> float:
    """Jobs with no progress since this time are stalled.

    A job waiting behind a backlog is not stalled: its entry is still in the intake list or its
    message in a queue, and each is first in, first out. So only a job whose last progress is
    older than the oldest waiting entry can have lost its message.
    """
    cutoff = now - settings.job_stall_seconds
    waiting = (oldest_enqueued_at(r, ENRICH), oldest_enqueued_at(r, FINISH), oldest_accepted_at(r))
    for oldest in waiting:
        if oldest is not None:
            cutoff = min(cutoff, oldest - 1.0)
    return cutoff


def _requeue(app: Any, r: redis.Redis, job_id: str, stall_seconds: int) -> None:
    """Queue a stalled job again from its first stage; fail it once it has stalled too often
    (a job that fails the same transient way every time must not loop until its TTL)."""
    job = get_job(r, job_id)
    if not job:
        finished(r, job_id)
        return
    requeues = r.hincrby(job_key(job_id), "requeues", 1)
    if requeues > MAX_REQUEUES:
        stage = job.get("stage") or "queued"
        fail_job(r, job_id, stage, f"made no progress after {MAX_REQUEUES} re-queues by the watchdog")
        return
    log.warning("job %s made no progress for %ss: queued again (%d of %d)",
                job_id, stall_seconds, requeues, MAX_REQUEUES)
    enqueue_enrichment(app, job_id)


def requeue_lost_index_messages(app: Any, r: redis.Redis, archive: redis.Redis, now: float) -> int:
    """Queue again the staged articles whose index message was lost (a Redis restarted without it):
    staged INDEX_STALL_SECONDS ago and older than every index message still waiting."""
    before = now - INDEX_STALL_SECONDS
    oldest = oldest_enqueued_at(r, INDEX)
    if oldest is not None:
        before = min(before, oldest - 1.0)
    lost = archive_staging.claim_lost(archive, before, now)
    if lost:
        log.warning("%d staged archive articles had no index message: queued again", len(lost))
        enqueue_indexing(app, lost)
        metrics.count(r, "archive", "requeued", len(lost))
    return len(lost)


class DueWorkScheduler(WorkerThread):
    """Worker bootstep: a thread that queues due deliveries and re-queues stalled jobs."""

    thread_name = "due-work-scheduler"

    def _run(self, app: Any) -> None:
        from store.connection import archive_store
        from workers.resources import redis_for
        settings = app.conf["enrichment_settings"]
        r = redis_for(settings.redis_url, settings.redis_sentinel_master)
        archive = archive_store(settings.archive_url, settings.archive_cluster, settings.redis_sentinel_master)
        pruned_at = 0.0
        while not self._stop.wait(POLL_SECONDS):
            now = time.time()
            try:
                for job_id in claim_due(r, DELIVERIES_DUE, now, now + LEASE_SECONDS):
                    send(app, DELIVER_TASK, job_id)
                for job_id in claim_due(r, UNFINISHED, _stalled_before(r, now, settings), now):
                    _requeue(app, r, job_id, settings.job_stall_seconds)
                if now - pruned_at > PRUNE_SECONDS:
                    # A dead letter outlives its job by nothing: the job (and what a replay needs) expired.
                    r.zremrangebyscore(DEAD_LETTERS, "-inf", now - settings.job_ttl)
                    requeue_lost_index_messages(app, r, archive, now)
                    pruned_at = now
            except (redis.RedisError, OperationalError, OSError) as exc:  # Redis or the broker away: transient
                log.warning("scheduler: %s: %s; trying again", type(exc).__name__, exc)
                self._stop.wait(2)
            except Exception:  # a bug: said loudly, with its traceback; the loop lives on
                log.exception("scheduler: unexpected error; trying again")
                self._stop.wait(2)
