"""Failover drill: the broker's Redis is a master with a replica under three sentinels (REDIS_URL
lists the sentinels). The master is killed while articles are posted; the API answers 503 during
the switch, never 500, then 202 again; every accepted job finishes and its callback arrives once.

An accepted job survives because the API answers 202 only once a replica holds it
(REDIS_WAIT_REPLICAS=1: Redis WAIT on the connection that wrote it); a queue message written to the
old master and not yet replicated can die with it, and the watchdog queues its job again."""

from __future__ import annotations

import json
import time
from collections import Counter

import pytest
from pytest_httpserver import HTTPServer

from core.settings import Settings
from devtools.local_sentinel import MASTER_NAME, LocalFailoverSet
from service import create_app
from store.due import LEASE_SECONDS
from tests.conftest import Worker, auth, wait_for
from workers.celery_app import create_celery
from workers.exit_guard import STOPPED_GRACE_SECONDS

POSTS = 40
KILL_AFTER = 10


@pytest.fixture()
def failover_set(tmp_path):  # type: ignore[no-untyped-def]
    local = LocalFailoverSet(tmp_path / "set")
    local.start()
    yield local
    local.stop()


@pytest.mark.drill
def test_the_broker_fails_over_and_every_accepted_job_is_delivered_once(env, failover_set, tmp_path,
                                                                         httpserver: HTTPServer):
    drill_env = {**env, "REDIS_URL": failover_set.url, "REDIS_SENTINEL_MASTER": MASTER_NAME,
                 "REDIS_WAIT_REPLICAS": "1", "JOB_STALL_SECONDS": "10"}
    worker = Worker(drill_env, "failover", tmp_path)
    worker.start()
    received: list[dict] = []  # type: ignore[type-arg]
    httpserver.expect_request("/hook", method="POST").respond_with_handler(
        lambda request: received.append(json.loads(request.get_data())) or "")
    try:
        worker.wait_ready(create_celery(Settings.from_env(drill_env)))
        client = create_app(drill_env).test_client()
        statuses: list[int] = []
        accepted: dict[int, str] = {}
        for n in range(POSTS):
            if n == KILL_AFTER:
                failover_set.kill_master()
            payload = {"article": {"title": f"Harwick strike {n}", "body": "The Harwick Dockers Union voted to "
                                   f"strike on Monday over pay, union leader Maria Okafor said ({n})."},
                       "callback_url": httpserver.url_for("/hook")}
            deadline = time.monotonic() + 60
            while n not in accepted and time.monotonic() < deadline:
                response = client.post("/v1/enrichments", json=payload,
                                       headers={**auth(), "Idempotency-Key": f"drill-{n}"})
                statuses.append(response.status_code)
                if response.status_code in (200, 202):  # 200: a retried key's job, already finished
                    accepted[n] = response.json["id"]
                else:
                    assert response.status_code == 503 and response.headers["Retry-After"], response.json
                    assert response.json["code"] == 503 and response.json["message"]
                    time.sleep(0.2)
        assert len(accepted) == POSTS, statuses
        assert 503 in statuses and set(statuses) <= {200, 202, 503}  # the switch was seen, never as a 500
        assert failover_set.master_port() == failover_set.replica.port

        def finished(job_id: str) -> bool:
            worker.restart_if_exited()  # what a supervisor does, if the worker exited with the old master
            response = client.get(f"/v1/enrichments/{job_id}", headers=auth())
            return response.status_code == 200 and response.json["callback"]["state"] == "delivered"

        # What bounds recovery: a worker Celery stopped without exiting ends after the exit guard's
        # grace and is started again; the watchdog re-queues a job with no progress for
        # JOB_STALL_SECONDS; a callback whose deliver message was lost is due when its lease ends.
        deadline = time.monotonic() + STOPPED_GRACE_SECONDS + LEASE_SECONDS + 60
        for job_id in accepted.values():
            try:
                wait_for(lambda j=job_id: finished(j), timeout=max(1.0, deadline - time.monotonic()))
            except TimeoutError:  # say where the job stands and what the worker did
                job = client.get(f"/v1/enrichments/{job_id}", headers=auth()).json
                raise AssertionError(f"{job_id} not delivered: {job}\n{worker.log.read_text()[-6000:]}") from None
        time.sleep(1)  # a duplicate delivery would arrive now
        deliveries = Counter(event["id"] for event in received)
        assert set(deliveries) == set(accepted.values())
        assert max(deliveries.values()) == 1, deliveries.most_common(3)
    finally:
        worker.stop()
