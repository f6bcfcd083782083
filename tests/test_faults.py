"""Fault drills with real processes: a worker killed mid-job, Redis restarted while posting, a
callback receiver down for a while. Nothing accepted is lost. (`make drills` runs only these.)"""

from __future__ import annotations

import json
import time

import pytest
from flask.testing import FlaskClient
from pytest_httpserver import HTTPServer
from standardwebhooks import Webhook

from devtools.local_redis import free_port
from tests.conftest import SECRET, Worker, assert_nothing_more, auth, ops_auth, wait_for

SENTENCE = ("The Harwick Port Authority said on Monday that grain exports from the Vell valley "
            "would resume after talks with the Harwick Dockers Union, led by Maria Okafor. ")


def _running_on(celery_app, job_id: str) -> str | None:  # type: ignore[no-untyped-def]
    """Name of the worker whose active tasks include this job's, if any."""
    active = celery_app.control.inspect(timeout=0.5).active() or {}
    for worker_name, tasks in active.items():
        if any(job_id in (t.get("args") or []) for t in tasks):
            return worker_name
    return None


@pytest.mark.drill
def test_worker_killed_mid_job_the_job_still_finishes(client, worker, celery_app, env, tmp_path):
    spare = Worker(env, "spare", tmp_path)
    spare.start()
    spare.wait_ready(celery_app)
    try:
        # A long article keeps the prepare stage busy for a few seconds: time to kill its worker.
        body = SENTENCE * 900
        response = client.post("/v1/enrichments", json={"article": {"title": "Long", "body": body}},
                               headers=auth())
        assert response.status_code == 202, response.json
        job_id = response.json["id"]
        victim_name = wait_for(lambda: _running_on(celery_app, job_id), timeout=60, interval=0.05)
        victim = worker if victim_name.startswith("main@") else spare
        victim.kill()
        at_kill = client.get(f"/v1/enrichments/{job_id}", headers=auth()).json
        assert at_kill["status"] == "running"  # killed mid-job, not after it
        # The victim stays down until the job is final: the other worker is the one that ends it.
        job = wait_for(lambda: (j := client.get(f"/v1/enrichments/{job_id}", headers=auth()).json)
                       ["status"] in {"succeeded", "failed"} and j, timeout=120)
        assert job["status"] == "succeeded", job
        assert job["result"]["entities"]
    finally:
        spare.stop()
        if not worker.proc or worker.proc.poll() is not None:
            worker.start()  # the session's worker comes back, as a supervisor would restart it
            worker.wait_ready(celery_app)


def _final(client: FlaskClient, job_id: str) -> dict | None:  # type: ignore[type-arg]
    job = client.get(f"/v1/enrichments/{job_id}", headers=auth()).json
    return job if job["status"] in {"succeeded", "failed"} else None


def _ops_answers(client: FlaskClient) -> list[int]:
    """Status of the operators' endpoints; an error must come in the one error shape."""
    statuses = []
    for path in ("/readyz", "/metrics", "/v1/ops/queues"):
        response = client.get(path, headers=ops_auth())
        statuses.append(response.status_code)
        if response.status_code >= 400:
            assert response.json["code"] == response.status_code and response.json["message"], path
    return statuses


@pytest.mark.drill
@pytest.mark.parametrize("stack", [{"RATE_LIMIT": "1000/second"}], indirect=True)  # limiter on
def test_redis_restart_while_posting_answers_503_and_loses_no_accepted_job(stack):
    article = {"article": {"title": "Harwick", "body": "The Harwick Dockers Union voted to strike."}}
    accepted, statuses = [], []

    def post() -> None:
        response = stack.client.post("/v1/enrichments", json=article, headers=auth())
        statuses.append(response.status_code)
        if response.status_code == 202:
            accepted.append(response.json["id"])
        else:
            assert response.json["code"] == response.status_code and response.json["message"]
            assert response.headers["Retry-After"]

    for _ in range(5):
        post()
    stack.redis.kill()  # SIGKILL, with jobs in flight: only the append-only file keeps them
    for _ in range(5):
        post()  # Redis is gone: every answer is 503, none 500
    assert _ops_answers(stack.client) == [503, 503, 503]
    stack.redis.start()
    for _ in range(5):
        post()
    assert statuses[5:10] == [503] * 5
    assert statuses[:5] == [202] * 5 and statuses[10:] == [202] * 5
    assert 500 not in _ops_answers(stack.client)  # straight after the restart: 200, or 503 at worst

    # Jobs whose messages died with Redis are queued again by the watchdog (JOB_STALL_SECONDS).
    # The worker may have exited while Redis was gone (a kombu bug in closing the lost connection);
    # it is restarted as its supervisor (Docker's restart policy, make run) would restart it.
    def final(job_id: str) -> dict | None:  # type: ignore[type-arg]
        stack.worker.restart_if_exited()
        return _final(stack.client, job_id)

    finished = [wait_for(lambda j=job_id: final(j), timeout=120) for job_id in accepted]
    assert [job["status"] for job in finished] == ["succeeded"] * 10, finished
    assert _ops_answers(stack.client) == [200, 200, 200]


@pytest.mark.drill
@pytest.mark.parametrize("stack", [{"CALLBACK_RETRY_DELAYS": ",".join(["0.5"] * 20)}], indirect=True)
def test_receiver_down_for_a_while_gets_the_callback_when_back_with_one_webhook_id(stack):
    """Nothing listens on the callback port at first (connection refused), then a receiver does."""
    port = free_port()
    receiver = HTTPServer(host="127.0.0.1", port=port)
    receiver.expect_request("/hook", method="POST").respond_with_data("ok")
    payload = {"article": {"title": "Harwick", "body": SENTENCE}, "callback_url": f"http://127.0.0.1:{port}/hook"}
    response = stack.client.post("/v1/enrichments", json=payload, headers=auth())
    assert response.status_code == 202, response.json
    job_id = response.json["id"]

    def refused_attempts() -> int:
        job = stack.client.get(f"/v1/enrichments/{job_id}", headers=auth()).json
        return sum(1 for a in job["callback"]["attempts"] if a["status_code"] is None) >= 3

    wait_for(refused_attempts, timeout=60)  # the receiver is down; the worker keeps trying
    receiver.start()
    try:
        job = wait_for(lambda: (j := stack.client.get(f"/v1/enrichments/{job_id}", headers=auth()).json)
                       ["callback"]["state"] == "delivered" and j, timeout=60)
        attempts = job["callback"]["attempts"]
        assert attempts[-1]["status_code"] == 200
        assert all(a["status_code"] is None and a["error"] for a in attempts[:-1])
        assert_nothing_more(lambda: len(receiver.log), 1)  # nothing more arrives after the success
        request, _ = receiver.log[0]
        event = Webhook(SECRET).verify(request.get_data(as_text=True), dict(request.headers))
        assert event["id"] == job_id and request.headers["Webhook-Id"] == job["callback"]["webhook_id"]
    finally:
        receiver.stop()


@pytest.mark.drill
def test_a_job_whose_message_was_lost_is_queued_again_by_the_watchdog(stack):
    """Accepted, then its intake entry is gone (as if a worker died right after taking it)."""
    import redis

    from store import jobs

    stack.worker.stop()  # no relay takes the entry while the test removes it
    response = stack.client.post("/v1/enrichments", json={"article": {"title": "Harwick", "body": SENTENCE}},
                                 headers=auth())
    assert response.status_code == 202, response.json
    job_id = response.json["id"]
    r = redis.Redis.from_url(stack.redis.url)
    assert r.lrem(jobs.INTAKE, 0, job_id) == 1
    r.zadd(jobs.UNFINISHED, {job_id: time.time() - 60})  # and that was a minute ago
    stack.worker.start()
    job = wait_for(lambda: _final(stack.client, job_id), timeout=60)
    assert job["status"] == "succeeded", job
    assert r.zscore(jobs.UNFINISHED, job_id) is None  # finished jobs leave the watchdog's set


@pytest.mark.drill
def test_a_job_that_keeps_stalling_is_failed_not_requeued_forever(stack, httpserver: HTTPServer):
    """After MAX_REQUEUES re-queues the watchdog fails the job, so its client hears of it."""
    import redis

    from store import jobs
    from workers.scheduler import MAX_REQUEUES

    httpserver.expect_request("/failed", method="POST").respond_with_data("ok")
    stack.worker.stop()
    response = stack.client.post("/v1/enrichments", json={"article": {"title": "Harwick", "body": SENTENCE},
                                                          "callback_url": httpserver.url_for("/failed")},
                                 headers=auth())
    job_id = response.json["id"]
    r = redis.Redis.from_url(stack.redis.url)
    assert r.lrem(jobs.INTAKE, 0, job_id) == 1
    r.hset(jobs.job_key(job_id), "requeues", MAX_REQUEUES)  # as if it had stalled that often
    r.zadd(jobs.UNFINISHED, {job_id: time.time() - 60})
    stack.worker.start()
    job = wait_for(lambda: _final(stack.client, job_id), timeout=60)
    assert job["status"] == "failed" and "no progress" in job["error"], job
    assert job["failed_stage"] == "queued" and job["error"].startswith("queued: "), job  # never began
    assert r.zscore(jobs.UNFINISHED, job_id) is None
    def failure_callbacks() -> list:  # type: ignore[type-arg]
        return [request for request, _ in httpserver.log if request.path == "/failed"]

    wait_for(lambda: len(failure_callbacks()) == 1, timeout=30)  # the client hears of it, signed
    request = failure_callbacks()[0]
    event = Webhook(SECRET).verify(request.get_data(as_text=True), dict(request.headers))
    assert event["type"] == "enrichment.failed" and event["id"] == job_id, event


def test_a_failed_stage_is_named_on_the_job(stack):
    """A stage that fails for good (not a transient error) fails the job, naming the stage."""
    import redis

    from store import jobs

    stack.worker.stop()
    response = stack.client.post("/v1/enrichments", json={"article": {"title": "Harwick", "body": SENTENCE}},
                                 headers=auth())
    job_id = response.json["id"]
    r = redis.Redis.from_url(stack.redis.url)
    r.set(jobs.job_key(job_id, "article"), json.dumps({"title": "no body, no date"}))  # broken record
    stack.worker.start()
    job = wait_for(lambda: _final(stack.client, job_id), timeout=60)
    assert job["status"] == "failed" and job["failed_stage"] == "prepare", job
    assert job["error"].startswith("prepare: KeyError"), job


def test_a_worker_stopped_but_not_exited_is_ended_after_the_grace():
    """Celery can stop a worker's parts on an error it cannot recover from and leave the process
    alive, consuming nothing (seen in the failover drill); the exit guard ends it so its supervisor
    starts it again. A worker that runs, or stops only briefly, is left alone."""
    from celery.bootsteps import CLOSE, RUN

    from workers.exit_guard import EXIT_CODE, watch

    def run(states: list[int], grace: float) -> list[int]:
        exits: list[int] = []
        feed = iter(states)
        watch(lambda: next(feed, CLOSE), grace=grace, exit_process=exits.append, every=0.01)
        return exits

    started = time.monotonic()
    assert run([RUN] * 5 + [CLOSE] * 3 + [RUN] * 20, grace=0.15) == [EXIT_CODE]
    assert time.monotonic() - started >= 0.15 + 0.2  # the brief stop reset the clock: only the final one counted
