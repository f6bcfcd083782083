"""Worker entry point: `celery -A workers.worker worker -Q deliver,finish,enrich,index`.

Logging is ours, not Celery's: JSON lines with the job id of the task being run (core/logs.py).
"""

from __future__ import annotations

import logging
from typing import Any

from celery.signals import setup_logging, task_postrun, task_prerun

from core import logs
from core.settings import Settings
from delivery.webhook import check_secrets
from workers.celery_app import create_celery

SETTINGS = Settings.from_env()  # Celery's CLI imports this module to find its app
LOG_LEVEL = SETTINGS.log_level
logs.configure("worker", LOG_LEVEL)  # before Celery's first line
for _misspelt in Settings.unknown():
    logging.getLogger(__name__).warning(_misspelt)
check_secrets(SETTINGS)  # a secret that cannot sign stops the worker here, not at every delivery
celery = create_celery(SETTINGS)


@setup_logging.connect
def _json_logs(loglevel: Any = None, **_: Any) -> None:
    """Celery would set up its own (plain text) logging; keep ours, at the --loglevel asked for."""
    logs.configure("worker", loglevel or LOG_LEVEL)


@task_prerun.connect
def _job_in_context(task: Any = None, args: Any = None, **_: Any) -> None:
    job_id = args[0] if args and isinstance(args[0], str) and args[0].startswith("enr_") else None
    task.request.job_token = logs.current_job.set(job_id)


@task_postrun.connect
def _job_out_of_context(task: Any = None, **_: Any) -> None:
    token = getattr(task.request, "job_token", None)
    if token is not None:
        logs.current_job.reset(token)
