"""Ops: liveness, readiness, and the queues' health at a glance."""

from __future__ import annotations

import time
from typing import Any

import redis
from flask import current_app, g
from flask_smorest import Blueprint, abort

from schemas.errors import ErrorSchema
from schemas.ops import HealthSchema, QueuesSchema, ReadySchema, ReplaySchema
from store import jobs, metrics
from store.deliveries import redeliver
from store.queues import state as queues_state
from workers.broker import broker_call

blp = Blueprint("ops", __name__, description="Health and queue state for operators.")


@blp.route("/healthz", methods=["GET"])
@blp.response(200, HealthSchema)
@blp.doc(security=[])
def healthz() -> dict[str, str]:
    """The process is up"""
    return {"status": "ok"}


@blp.route("/readyz", methods=["GET"])
@blp.response(200, ReadySchema)
@blp.alt_response(503, schema=ErrorSchema, description="Redis does not answer.")
@blp.doc(security=[])
def readyz() -> dict[str, Any]:
    """This API instance can take requests: Redis answers (else 503, in the error shape)

    Workers are not asked: an API instance without workers still accepts and queues articles (the
    queues buffer them), so a load balancer keeps it. Missing workers show in /v1/ops/queues, in
    /metrics (enrichment_workers) and in the EnrichmentNoWorker alert."""
    r = current_app.extensions["redis"]
    try:
        r.ping()
    except redis.RedisError as exc:
        abort(503, message=f"Not ready: Redis does not answer ({exc}).",
              errors={"redis": [str(exc)]}, headers={"Retry-After": "5"})
    return {"status": "ready", "redis": "ok"}


def _jobs_last_hour(r: redis.Redis, now: float) -> dict[str, int]:
    """Accepted in the last hour (one ZCOUNT), and finished by outcome (store.metrics.jobs_last_hour)."""
    accepted = int(r.zcount(jobs.RECENT_JOBS, now - 3600, "+inf"))
    return {**({"accepted": accepted} if accepted else {}), **metrics.jobs_last_hour(r, now)}


@blp.route("/v1/ops/queues", methods=["GET"])
@blp.response(200, QueuesSchema)
def queues() -> dict[str, Any]:
    """Queue depth and oldest message age, workers, jobs of the last hour, dead letters (ops key)

    Needs an ops key (OPS_KEYS): a client's key answers 403."""
    r = current_app.extensions["redis"]
    now = time.time()
    inspect = current_app.extensions["celery"].control.inspect(timeout=1.0)
    with broker_call("ask the workers for their tasks"):
        active, reserved = inspect.active() or {}, inspect.reserved() or {}
    return {
        "queues": queues_state(r, now),
        "workers": [{"name": name, "active": len(active.get(name, [])),
                     "reserved": len(reserved.get(name, []))}
                    for name in sorted(set(active) | set(reserved))],
        "jobs_last_hour": _jobs_last_hour(r, now),
        "deliveries_due": int(r.zcard(jobs.DELIVERIES_DUE)),
        "dead_letters": int(r.zcard(jobs.DEAD_LETTERS)),
    }


@blp.route("/v1/ops/dead-letters/replay", methods=["POST"])
@blp.response(202, ReplaySchema)
def replay_dead_letters() -> dict[str, Any]:
    """Redeliver every dead-lettered callback of the calling client"""
    r = current_app.extensions["redis"]
    replayed = []
    for raw in r.zrange(jobs.DEAD_LETTERS, 0, -1):
        job_id = raw.decode()
        job = jobs.get_job(r, job_id)
        if job and job["client"] == g.client:
            redeliver(r, job_id)
            replayed.append(job_id)
    if not replayed:
        abort(404, message="No dead-lettered callbacks for this API key.")
    return {"replayed": replayed}
