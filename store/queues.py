"""What waits: the intake list of accepted jobs and the broker's queues (kombu keeps each as a list)."""

from __future__ import annotations

import json
from typing import Any

import redis

from store.jobs import INTAKE, UNFINISHED

DELIVER, FINISH, ENRICH, INDEX = "deliver", "finish", "enrich", "index"
# Workers take from the first non-empty queue in this order (kombu's "priority" order): callbacks of
# finished jobs, then the later stages of started ones, then new articles, then archive imports.
# Under a backlog an article started is finished before another is begun.
QUEUES = (DELIVER, FINISH, ENRICH, INDEX)
WORKER_QUEUES = ",".join(QUEUES)  # the -Q argument of every worker


def oldest_enqueued_at(r: redis.Redis, queue: str) -> float | None:
    """When the oldest message still waiting in `queue` was queued (None if it is empty)."""
    # kombu pushes on the left and pops from the right: the oldest message is the last one.
    raw = r.lindex(queue, -1)
    if raw is None:
        return None
    enqueued = json.loads(raw).get("headers", {}).get("enqueued_at")
    return float(enqueued) if enqueued else None


def oldest_accepted_at(r: redis.Redis) -> float | None:
    """When the oldest job still in the intake list was accepted (None if the list is empty)."""
    oldest = r.lindex(INTAKE, -1)
    return None if oldest is None else r.zscore(UNFINISHED, oldest)


def state(r: redis.Redis, now: float) -> dict[str, dict[str, Any]]:
    """Depth and oldest entry's age (seconds) of the intake list and of each Celery queue."""
    def age(since: float | None) -> float | None:
        return None if since is None else round(now - since, 3)

    waiting = {"intake": {"depth": int(r.llen(INTAKE)), "oldest_age_s": age(oldest_accepted_at(r))}}
    for queue in QUEUES:
        waiting[queue] = {"depth": int(r.llen(queue)), "oldest_age_s": age(oldest_enqueued_at(r, queue))}
    return waiting
