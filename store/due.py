"""Work that is due later, kept in Redis sorted sets (id -> when it is due) and leased when claimed.

- Due deliveries: long retry delays (hours) are not held as Celery countdowns, which a Redis broker
  would re-deliver after its visibility timeout.
- Unfinished jobs (store/jobs.py UNFINISHED): scored by their last progress, for the watchdog.

A claimed entry is leased, not removed: if what was queued for it is lost, the lease runs out and
the entry is due again, so no job and no callback is lost. The loop that claims is
workers/scheduler.py.
"""

from __future__ import annotations

import redis

from store.jobs import DELIVERIES_DUE

LEASE_SECONDS = 120.0

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
    """The job's callback is due at `when` (epoch); `only_new` keeps an earlier schedule."""
    r.zadd(DELIVERIES_DUE, {job_id: when}, nx=only_new)


def unschedule_delivery(r: redis.Redis, job_id: str) -> None:
    r.zrem(DELIVERIES_DUE, job_id)


def claim_due(r: redis.Redis, key: str, due: float, lease_until: float, limit: int = 100) -> list[str]:
    """Lease (score := lease_until) and return the ids in `key` whose score is at most `due`."""
    claim = r.register_script(CLAIM)
    ids = r.zrangebyscore(key, "-inf", due, start=0, num=limit)
    return [job_id.decode() for job_id in ids
            if claim(keys=[key], args=[job_id, due, lease_until])]
