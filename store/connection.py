"""Connections to Redis. The broker's Redis (jobs, queues, limits): one Redis, or the master that
Sentinel names (REDIS_URL "sentinel://h1:26379;sentinel://h2:26379", REDIS_SENTINEL_MASTER), found
again after a failover. The archive's store: one Redis, or a Redis Cluster (`ARCHIVE_CLUSTER=1`, or
an `ARCHIVE_REDIS_URL` of the form redis+cluster://host:port, any node of the cluster)."""

from __future__ import annotations

import logging
from typing import Any

import redis
from redis.cluster import RedisCluster
from redis.exceptions import RedisError
from redis.sentinel import Sentinel

from core.settings import sentinel_hosts

logger = logging.getLogger(__name__)
# An archive document's longest field (its compressed text) stays under this, so Redis keeps the
# document as a listpack rather than a hash table: 650 B an article less on gva_news (docs/benchmarks.md).
DOCUMENT_FIELD_BYTES = 16_384


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


def compact_documents(r: redis.Redis) -> bool:
    """Raise the archive Redis's hash-max-listpack-value to DOCUMENT_FIELD_BYTES (on every node of a
    cluster) if it is lower; documents written from then on are compact. A Redis that refuses
    CONFIG (some managed ones) still works, with larger documents: logged, and False."""
    try:
        current = r.config_get("hash-max-listpack-value").get("hash-max-listpack-value")
        if current is None or int(current) < DOCUMENT_FIELD_BYTES:
            r.config_set("hash-max-listpack-value", DOCUMENT_FIELD_BYTES)
        return True
    except RedisError as exc:
        logger.warning("could not set hash-max-listpack-value=%d on the archive's Redis (%s): archive "
                       "documents will take about a third more memory", DOCUMENT_FIELD_BYTES, exc)
        return False
