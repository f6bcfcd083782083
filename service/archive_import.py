"""Archive import, one code for the API and the CLI: validate each record, refuse retracted ids,
stage the articles in Redis and queue them for the workers to index."""

from __future__ import annotations

from datetime import UTC
from typing import Any

import redis
from celery import Celery

from schemas import ninjs
from schemas.article import ArchiveArticleSchema, RetractionSchema
from store import archive_index, archive_staging
from workers.pipeline import enqueue_indexing

SCHEMA = ArchiveArticleSchema()
RETRACTION = RetractionSchema()


def is_retraction(record: Any) -> bool:
    """A record of the export's retractions ({"id": ..., "retracted": true}) rather than an article."""
    return isinstance(record, dict) and "retracted" in record


def load_retraction(record: Any) -> str:
    """The id a retraction record retracts; marshmallow.ValidationError if it is malformed."""
    return str(RETRACTION.load(record)["id"])


def retract(r: redis.Redis, archive: str, ids: list[str]) -> None:
    """Retract these ids in this archive (whether or not it holds them): never imported, linked or cited."""
    for article_id in ids:
        archive_index.delete(r, archive, article_id)


def load_article(record: Any) -> dict[str, Any]:
    """The record as a stored archive article (publication date in UTC, ISO 8601).

    Raises marshmallow.ValidationError with what to fix. A date without a zone is taken as UTC.
    A record with a `uri` is a ninjs item: its uri is the id (schemas/ninjs.py)."""
    if ninjs.looks_like_ninjs(record):
        record = ninjs.article_from_ninjs(record)
    article: dict[str, Any] = SCHEMA.load(record)
    published = article["published_at"]
    if published.tzinfo is None:
        published = published.replace(tzinfo=UTC)
    return {**article, "published_at": published.astimezone(UTC).isoformat()}


def retracted(r: redis.Redis, archive: str, articles: list[dict[str, Any]]) -> list[str]:
    """The ids among these that were retracted from this archive: they may never be imported again."""
    return archive_index.retracted_among(r, archive, [a["id"] for a in articles])


def queue(r: redis.Redis, celery: Celery, archive: str, articles: list[dict[str, Any]]) -> list[str]:
    """Stage loaded, not retracted articles in this archive and queue them for indexing; return
    their ids."""
    if articles:
        archive_staging.stage_pending(r, archive, articles)
        enqueue_indexing(celery, [archive_index.qualify(archive, a["id"]) for a in articles])
    return [a["id"] for a in articles]
