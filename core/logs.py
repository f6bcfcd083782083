"""Structured logs for every process: one JSON object per line, with the job id when there is one.

The API (service/wsgi.py, and Granian through service/log_config.json) and the Celery workers
(workers/worker.py) both log through `configure()`. The job id comes from `current_job`, set
around each request and each task, or else from an `enr_...` id in the message itself (Celery's
own "received" and "succeeded" lines, the relay and the watchdog).
"""

from __future__ import annotations

import json
import logging
import logging.config
import re
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from pythonjsonlogger.json import JsonFormatter

CONFIG = Path(__file__).resolve().parent.parent / "service" / "log_config.json"
JOB_ID = re.compile(r"\benr_[0-9a-f]{32}\b")
current_job: ContextVar[str | None] = ContextVar("current_job", default=None)


class Formatter(JsonFormatter):
    """JSON lines: time, level, logger, message, process role and pid, job id, and any extras."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("fmt", "{levelname}{name}{message}")
        kwargs.setdefault("style", "{")
        kwargs.setdefault("timestamp", "time")
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        super().__init__(*args, **kwargs)


class JobIdFilter(logging.Filter):
    """Adds `job_id` (or null) and the process role (`api`, `worker`) to every record."""

    def __init__(self, role: str = "api") -> None:
        super().__init__()
        self.role = role

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "job_id", None) is None:
            job_id = current_job.get()
            if job_id is None:
                data = getattr(record, "data", None)  # Celery's "received" line keeps args here
                found = JOB_ID.search(record.getMessage()) or (
                    JOB_ID.search(str(data.get("args"))) if isinstance(data, dict) else None)
                job_id = found.group(0) if found else None
            record.job_id = job_id
        record.role = self.role
        record.pid = record.process
        return True


def configure(role: str, level: str | int = "INFO") -> None:
    """Send every logger of this process to stderr as JSON lines (service/log_config.json)."""
    config = json.loads(CONFIG.read_text())
    config["filters"]["job"]["role"] = role
    config["root"]["level"] = level if isinstance(level, str) else logging.getLevelName(level)
    logging.config.dictConfig(config)
    logging.captureWarnings(True)  # warnings become JSON lines too
