"""The enrichment canvas: prepare, then three stages in parallel, then assemble, then deliver."""

from __future__ import annotations

from celery import Celery, chain, group

STAGES = "workers.tasks."
PARALLEL = ("also_read", "background_facts", "implications_and_key_points")


def enqueue_enrichment(celery: Celery, job_id: str, deliver: bool) -> None:
    """Queue the pipeline for a stored job; every task carries only the job id."""
    def step(name: str):  # type: ignore[no-untyped-def]
        return celery.signature(name, args=(job_id,), immutable=True)

    rest = [
        group(*(step(STAGES + name) for name in PARALLEL)),
        step(STAGES + "assemble"),
    ]
    if deliver:
        rest.append(step("workers.delivery_tasks.deliver"))
    # Only the first stage is sent from here; the worker that finishes it starts the rest, so the
    # chord (which needs a result backend) is built on the workers, never in the API.
    step(STAGES + "prepare").apply_async(link=chain(*rest))


def enqueue_indexing(celery: Celery, ids: list[str], batch: int = 32) -> int:
    """Queue staged archive articles for indexing in batches; return the number of tasks."""
    batches = [ids[i:i + batch] for i in range(0, len(ids), batch)]
    for chunk in batches:
        celery.send_task("workers.index_tasks.index_articles", args=(chunk,))
    return len(batches)
