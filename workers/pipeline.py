"""The enrichment pipeline: prepare; then also-read beside background, which hands on to
implications (they draw on the archive sentences background chose); then assemble; then deliver.

Stages hand on to each other by queueing the next task themselves, and the join of the parallel
stages is a Redis set, not a Celery chord: a chord keeps its count in the result backend, and a
count lost while Redis restarts stalls the job for good. Here every hand-on can simply run again
(each stage skips work already stored), so a redelivered or re-queued task repairs the job.
"""

from __future__ import annotations

import redis
from celery import Celery

from store import jobs
from workers.broker import broker_call

STAGES = "workers.tasks."
DELIVER_TASK = "workers.delivery_tasks.deliver"
INDEX_TASK = "workers.index_tasks.index_articles"
# The stages between prepare and assemble: task name -> the name its output is stored under.
PARALLEL = {"also_read": "also_read", "background_facts": "background",
            "implications_and_key_points": "implications"}
# A stage that needs another's output is queued by it, not by fan_out.
FOLLOWS = {"background_facts": "implications_and_key_points"}


def send(celery: Celery, task: str, *args: object) -> None:
    """Queue a task; a failure to publish is a (transient) broker error, see workers/broker.py."""
    with broker_call(f"queue {task}"):
        celery.send_task(task, args=args)


def enqueue_enrichment(celery: Celery, job_id: str) -> None:
    """Queue the first stage of a stored job; the task carries only the job id."""
    send(celery, STAGES + "prepare", job_id)


def fan_out(celery: Celery, job_id: str) -> None:
    """Queue the stages that need only the prepared article."""
    for task in PARALLEL:
        if task not in FOLLOWS.values():
            send(celery, STAGES + task, job_id)


def hand_on(celery: Celery, task: str, job_id: str) -> None:
    """Queue the stage that follows `task`, if any (again when `task` runs again: it repairs)."""
    if task in FOLLOWS:
        send(celery, STAGES + FOLLOWS[task], job_id)


def join(celery: Celery, r: redis.Redis, job_id: str, stage: str, ttl: int) -> None:
    """Record that a parallel stage is done; queue assemble when all are.

    The last stage to finish queues assemble. A stage that runs again after all are done queues
    it again, which is what repairs a job whose assemble message was lost; assemble is idempotent.
    """
    key = jobs.job_key(job_id, "done")
    pipe = r.pipeline()
    pipe.sadd(key, stage)
    pipe.scard(key)
    pipe.expire(key, ttl)
    _, done, _ = pipe.execute()
    if done >= len(PARALLEL):
        send(celery, STAGES + "assemble", job_id)


def enqueue_indexing(celery: Celery, ids: list[str], batch: int = 32) -> int:
    """Queue staged archive articles for indexing in batches; return the number of tasks."""
    batches = [ids[i:i + batch] for i in range(0, len(ids), batch)]
    for chunk in batches:
        send(celery, INDEX_TASK, chunk)
    return len(batches)
