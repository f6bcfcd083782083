"""Due deliveries live in a Redis sorted set; a small loop in every worker enqueues them when due.

Long retry delays (hours) are not held as Celery countdowns, which a Redis broker would re-deliver
after its visibility timeout. A claimed entry is leased, not removed: if the enqueued delivery is
lost, the lease runs out and the entry is due again, so no callback is lost.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import redis
from celery import bootsteps

from workers.jobs import DELIVERIES_DUE

LEASE_SECONDS = 120.0
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


def schedule_delivery(r: redis.Redis, job_id: str, when: float) -> None:
    r.zadd(DELIVERIES_DUE, {job_id: when})


def claim_due(r: redis.Redis, now: float, limit: int = 100) -> list[str]:
    """Lease and return the ids whose delivery is due."""
    claim = r.register_script(CLAIM)
    due = r.zrangebyscore(DELIVERIES_DUE, "-inf", now, start=0, num=limit)
    return [job_id.decode() for job_id in due
            if claim(keys=[DELIVERIES_DUE], args=[job_id, now, now + LEASE_SECONDS])]


class DeliveryScheduler(bootsteps.StartStopStep):
    """Worker bootstep: a thread that sends due deliveries to the deliver queue."""

    requires = {"celery.worker.components:Pool"}

    def __init__(self, worker: Any, **kwargs: Any) -> None:
        super().__init__(worker, **kwargs)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, worker: Any) -> None:
        self._thread = threading.Thread(target=self._run, args=(worker.app,), daemon=True,
                                        name="delivery-scheduler")
        self._thread.start()

    def stop(self, worker: Any) -> None:
        self._stop.set()

    def _run(self, app: Any) -> None:
        from workers.delivery_tasks import deliver
        from workers.resources import redis_for
        r = redis_for(app.conf["enrichment_settings"].redis_url)
        while not self._stop.wait(POLL_SECONDS):
            try:
                for job_id in claim_due(r, time.time()):
                    deliver.apply_async(args=[job_id])
            except (redis.RedisError, OSError) as exc:
                log.warning("delivery scheduler: %s; trying again", exc)
                self._stop.wait(2)
