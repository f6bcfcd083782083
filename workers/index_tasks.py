"""Archive indexing on its own queue, so a bulk import never starves fresh articles."""

from __future__ import annotations

import redis
from celery import shared_task

from enrich.prepare import prepare_archive_docs
from store import archive_index
from workers.resources import redis_client, settings


@shared_task(autoretry_for=(redis.ConnectionError, redis.TimeoutError), retry_backoff=True,
             max_retries=8, acks_late=True, reject_on_worker_lost=True)
def index_articles(ids: list[str]) -> int:
    """Index the staged articles with these ids (one spaCy batch); return how many were indexed."""
    r = redis_client()
    staged = [a for a in archive_index.load_pending(r, ids)
              if not archive_index.is_retracted(r, a["id"])]
    for doc in prepare_archive_docs(staged, settings().spacy_model):
        archive_index.store(r, doc)
    return len(staged)
