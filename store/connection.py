"""Connections to Redis. The broker's Redis (jobs, queues, limits): one Redis, or the master that
Sentinel names (REDIS_URL "sentinel://h1:26379;sentinel://h2:26379", REDIS_SENTINEL_MASTER), found
again after a failover. The archive's store: one Redis, or a Redis Cluster (`ARCHIVE_CLUSTER=1`, or
an `ARCHIVE_REDIS_URL` of the form redis+cluster://host:port, any node of the cluster)."""

from __future__ import annotations

from typing import Any

import redis
from redis.cluster import RedisCluster
from redis.sentinel import Sentinel

from core.settings import sentinel_hosts


def redis_store(url: str, master: str, **options: Any) -> redis.Redis:
    """A client for the broker's Redis at `url`; with sentinels, one that asks them for the
    current master at each new connection (after a failover, the promoted replica)."""
    hosts = sentinel_hosts(url)
    if not hosts:
        return redis.Redis.from_url(url, **options)
    timeouts = {k: v for k, v in options.items() if k in {"socket_timeout", "socket_connect_timeout"}}
    return Sentinel(hosts, sentinel_kwargs=timeouts, **timeouts).master_for(master, **options)


def archive_store(url: str, cluster: bool, master: str = "mymaster", **options: Any) -> redis.Redis:
    """A client for the archive at `url`; with `cluster`, a RedisCluster that routes each key and
    each pipelined command to the node that holds it; at sentinels' URL, their master `master`."""
    if sentinel_hosts(url):
        return redis_store(url, master, **options)
    if cluster or url.startswith("redis+cluster://"):
        node_url = "redis://" + url.split("://", 1)[1]
        client: redis.Redis = RedisCluster.from_url(node_url, **options)  # type: ignore[assignment]
        return client
    return redis.Redis.from_url(url, **options)
