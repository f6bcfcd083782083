"""The Celery application: queues, routes and reliability settings, built from Settings."""

from __future__ import annotations

import time
from typing import Any

from celery import Celery
from celery.signals import before_task_publish, worker_process_init
from kombu import Queue

from workers.settings import Settings

ENRICH, INDEX, DELIVER = "enrich", "index", "deliver"
QUEUES = (ENRICH, INDEX, DELIVER)
TASK_MODULES = ["workers.tasks", "workers.index_tasks", "workers.delivery_tasks"]


def create_celery(settings: Settings, results: bool = True) -> Celery:
    """Build the Celery app; tasks are late-acked so a killed worker's task runs again.

    Only workers need the result backend (the chord joining the parallel stages counts on it);
    a producer such as the API reads job state from Redis and passes `results=False`.
    """
    app = Celery("enrichment", broker=settings.redis_url,
                 backend=settings.redis_url if results else None, include=TASK_MODULES)
    app.conf.update(
        task_serializer="json", result_serializer="json", accept_content=["json"],
        task_acks_late=True, task_reject_on_worker_lost=True, worker_prefetch_multiplier=1,
        task_queues=[Queue(q) for q in QUEUES], task_default_queue=ENRICH,
        task_routes={"workers.index_tasks.*": {"queue": INDEX},
                     "workers.delivery_tasks.*": {"queue": DELIVER}},
        broker_transport_options={"visibility_timeout": settings.visibility_timeout,
                                  "unacked_restore_interval": min(10, settings.visibility_timeout)},
        result_backend_transport_options={"visibility_timeout": settings.visibility_timeout},
        result_expires=3600, broker_connection_retry_on_startup=True,
        worker_send_task_events=True, task_send_sent_event=True,
        enrichment_settings=settings,
    )
    from workers.scheduler import DeliveryScheduler
    app.steps["worker"].add(DeliveryScheduler)
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

    from workers import nlp

    nlp.load(current_app.conf["enrichment_settings"].spacy_model)
