"""Archive indexing on its own queue, so a bulk import never starves fresh articles."""

from __future__ import annotations

import logging
from typing import Any

import redis
from celery import Task, shared_task

from enrich.prepare import prepare_archive_docs
from store import archive_index, metrics
from workers.resources import redis_client, settings

TRANSIENT = (redis.ConnectionError, redis.TimeoutError, redis.BusyLoadingError)
log = logging.getLogger(__name__)


class IndexTask(Task):
    """Retries what is transient; an article that cannot be indexed keeps the reason (GET shows it)."""

    autoretry_for = TRANSIENT
    retry_backoff = True
    max_retries = 8
    acks_late = True
    reject_on_worker_lost = True

    def on_failure(self, exc: BaseException, task_id: str, args: tuple[Any, ...],
                   kwargs: dict[str, Any], einfo: Any) -> None:
        ids = args[0] if args else kwargs.get("ids") or []
        r = redis_client()
        for article_id in ids:
            if archive_index.is_pending(r, article_id):
                _failed(r, article_id, f"{type(exc).__name__}: {exc}")


@shared_task(base=IndexTask)
def index_articles(ids: list[str]) -> int:
    """Index the staged articles with these ids (one spaCy batch); return how many were indexed.

    If the batch fails, each article is tried alone, so one bad article fails alone."""
    r = redis_client()
    gone = set(archive_index.retracted_among(r, ids))
    staged = [a for a in archive_index.load_pending(r, ids) if a["id"] not in gone]
    try:
        docs = prepare_archive_docs(staged, settings().spacy_model)
    except TRANSIENT:
        raise
    except Exception:  # noqa: BLE001 - find the article at fault
        docs = []
        for article in staged:
            try:
                docs += prepare_archive_docs([article], settings().spacy_model)
            except TRANSIENT:
                raise
            except Exception as exc:  # noqa: BLE001 - recorded on the article, not lost in a log
                _failed(r, str(article.get("id")), f"{type(exc).__name__}: {exc}")
    for doc in docs:
        archive_index.store(r, doc)
    return len(docs)


def _failed(r: redis.Redis, article_id: str, error: str) -> None:
    log.warning("archive article %s could not be indexed: %s", article_id, error)
    archive_index.mark_failed(r, article_id, f"index: {error}")
    metrics.count(r, "archive", "index_failed")
