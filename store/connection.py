"""Connections to the archive's store: one Redis, or a Redis Cluster (`ARCHIVE_CLUSTER=1`, or an
`ARCHIVE_REDIS_URL` of the form redis+cluster://host:port, any node of the cluster)."""

from __future__ import annotations

from typing import Any

import redis
from redis.cluster import RedisCluster


def archive_store(url: str, cluster: bool, **options: Any) -> redis.Redis:
    """A client for the archive at `url`; with `cluster`, a RedisCluster that routes each key and
    each pipelined command to the node that holds it."""
    if cluster or url.startswith("redis+cluster://"):
        node_url = "redis://" + url.split("://", 1)[1]
        client: redis.Redis = RedisCluster.from_url(node_url, **options)  # type: ignore[assignment]
        return client
    return redis.Redis.from_url(url, **options)
