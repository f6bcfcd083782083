"""Per-process handles the tasks share: the settings and one Redis connection pool."""

from __future__ import annotations

from functools import lru_cache

import redis
from celery import current_app

from core.settings import Settings


def settings() -> Settings:
    value: Settings = current_app.conf["enrichment_settings"]
    return value


@lru_cache(maxsize=4)
def redis_for(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, health_check_interval=30, socket_timeout=10)


def redis_client() -> redis.Redis:
    return redis_for(settings().redis_url)
