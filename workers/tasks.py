"""Enrichment stages as thin Celery tasks: load by job id, call the pure logic, store, return the id.

Each stage re-reads the job, skips work already stored and hands on to the next stage again, so a
stage that runs twice (a worker killed after finishing but before acknowledging, or a job the
watchdog queued again) changes nothing and loses nothing. The order is in workers/pipeline.py.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any

import redis
from celery import Task, shared_task
from kombu.exceptions import OperationalError

from enrich import also_read as also_read_logic
from enrich import background, controls, implications
from enrich.assemble import assemble as assemble_document
from enrich.prepare import epoch, prepare_article
from store import archive_index, archive_search, feedback, jobs, metrics
from store.due import LEASE_SECONDS, schedule_delivery
from store.lifecycle import fail_job, open_job
from workers import pipeline
from workers.resources import archive_client, redis_client, settings

log = logging.getLogger(__name__)

TRANSIENT = (redis.ConnectionError, redis.TimeoutError, redis.BusyLoadingError, OperationalError)


class StageTask(Task):
    """A pipeline stage: retries what is transient, records a final failure on the job.

    A stage that still fails from a transient cause (Redis or the broker gone for longer than
    the retries) leaves the job unfinished rather than failed: the watchdog queues it again.
    """

    autoretry_for = TRANSIENT
    retry_backoff = True
    retry_backoff_max = 30
    max_retries = 8
    acks_late = True
    reject_on_worker_lost = True

    def on_failure(self, exc: BaseException, task_id: str, args: tuple[Any, ...],
                   kwargs: dict[str, Any], einfo: Any) -> None:
        job_id = args[0] if args else kwargs.get("job_id")
        if not job_id:
            return
        if isinstance(exc, TRANSIENT):
            log.warning("job %s: %s gave up on %s; the watchdog will queue it again",
                        job_id, self.name, type(exc).__name__)
            return
        fail_job(redis_client(), job_id, self.stage, f"{type(exc).__name__}: {exc}")

    @property
    def stage(self) -> str:
        """The stage's name, as a failed job's error and `failed_stage` give it."""
        task = str(self.name).rsplit(".", 1)[1]
        return pipeline.PARALLEL.get(task, task)


def _store(r: redis.Redis, job_id: str, name: str, value: Any, started: float) -> None:
    ms = (time.perf_counter() - started) * 1000
    jobs.store_json(r, job_id, value, settings().job_ttl, "out", name)
    jobs.record_timing(r, job_id, name, ms)
    jobs.progressed(r, job_id)
    metrics.observe(r, f"stage_{name}", ms)


def _parallel_stage(task: Task, job_id: str, name: str,
                    compute: Callable[[redis.Redis, str], Any]) -> str:
    """Run one parallel stage unless its output is stored, then join the others."""
    r = redis_client()
    if open_job(r, job_id, name) is None:
        return job_id
    if not jobs.has(r, job_id, "out", name):
        started = time.perf_counter()
        _store(r, job_id, name, compute(r, job_id), started)
    pipeline.hand_on(task.app, str(task.name).rsplit(".", 1)[1], job_id)
    pipeline.join(task.app, r, job_id, name, settings().job_ttl)
    return job_id


@shared_task(base=StageTask, bind=True)
def prepare(self: Task, job_id: str) -> str:
    """Clean the body into paragraphs and sentences; find entities and key terms."""
    r = redis_client()
    job = open_job(r, job_id, "prepare")
    if job is None:
        return job_id
    if not jobs.has(r, job_id, "out", "prepare"):
        jobs.mark_running(r, job)
        started = time.perf_counter()
        article = jobs.load_json(r, job_id, "article")
        _store(r, job_id, "prepare", prepare_article(article, settings().nlp_pipeline), started)
    pipeline.fan_out(self.app, job_id)
    return job_id


def _archives(job: dict[str, str]) -> list[str]:
    """The archives this job's client may draw on: its own, then those shared with it."""
    return settings().readable_archives(job.get("client") or "default")


def _own(archives: list[str], article: dict[str, Any]) -> str | None:
    """The article's own qualified id in its client's archive: a copy there is never a source."""
    return archive_index.qualify(archives[0], article["id"]) if article.get("id") else None


def _public(items: list[dict[str, Any]], *path: str) -> list[dict[str, Any]]:
    """Turn each item's qualified archive id (at `path`) into the archive's name and its own id."""
    for item in items:
        holder = item
        for step in path:
            holder = holder[step]
        holder["archive"], holder["archive_id"] = archive_index.unqualify(holder["archive_id"])
    return items


def _also_read(r: redis.Redis, job_id: str) -> Any:
    job, article, prepared = _inputs(r, job_id)
    archives, options = _archives(job), _options(r, job, article)
    as_of = epoch(article["published_at"])
    archive = archive_client()
    weights, docs, copies = archive_search.related(archive, archives, prepared["features"], as_of,
                                                   _own(archives, article), prepared["title"])
    if options.get("keep"):
        docs.update(archive_search.link_docs(archive, archives, options["keep"]))
    links = also_read_logic.rank(prepared["features"], weights, docs, prepared, as_of,
                                 options["limits"]["also_read"], options)
    return {"links": _public(links), "versions": _public(also_read_logic.versions_of_article(copies))}


def _background(r: redis.Redis, job_id: str) -> Any:
    job, article, prepared = _inputs(r, job_id)
    archives, options = _archives(job), _options(r, job, article)
    main = background.main_entities(prepared["entities"])
    weights, sources, story = archive_search.story_sources(
        archive_client(), archives, prepared["features"], [e["key"] for e in main], epoch(article["published_at"]),
        _own(archives, article), prepared["title"], options["limits"]["background"])
    sources = {k: doc for k, doc in sources.items() if not controls.excluded(doc, options)}
    # The story's sentences, for implications (the stage this one queues) to read its consequences in.
    jobs.store_json(r, job_id, _public(background.story_sentences(sources, main, story)), settings().job_ttl, "out",
                    "story")
    return _public(background.timeline(main, sources, weights, options["limits"]["background"], options,
                                                story), "source")


def _implications(r: redis.Redis, job_id: str) -> Any:
    job, article, prepared = _inputs(r, job_id)
    chosen = jobs.load_json(r, job_id, "out", "background")  # stored: background queued this stage
    try:
        story = jobs.load_json(r, job_id, "out", "story")
    except LookupError:  # a job whose background ran before the story's sentences were stored
        story = []
    limits = json.loads(job.get("options") or "{}")["limits"]
    return implications.implications_and_key_points(prepared, chosen, limits["implications"], story,
                                                    article["published_at"])


@shared_task(base=StageTask, bind=True)
def also_read(self: Task, job_id: str) -> str:
    """Rank related earlier archive articles."""
    return _parallel_stage(self, job_id, "also_read", _also_read)


@shared_task(base=StageTask, bind=True)
def background_facts(self: Task, job_id: str) -> str:
    """Build a dated, cited timeline about the story's main entities."""
    return _parallel_stage(self, job_id, "background", _background)


@shared_task(base=StageTask, bind=True)
def implications_and_key_points(self: Task, job_id: str) -> str:
    """Find what the story means, by category, and its key points."""
    return _parallel_stage(self, job_id, "implications", _implications)


@shared_task(base=StageTask, bind=True)
def assemble(self: Task, job_id: str) -> str:
    """Join the stages into the enriched document, validate it, finish the job, queue delivery."""
    r = redis_client()
    job = jobs.get_job(r, job_id)
    if not job or job["status"] in jobs.TERMINAL:
        return job_id
    # One copy at a time (a re-run stage queues assemble again); if this one dies, the lock runs
    # out and the watchdog's re-queue reaches assemble again.
    if not r.set(jobs.job_key(job_id, "assembling"), self.request.id or "1", nx=True, ex=60):
        return job_id
    jobs.update_job(r, job_id, stage="assemble")
    stages = {name: jobs.load_json(r, job_id, "out", name) for name in pipeline.PARALLEL.values()}
    started = time.perf_counter()
    _, article, prepared = _inputs(r, job_id)
    timings = jobs.timings(job)
    document = assemble_document(job_id, article, prepared, stages, timings,
                                 archive_index.size(archive_client(), *_archives(job)))
    timings["assemble"] = round((time.perf_counter() - started) * 1000, 2)
    document["meta"]["timings_ms"] = timings
    jobs.store_json(r, job_id, document, settings().job_ttl, "result")
    jobs.record_timing(r, job_id, "assemble", timings["assemble"])
    if job.get("callback_url"):
        # Leased before the job is final: if this process dies next, or the deliver message below
        # is lost, the scheduler sends the callback when the lease runs out. (NX: a failure
        # callback already scheduled keeps its time.)
        schedule_delivery(r, job_id, time.time() + LEASE_SECONDS, only_new=True)
    if not jobs.finish(r, job_id, "succeeded"):
        return job_id  # failed meanwhile (a stage's final error): that outcome stands
    metrics.count_job(r, "succeeded")
    metrics.observe(r, "stage_assemble", timings["assemble"])
    # The result holds everything the stages produced; their separate copies are no longer needed.
    r.delete(*(jobs.job_key(job_id, "out", name) for name in (*pipeline.PARALLEL.values(), "story")))
    if job.get("callback_url"):
        pipeline.send(self.app, pipeline.DELIVER_TASK, job_id)
    return job_id


def _options(r: redis.Redis, job: dict[str, str], article: dict[str, Any]) -> dict[str, Any]:
    """The request's options (a job stored before editors' controls existed gets their defaults),
    with the editors' earlier verdicts on this article id: rejected ids excluded, accepted kept."""
    options = {**also_read_logic.DEFAULT_OPTIONS, **json.loads(job.get("options") or "{}")}
    if article.get("id"):
        accepted, rejected = feedback.verdicts(r, job.get("client") or "default", article["id"])
        exclude = options.get("exclude") or {}
        options["exclude"] = {**exclude, "ids": [*exclude.get("ids", []), *rejected]}
        options["keep"] = accepted
    return options


def _inputs(r: redis.Redis, job_id: str) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
    """The job, its article and the prepared analysis: each read once per stage."""
    job = jobs.get_job(r, job_id) or {}
    return job, jobs.load_json(r, job_id, "article"), jobs.load_json(r, job_id, "out", "prepare")
