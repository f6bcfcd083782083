"""`GET /metrics` in Prometheus text format, read from the figures every process keeps in Redis."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import Counter
from collections.abc import Iterator

import redis
from flask import Flask, Response, current_app, g, request
from flask_smorest import Blueprint
from kombu.exceptions import OperationalError
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily

from store import archive_index, jobs, metrics
from store.queues import state as queues_state
from workers.broker import broker_call

blp = Blueprint("metrics", __name__, description="Prometheus metrics.")
# Store failures this process answered, by kind (service/api.py): counted in the process, since a
# Redis that fails cannot count them.
STORE_ERRORS: dict[str, int] = {"unavailable": 0, "out_of_memory": 0, "error": 0, "rate_limit_failed_open": 0}


def count_store_error(kind: str) -> None:
    STORE_ERRORS[kind] = STORE_ERRORS.get(kind, 0) + 1


class RedisCollector:
    """Turn the Redis-held counters, histograms and queue state into Prometheus families."""

    def __init__(self, r: redis.Redis, archive: redis.Redis) -> None:
        self.r, self.archive = r, archive

    def workers(self) -> int:
        try:
            with broker_call("ping the workers"):
                return len(current_app.extensions["celery"].control.ping(timeout=0.5) or [])
        except (OperationalError, redis.RedisError):  # a full Redis refuses the ping's reply queue: count none
            return 0

    def collect(self) -> Iterator[object]:
        r = self.r
        requests = CounterMetricFamily("enrichment_http_requests", "HTTP requests",
                                       labels=["method", "route", "status"])
        for label, value in metrics.read_counts(r, "http").items():
            requests.add_metric(label.split(" ", 2), value)
        yield requests
        errors = CounterMetricFamily("enrichment_store_errors", "Requests failed by the store, by kind "
                                     "(this API process)", labels=["kind"])
        for kind, value in STORE_ERRORS.items():
            errors.add_metric([kind], value)
        yield errors
        for name, help_text, label in (("jobs", "Jobs finished, by outcome", "outcome"),
                                       ("deliveries", "Callback attempts, by result", "result"),
                                       ("archive", "Archive articles indexed or failed", "event")):
            family = CounterMetricFamily(f"enrichment_{name}", help_text, labels=[label])
            for key, value in metrics.read_counts(r, name).items():
                family.add_metric([key], value)
            yield family
        for name in metrics.histograms(r):
            buckets, total, _ = metrics.read_histogram(r, name)
            family = HistogramMetricFamily(f"enrichment_{name}_ms", f"{name} in milliseconds")
            family.add_metric([], buckets, sum_value=total)
            yield family
        now = time.time()
        depth = GaugeMetricFamily("enrichment_queue_depth", "Messages waiting", labels=["queue"])
        age = GaugeMetricFamily("enrichment_queue_oldest_age_seconds", "Age of the oldest message",
                                labels=["queue"])
        for queue, waiting in queues_state(r, now).items():
            depth.add_metric([queue], waiting["depth"])
            age.add_metric([queue], waiting["oldest_age_s"] or 0.0)
        yield depth
        yield age
        yield GaugeMetricFamily("enrichment_dead_letters", "Callbacks given up on",
                                value=r.zcard(jobs.DEAD_LETTERS))
        yield GaugeMetricFamily("enrichment_deliveries_due", "Callbacks waiting for a retry",
                                value=r.zcard(jobs.DELIVERIES_DUE))
        yield GaugeMetricFamily("enrichment_workers", "Workers that answered a ping within half a second",
                                value=self.workers())
        articles = GaugeMetricFamily("enrichment_archive_articles", "Indexed archive articles",
                                     labels=["archive"])
        for archive in archive_index.names(self.archive):
            articles.add_metric([archive], archive_index.size(self.archive, archive))
        yield articles


@blp.route("/metrics", methods=["GET"])
@blp.doc(responses={"200": {
    "description": "Prometheus text exposition format. Needs an ops key (OPS_KEYS) unless METRICS_PUBLIC=1.",
    "content": {"text/plain": {"schema": {"type": "string"}}}}})
def prometheus() -> Response:
    """Prometheus metrics"""
    _pending().flush(current_app.extensions["redis"])  # this process's latest counts first
    registry = CollectorRegistry()
    registry.register(RedisCollector(current_app.extensions["redis"],  # type: ignore[arg-type]
                                     current_app.extensions["archive"]))
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)


def start_timer() -> None:
    g.started = time.perf_counter()


class _Pending:
    """An app's request counts and accept times in this process, written to Redis once a second by a thread
    (one pipeline a second, not a round trip per request); /metrics writes them out first."""

    FLUSH_SECONDS = 1.0

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.counts: Counter[str] = Counter()
        self.accept_ms: list[float] = []
        self.pid = 0

    def add(self, label: str, accept_ms: float | None, r: redis.Redis) -> None:
        with self.lock:
            self.counts[label] += 1
            if accept_ms is not None:
                self.accept_ms.append(accept_ms)
            if self.pid != os.getpid():  # first request in this process (a server forks its workers)
                self.pid = os.getpid()
                threading.Thread(target=self._loop, args=(r,), name="metrics-flush", daemon=True).start()

    def flush(self, r: redis.Redis) -> None:
        with self.lock:
            counts, accept_ms = self.counts, self.accept_ms
            self.counts, self.accept_ms = Counter(), []
        if not counts and not accept_ms:
            return
        try:
            pipe = r.pipeline(transaction=False)
            for label, n in counts.items():
                metrics.count(pipe, "http", label, n)
            metrics.observe_many(pipe, "accept", accept_ms)
            pipe.execute()
        except redis.RedisError as exc:  # as before: a count Redis cannot take is dropped, said
            logging.getLogger(__name__).warning("metrics not recorded: %s", exc)

    def _loop(self, r: redis.Redis) -> None:
        while True:
            time.sleep(self.FLUSH_SECONDS)
            self.flush(r)


def init_app(app: Flask) -> None:
    """Time and count every request; the counts wait in the app's own _Pending (an app per process
    in the service; tests make many)."""
    app.extensions["metrics_pending"] = _Pending()
    app.before_request(start_timer)
    app.after_request(record_request)


def _pending() -> _Pending:
    return current_app.extensions["metrics_pending"]  # type: ignore[no-any-return]


def record_request(response: Response) -> Response:
    """after_request hook: count the request; time accepted enrichments (kept for the next flush)."""
    rule = request.url_rule.rule if request.url_rule else "unmatched"
    if rule == "/metrics":
        return response
    accepted = request.endpoint == "enrichments.create" and response.status_code in (200, 202)
    accept_ms = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000 if accepted else None
    _pending().add(f"{request.method} {rule} {response.status_code}", accept_ms, current_app.extensions["redis"])
    return response
