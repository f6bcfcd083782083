"""Enrichment stages as thin Celery tasks: load by job id, call the pure logic, store, return the id.

Each stage re-reads the job and skips work already done, so a stage that runs twice (a worker
killed after finishing but before acknowledging) changes nothing.
"""

from __future__ import annotations

import json
import time
from typing import Any

import redis
from celery import Task, shared_task

from workers import also_read as also_read_logic
from workers import archive_index, archive_search, background, implications, jobs, key_points, metrics
from workers.assemble import assemble as assemble_document
from workers.prepare import epoch, prepare_article
from workers.resources import redis_client, settings
from workers.scheduler import schedule_delivery

TRANSIENT = (redis.ConnectionError, redis.TimeoutError, redis.BusyLoadingError)


class StageTask(Task):
    """A pipeline stage: retries what is transient, records a final failure on the job."""

    autoretry_for = TRANSIENT
    retry_backoff = True
    retry_backoff_max = 30
    max_retries = 8
    acks_late = True
    reject_on_worker_lost = True

    def on_failure(self, exc: BaseException, task_id: str, args: tuple[Any, ...],
                   kwargs: dict[str, Any], einfo: Any) -> None:
        job_id = args[0] if args else kwargs.get("job_id")
        if job_id:
            fail_job(redis_client(), job_id, f"{self.name.rsplit('.', 1)[1]}: "
                                             f"{type(exc).__name__}: {exc}")


def fail_job(r: redis.Redis, job_id: str, error: str) -> None:
    """Mark the job failed (once) and queue the enrichment.failed callback."""
    job = jobs.get_job(r, job_id)
    if not job or job["status"] in jobs.TERMINAL:
        return
    jobs.update_job(r, job_id, status="failed", error=error[:2000], finished_at=jobs.now_iso())
    metrics.count(r, "jobs", "failed")
    if job.get("callback_url"):
        schedule_delivery(r, job_id, time.time())


def _stage(r: redis.Redis, job_id: str, name: str) -> bool:
    """True when the stage still has work to do (the job exists and its output is missing)."""
    job = jobs.get_job(r, job_id)
    return bool(job) and job["status"] not in jobs.TERMINAL and not jobs.has(r, job_id, "out", name)


def _store(r: redis.Redis, job_id: str, name: str, value: Any, started: float) -> str:
    ms = (time.perf_counter() - started) * 1000
    jobs.store_json(r, job_id, value, settings().job_ttl, "out", name)
    jobs.record_timing(r, job_id, name, ms)
    metrics.observe(r, f"stage_{name}", ms)
    return job_id


@shared_task(base=StageTask, bind=True)
def prepare(self: Task, job_id: str) -> str:
    """Clean the body into paragraphs and sentences; find entities and key terms."""
    r = redis_client()
    if not _stage(r, job_id, "prepare"):
        return job_id
    jobs.mark_running(r, job_id)
    started = time.perf_counter()
    article = jobs.load_json(r, job_id, "article")
    return _store(r, job_id, "prepare", prepare_article(article, settings().spacy_model), started)


@shared_task(base=StageTask, bind=True)
def also_read(self: Task, job_id: str) -> str:
    """Rank related earlier archive articles."""
    r = redis_client()
    if not _stage(r, job_id, "also_read"):
        return job_id
    started = time.perf_counter()
    article, prepared, limits = _inputs(r, job_id)
    as_of = epoch(article["published_at"])
    weights, docs = archive_search.related(r, prepared["features"], as_of, article.get("id"))
    links = also_read_logic.rank(prepared["features"], weights, docs, prepared, as_of,
                                 limits["also_read"])
    return _store(r, job_id, "also_read", links, started)


@shared_task(base=StageTask, bind=True)
def background_facts(self: Task, job_id: str) -> str:
    """Build a dated, cited timeline about the story's main entities."""
    r = redis_client()
    if not _stage(r, job_id, "background"):
        return job_id
    started = time.perf_counter()
    article, prepared, limits = _inputs(r, job_id)
    main = background.main_entities(prepared["entities"])
    weights, sources = archive_search.entity_sources(
        r, prepared["features"], [e["key"] for e in main], epoch(article["published_at"]),
        article.get("id"))
    items = background.timeline(main, sources, weights, limits["background"])
    return _store(r, job_id, "background", items, started)


@shared_task(base=StageTask, bind=True)
def implications_and_key_points(self: Task, job_id: str) -> str:
    """Find what the story means, by category, and its key points."""
    r = redis_client()
    if not _stage(r, job_id, "implications"):
        return job_id
    started = time.perf_counter()
    _, prepared, limits = _inputs(r, job_id)
    text, sentences = prepared["text"], prepared["sentences"]
    value = {
        "implications": implications.implications(text, sentences, limits["implications"]),
        "key_points": key_points.key_points(text, sentences, prepared["entities"], prepared["terms"]),
    }
    return _store(r, job_id, "implications", value, started)


@shared_task(base=StageTask, bind=True)
def assemble(self: Task, job_id: str) -> str:
    """Join the stages into the enriched document, validate it and finish the job."""
    r = redis_client()
    job = jobs.get_job(r, job_id)
    if not job or job["status"] in jobs.TERMINAL:
        return job_id
    stages = {}
    for name in ("also_read", "background", "implications"):
        if not jobs.has(r, job_id, "out", name):
            # The chord fired early (a stage ran twice): wait for the missing output.
            raise self.retry(countdown=1, max_retries=60)
        stages[name] = jobs.load_json(r, job_id, "out", name)
    started = time.perf_counter()
    article, prepared, _ = _inputs(r, job_id)
    timings = jobs.timings(job)
    document = assemble_document(job_id, article, prepared, stages, timings, archive_index.size(r))
    timings["assemble"] = round((time.perf_counter() - started) * 1000, 2)
    document["meta"]["timings_ms"] = timings
    jobs.store_json(r, job_id, document, settings().job_ttl, "result")
    jobs.record_timing(r, job_id, "assemble", timings["assemble"])
    jobs.update_job(r, job_id, status="succeeded", finished_at=jobs.now_iso())
    metrics.count(r, "jobs", "succeeded")
    metrics.observe(r, "stage_assemble", timings["assemble"])
    # The result holds everything the stages produced; their separate copies are no longer needed.
    r.delete(*(jobs.job_key(job_id, "out", name) for name in ("also_read", "background", "implications")))
    return job_id


def _inputs(r: redis.Redis, job_id: str) -> tuple[dict[str, Any], dict[str, Any], dict[str, int]]:
    job = jobs.get_job(r, job_id) or {}
    options = json.loads(job.get("options") or "{}")
    return (jobs.load_json(r, job_id, "article"), jobs.load_json(r, job_id, "out", "prepare"),
            options["limits"])
