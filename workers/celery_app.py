"""The Celery application: queues, routes and reliability settings, built from Settings."""

from __future__ import annotations

import time
from typing import Any

from celery import Celery
from celery.signals import before_task_publish, worker_process_init
from kombu import Queue

from core.settings import Settings
from store.queues import DELIVER, ENRICH, FINISH, INDEX, QUEUES

TASK_MODULES = ["workers.tasks", "workers.index_tasks", "workers.delivery_tasks"]


def create_celery(settings: Settings) -> Celery:
    """Build the Celery app; tasks are late-acked so a killed worker's task runs again.

    There is no result backend: job state lives in Redis under the job id (store/jobs.py),
    and the stages hand on to each other themselves (workers/pipeline.py).
    """
    app = Celery("enrichment", broker=settings.redis_url, include=TASK_MODULES)
    app.conf.update(
        task_serializer="json", result_serializer="json", accept_content=["json"],
        task_acks_late=True, task_reject_on_worker_lost=True, worker_prefetch_multiplier=1,
        task_queues=[Queue(q) for q in QUEUES], task_default_queue=ENRICH,
        task_routes={"workers.index_tasks.*": {"queue": INDEX},
                     "workers.delivery_tasks.*": {"queue": DELIVER},
                     "workers.tasks.prepare": {"queue": ENRICH},
                     "workers.tasks.*": {"queue": FINISH}},
        broker_transport_options={"visibility_timeout": settings.visibility_timeout,
                                  "queue_order_strategy": "priority",
                                  "unacked_restore_interval": min(10, settings.visibility_timeout),
                                  **({"master_name": settings.redis_sentinel_master} if settings.sentinels else {})},
        task_ignore_result=True,
        # Keep reconnecting however long the broker is away (Celery's default gives up after 100).
        broker_connection_retry_on_startup=True, broker_connection_max_retries=None,
        worker_send_task_events=True,  # for Flower; no task-sent events (a publish per POST)
        enrichment_settings=settings,
    )
    from workers.exit_guard import ExitGuard
    from workers.intake import IntakeRelay
    from workers.scheduler import DueWorkScheduler
    app.steps["worker"].add(IntakeRelay)
    app.steps["worker"].add(DueWorkScheduler)
    app.steps["worker"].add(ExitGuard)
    return app


@before_task_publish.connect
def _stamp_enqueue_time(headers: dict[str, Any] | None = None, **_: Any) -> None:
    """Record when a message entered its queue, so ops can see the age of the oldest one."""
    if headers is not None:
        headers.setdefault("enqueued_at", time.time())


@worker_process_init.connect
def _load_nlp(**_: Any) -> None:
    """Load the spaCy model as each worker process starts, not inside its first job."""
    from celery import current_app

    from enrich import nlp

    nlp.load(current_app.conf["enrichment_settings"].nlp_pipeline)
