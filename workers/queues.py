"""What the broker's queues hold, read straight from Redis (kombu keeps each queue as a list)."""

from __future__ import annotations

import json

import redis

ENRICH, INDEX, DELIVER = "enrich", "index", "deliver"
QUEUES = (ENRICH, INDEX, DELIVER)


def oldest_enqueued_at(r: redis.Redis, queue: str) -> float | None:
    """When the oldest message still waiting in `queue` was queued (None if it is empty)."""
    # kombu pushes on the left and pops from the right: the oldest message is the last one.
    raw = r.lindex(queue, -1)
    if raw is None:
        return None
    enqueued = json.loads(raw).get("headers", {}).get("enqueued_at")
    return float(enqueued) if enqueued else None


def oldest_age(r: redis.Redis, queue: str, now: float) -> float | None:
    """Seconds the oldest waiting message of `queue` has waited."""
    enqueued = oldest_enqueued_at(r, queue)
    return None if enqueued is None else round(now - enqueued, 3)
