"""Archive indexing on its own queue, so a bulk import never starves fresh articles."""

from __future__ import annotations

import logging
import time
from typing import Any

import redis
from celery import Task, shared_task

from enrich.prepare import prepare_archive_docs
from store import archive_index, archive_staging, metrics
from workers.resources import archive_client, redis_client, settings

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
        qualified_ids = args[0] if args else kwargs.get("ids") or []
        archive = archive_client()
        for qualified in qualified_ids:
            if archive_staging.is_pending(archive, *archive_index.unqualify(qualified)):
                _failed(archive, qualified, f"{type(exc).__name__}: {exc}")


@shared_task(base=IndexTask)
def index_articles(ids: list[str]) -> int:
    """Index the staged articles with these qualified ids ("<archive>/<id>", one spaCy batch);
    return how many were indexed. If the batch fails, each article is tried alone, so one bad
    article fails alone."""
    archive = archive_client()
    gone = archive_index.retracted(archive, ids)
    staged = {q: a for q, a in archive_staging.load_pending(archive, ids).items() if q not in gone}
    try:
        docs = dict(zip(staged, prepare_archive_docs(list(staged.values()), settings().nlp_pipeline), strict=True))
    except TRANSIENT:
        raise
    except Exception:  # noqa: BLE001 - find the article at fault
        docs = {}
        for qualified, article in staged.items():
            try:
                docs[qualified] = prepare_archive_docs([article], settings().nlp_pipeline)[0]
            except TRANSIENT:
                raise
            except Exception as exc:  # noqa: BLE001 - recorded on the article, not lost in a log
                _failed(archive, qualified, f"{type(exc).__name__}: {exc}")
    by_archive: dict[str, list[str]] = {}
    for qualified in docs:
        by_archive.setdefault(archive_index.unqualify(qualified)[0], []).append(qualified)
    for name, qualified_ids in by_archive.items():
        archive_index.store_many(archive, name, [docs[q] for q in qualified_ids],
                                 [staged[q].get("version") or time.time() for q in qualified_ids])
    archive_staging.settled(archive, ids)  # indexed, failed alone, retracted or no longer staged
    if docs:
        metrics.count(redis_client(), "archive", "indexed", len(docs))
    return len(docs)


def _failed(archive: redis.Redis, qualified: str, error: str) -> None:
    log.warning("archive article %s could not be indexed: %s", qualified, error)
    archive_staging.mark_failed(archive, qualified, f"index: {error}")
    metrics.count(redis_client(), "archive", "index_failed")
