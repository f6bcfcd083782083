"""The intake relay: moves accepted jobs from the API's intake list onto the Celery queue.

The API stores a job and pushes its id on the intake list in one atomic step (store/jobs.py),
so accepting an article is a single Redis round trip and a job never exists without its queue
entry. A thread in every worker blocks on that list and queues each id's first stage. If a worker
dies between taking an id and queueing it, the watchdog (workers/scheduler.py) queues the job again.
"""

from __future__ import annotations

import logging
from typing import Any

import redis
from kombu.exceptions import OperationalError

from store.jobs import INTAKE, progressed
from workers.worker_thread import WorkerThread

BLOCK_SECONDS = 1
log = logging.getLogger(__name__)


class IntakeRelay(WorkerThread):
    """Worker bootstep: a thread that queues the first stage of every newly accepted job."""

    thread_name = "intake-relay"

    def _run(self, app: Any) -> None:
        from workers.pipeline import enqueue_enrichment
        from workers.resources import redis_for
        settings = app.conf["enrichment_settings"]
        r = redis_for(settings.redis_url, settings.redis_sentinel_master)
        while not self._stop.is_set():
            try:
                popped = r.brpop([INTAKE], timeout=BLOCK_SECONDS)
            except (redis.RedisError, OSError) as exc:
                log.warning("intake relay: %s; trying again", exc)
                self._stop.wait(1)
                continue
            if popped is None:
                continue
            job_id = popped[1].decode()
            try:
                enqueue_enrichment(app, job_id)
                progressed(r, job_id)  # queued now: the watchdog counts from here
            except (OperationalError, redis.RedisError, OSError) as exc:
                log.warning("intake relay: job %s not queued (%s); the watchdog will", job_id, exc)
                self._stop.wait(1)
