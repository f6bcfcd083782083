"""Operational counters and histograms kept in Redis, so every process (each Granian worker,
each Celery worker) adds to the same figures and `GET /metrics` reads them in one place."""

from __future__ import annotations

import time

import redis

from store.jobs import PREFIX

METRICS = PREFIX + "metrics:"
MS_BUCKETS = (5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000)


def count(r: redis.Redis | redis.client.Pipeline, name: str, label: str, by: int = 1) -> None:
    r.hincrby(METRICS + name, label, by)


def count_job(r: redis.Redis, outcome: str, now: float | None = None) -> None:
    """A job finished: the lifetime counter, and this minute's (the ops view's last hour), in one
    round trip."""
    minute = METRICS + f"jobs_minute:{int((now or time.time()) // 60)}"
    pipe = r.pipeline(transaction=False)
    count(pipe, "jobs", outcome)
    pipe.hincrby(minute, outcome, 1)
    pipe.expire(minute, 2 * 3600)
    pipe.execute()


def jobs_last_hour(r: redis.Redis, now: float | None = None) -> dict[str, int]:
    """Jobs finished in the last hour, by outcome: sixty small hashes in one round trip, however
    many jobs there were."""
    minute = int((now or time.time()) // 60)
    pipe = r.pipeline(transaction=False)
    for m in range(minute - 59, minute + 1):
        pipe.hgetall(METRICS + f"jobs_minute:{m}")
    out: dict[str, int] = {}
    for counts in pipe.execute():
        for outcome, n in counts.items():
            out[outcome.decode()] = out.get(outcome.decode(), 0) + int(n)
    return out


def observe(r: redis.Redis | redis.client.Pipeline, name: str, ms: float) -> None:
    """Add one observation (milliseconds) to a histogram."""
    observe_many(r, name, [ms])


def observe_many(r: redis.Redis | redis.client.Pipeline, name: str, values: list[float]) -> None:
    """Add many observations (milliseconds) to a histogram in a few commands: bucket counts added up first."""
    if not values:
        return
    buckets: dict[str, int] = {}
    for ms in values:
        bucket = next((str(b) for b in MS_BUCKETS if ms <= b), "+Inf")
        buckets[bucket] = buckets.get(bucket, 0) + 1
    key = METRICS + "hist:" + name
    for bucket, n in buckets.items():
        r.hincrby(key, bucket, n)
    r.hincrbyfloat(key, "sum", sum(values))
    r.hincrby(key, "count", len(values))


def read_counts(r: redis.Redis, name: str) -> dict[str, float]:
    return {k.decode(): float(v) for k, v in r.hgetall(METRICS + name).items()}


def read_histogram(r: redis.Redis, name: str) -> tuple[list[tuple[str, float]], float, float]:
    """Cumulative (le, count) buckets, the sum and the count of a histogram."""
    raw = {k.decode(): float(v) for k, v in r.hgetall(METRICS + "hist:" + name).items()}
    buckets, running = [], 0.0
    for bound in [*map(str, MS_BUCKETS), "+Inf"]:
        running += raw.get(bound, 0.0)
        buckets.append((bound, running))
    return buckets, raw.get("sum", 0.0), raw.get("count", 0.0)


def histograms(r: redis.Redis) -> list[str]:
    prefix = METRICS + "hist:"
    return sorted(k.decode()[len(prefix):] for k in r.scan_iter(match=prefix + "*", count=100))
