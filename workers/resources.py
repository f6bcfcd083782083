"""Per-process handles the tasks share: the settings and one Redis connection pool."""

from __future__ import annotations

from functools import lru_cache

import redis
from celery import current_app

from core.settings import DEFAULT_SENTINEL_MASTER, Settings
from store.connection import archive_store, compact_documents, redis_store


def settings() -> Settings:
    value: Settings = current_app.conf["enrichment_settings"]
    return value


@lru_cache(maxsize=4)
def redis_for(url: str, master: str = DEFAULT_SENTINEL_MASTER) -> redis.Redis:
    return redis_store(url, master, health_check_interval=30, socket_timeout=10)


def redis_client() -> redis.Redis:
    return redis_for(settings().redis_url, settings().redis_sentinel_master)


@lru_cache(maxsize=4)
def _archive_for(url: str, cluster: bool, master: str) -> redis.Redis:
    """The archive's client of this process; the documents it writes are kept compact."""
    client = archive_store(url, cluster, master, health_check_interval=30, socket_timeout=10)
    compact_documents(client)
    return client


def archive_client() -> redis.Redis:
    """The archive's store (ARCHIVE_REDIS_URL): the broker's Redis unless it is set apart."""
    return _archive_for(settings().archive_url, settings().archive_cluster, settings().redis_sentinel_master)
