"""One JSON access-log line per request, and the job id in context for every line logged meanwhile."""

from __future__ import annotations

import logging
import time

from flask import Flask, Response, g, request

from core import logs

log = logging.getLogger("service.access")


def _enter() -> None:
    g.job_token = logs.current_job.set((request.view_args or {}).get("job_id"))


def _record(response: Response) -> Response:
    if log.isEnabledFor(logging.INFO):
        started = g.get("started")
        log.info("%s %s %s", request.method, request.path, response.status_code, extra={
            "method": request.method, "path": request.path, "status": response.status_code,
            "route": request.url_rule.rule if request.url_rule else None, "client": g.get("client"),
            "duration_ms": round((time.perf_counter() - started) * 1000, 2) if started else None,
            "remote_addr": request.remote_addr})
    return response


def _leave(_: BaseException | None) -> None:
    token = g.pop("job_token", None)
    if token is not None:
        logs.current_job.reset(token)


def init_app(app: Flask) -> None:
    app.before_request(_enter)
    app.after_request(_record)
    app.teardown_request(_leave)
