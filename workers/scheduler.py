"""Work that is due later lives in Redis sorted sets; a small loop in every worker queues it.

- Due deliveries: long retry delays (hours) are not held as Celery countdowns, which a Redis broker
  would re-deliver after its visibility timeout.
- The watchdog: a job that has made no progress for JOB_STALL_SECONDS (its message lost with a
  Redis that restarted without it, say) is queued again from its first stage; every stage skips
  work already stored, so this repeats nothing that was done.

A claimed entry is leased, not removed: if what was queued is lost, the lease runs out and the
entry is due again, so no job and no callback is lost.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import redis

from workers.jobs import DELIVERIES_DUE, UNFINISHED, finished, job_key
from workers.pipeline import enqueue_enrichment, send
from workers.queues import ENRICH, FINISH, oldest_accepted_at, oldest_enqueued_at
from workers.worker_thread import WorkerThread

LEASE_SECONDS = 120.0
MAX_REQUEUES = 3
POLL_SECONDS = 0.25
log = logging.getLogger(__name__)

# Claim an entry only if it is still due, pushing it one lease into the future.
CLAIM = """
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if score and tonumber(score) <= tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
  return 1
end
return 0
"""


def schedule_delivery(r: redis.Redis, job_id: str, when: float, only_new: bool = False) -> None:
    r.zadd(DELIVERIES_DUE, {job_id: when}, nx=only_new)


def claim_due(r: redis.Redis, key: str, due: float, lease_until: float, limit: int = 100) -> list[str]:
    """Lease (score := lease_until) and return the ids in `key` whose score is at most `due`."""
    claim = r.register_script(CLAIM)
    ids = r.zrangebyscore(key, "-inf", due, start=0, num=limit)
    return [job_id.decode() for job_id in ids
            if claim(keys=[key], args=[job_id, due, lease_until])]


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
    from workers.tasks import fail_job  # (tasks imports this module)

    if not r.exists(job_key(job_id)):
        finished(r, job_id)
        return
    requeues = r.hincrby(job_key(job_id), "requeues", 1)
    if requeues > MAX_REQUEUES:
        fail_job(r, job_id, f"made no progress after {MAX_REQUEUES} re-queues by the watchdog")
        return
    log.warning("job %s made no progress for %ss: queued again (%d of %d)",
                job_id, stall_seconds, requeues, MAX_REQUEUES)
    enqueue_enrichment(app, job_id)


class DueWorkScheduler(WorkerThread):
    """Worker bootstep: a thread that queues due deliveries and re-queues stalled jobs."""

    thread_name = "due-work-scheduler"

    def _run(self, app: Any) -> None:
        from workers.resources import redis_for
        settings = app.conf["enrichment_settings"]
        r = redis_for(settings.redis_url)
        while not self._stop.wait(POLL_SECONDS):
            now = time.time()
            try:
                for job_id in claim_due(r, DELIVERIES_DUE, now, now + LEASE_SECONDS):
                    send(app, "workers.delivery_tasks.deliver", job_id)
                for job_id in claim_due(r, UNFINISHED, _stalled_before(r, now, settings), now):
                    _requeue(app, r, job_id, settings.job_stall_seconds)
            except Exception as exc:  # Redis or the broker away, or anything else: the loop lives on
                log.warning("scheduler: %s: %s; trying again", type(exc).__name__, exc)
                self._stop.wait(2)
