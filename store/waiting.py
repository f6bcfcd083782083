"""Slots for `Prefer: wait`: a request that waits for its result holds a server thread meanwhile,
so only MAX_WAITING requests across the API may wait at once. Past that the preference is not
applied (RFC 7240 lets a server ignore it): the answer is 202 at once, without Preference-Applied.

Slots live in a Redis sorted set scored by when each wait ends at the latest, so a slot whose
process died frees itself."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import redis

from store.jobs import PREFIX

WAITING = PREFIX + "waiting"  # zset: slot token -> the latest time its wait can end
GRACE_SECONDS = 5


@contextmanager
def slot(r: redis.Redis, seconds: int, limit: int | None) -> Iterator[bool]:
    """Yield True if this request may wait `seconds`; the slot is given back on the way out."""
    if limit is None:
        yield True
        return
    token, now = uuid.uuid4().hex, time.time()
    pipe = r.pipeline()
    pipe.zremrangebyscore(WAITING, "-inf", now)
    pipe.zadd(WAITING, {token: now + seconds + GRACE_SECONDS})
    pipe.zcard(WAITING)
    taken = pipe.execute()[2]
    try:
        yield taken <= limit
    finally:
        r.zrem(WAITING, token)
