"""Callback delivery end to end: real Redis, a real Celery worker, the Flask app and a real HTTP
receiver that fails on cue. Retries, Retry-After, dead letters, redelivery, and no redirects."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import pytest
import redis
from pytest_httpserver import HTTPServer
from standardwebhooks import Webhook
from werkzeug import Request, Response

from store.jobs import DEAD_LETTERS, DELIVERIES_DUE
from tests.conftest import SECRET, assert_nothing_more, auth, ops_auth, wait_for
from tests.test_happy_path import DEMO

SETTLE = 1.5  # > a whole 3-try cycle at CALLBACK_RETRY_DELAYS=0.3,0.3 plus scheduler polling


@dataclass
class Received:
    at: float
    path: str
    body: str
    headers: dict[str, str]


class Receiver:
    """A webhook endpoint: answers each scripted failure in turn, then `forever` if set, else 200."""

    def __init__(self, *failures: Response, forever: int | None = None,
                 headers: dict[str, str] | None = None) -> None:
        self.failures = list(failures)
        self.forever, self.headers = forever, headers or {}
        self.requests: list[Received] = []

    def __call__(self, request: Request) -> Response:
        self.requests.append(Received(time.monotonic(), request.path, request.get_data(as_text=True),
                                      dict(request.headers)))
        if self.failures:
            return self.failures.pop(0)
        if self.forever is not None:
            return Response("nope", self.forever, headers=self.headers)
        return Response("ok", 200)

    def verified(self, job_id: str) -> list[str]:
        """Check every request's signature and event; return their webhook-id headers."""
        ids = []
        for req in self.requests:
            event = Webhook(SECRET).verify(req.body, req.headers)  # raises if the signature is wrong
            assert event["id"] == job_id and event["type"] == "enrichment.succeeded", event
            assert json.loads(req.body)["data"]["id"] == job_id
            ids.append(req.headers["Webhook-Id"])
        return ids


def serve(httpserver: HTTPServer, path: str, receiver: Receiver) -> str:
    httpserver.expect_request(path, method="POST").respond_with_handler(receiver)
    return httpserver.url_for(path)


def submit(client: Any, callback_url: str | None) -> str:
    payload = {**DEMO, "callback_url": callback_url} if callback_url else DEMO
    response = client.post("/v1/enrichments", json=payload, headers=auth())
    assert response.status_code == 202, response.json
    return str(response.json["id"])


def get_job(client: Any, job_id: str) -> dict[str, Any]:
    response = client.get(f"/v1/enrichments/{job_id}", headers=auth())
    assert response.status_code == 200, response.json
    return dict(response.json)


def wait_state(client: Any, job_id: str, state: str, timeout: float = 90) -> dict[str, Any]:
    def settled() -> dict[str, Any] | None:
        job = get_job(client, job_id)
        return job if job["callback"]["state"] == state else None
    try:
        return wait_for(settled, timeout=timeout)  # type: ignore[no-any-return]
    except TimeoutError:
        pytest.fail(f"callback never became {state!r}: {get_job(client, job_id)['callback']}")


def codes(job: dict[str, Any]) -> list[int | None]:
    return [a["status_code"] for a in job["callback"]["attempts"]]


def settle_then_reread(client: Any, job_id: str, receiver: Receiver) -> dict[str, Any]:
    """Nothing more is scheduled for the job, and no request arrives for longer than a retry
    cycle takes (failing at once if one does); then read the job again."""
    r = redis.Redis.from_url(client.application.extensions["settings"].redis_url)
    wait_for(lambda: r.zscore(DELIVERIES_DUE, job_id) is None, timeout=10)
    assert_nothing_more(lambda: len(receiver.requests), len(receiver.requests), within=SETTLE)
    return get_job(client, job_id)


def test_retried_until_accepted_with_one_webhook_id(client, sample_archive, httpserver: HTTPServer):
    receiver = Receiver(Response("boom", 500), Response("boom", 500))
    job_id = submit(client, serve(httpserver, "/retry", receiver))

    job = wait_state(client, job_id, "delivered")
    assert codes(job) == [500, 500, 200]
    assert all(a["error"] is None and a["duration_ms"] >= 0 for a in job["callback"]["attempts"])
    assert job["callback"]["next_attempt_at"] is None
    assert len(receiver.requests) == 3
    assert receiver.verified(job_id) == [job["callback"]["webhook_id"]] * 3
    job = settle_then_reread(client, job_id, receiver)
    assert codes(job) == [500, 500, 200] and len(receiver.requests) == 3  # nothing after success


def test_dead_lettered_then_redelivered(client, sample_archive, httpserver: HTTPServer, env):
    r = redis.Redis.from_url(env["REDIS_URL"])
    receiver = Receiver(forever=503)
    job_id = submit(client, serve(httpserver, "/down", receiver))

    job = wait_state(client, job_id, "delivery_failed")
    webhook_id = job["callback"]["webhook_id"]
    assert codes(job) == [503, 503, 503]
    assert r.zscore(DEAD_LETTERS, job_id) is not None
    assert r.zscore(DELIVERIES_DUE, job_id) is None
    ops = client.get("/v1/ops/queues", headers=ops_auth())
    assert ops.status_code == 200, ops.json
    assert ops.json["dead_letters"] >= 1
    job = settle_then_reread(client, job_id, receiver)
    assert codes(job) == [503, 503, 503] and len(receiver.requests) == 3  # the cycle is over

    receiver.forever = None  # the receiver is fixed
    response = client.post(f"/v1/enrichments/{job_id}/redeliver", headers=auth())
    assert response.status_code == 202, response.json
    assert response.json["callback"]["webhook_id"] == webhook_id
    assert response.json["callback"]["state"] in {"pending", "delivered"}

    job = wait_state(client, job_id, "delivered")
    assert job["callback"]["webhook_id"] == webhook_id
    assert codes(job) == [503, 503, 503, 200]
    assert receiver.verified(job_id) == [webhook_id] * 4
    assert r.zscore(DEAD_LETTERS, job_id) is None
    assert r.zscore(DELIVERIES_DUE, job_id) is None


def test_dead_letters_replay_is_per_client(client, sample_archive, httpserver: HTTPServer, env):
    r = redis.Redis.from_url(env["REDIS_URL"])
    receiver = Receiver(forever=503)
    job_id = submit(client, serve(httpserver, "/replay", receiver))
    webhook_id = wait_state(client, job_id, "delivery_failed")["callback"]["webhook_id"]
    receiver.forever = None  # the receiver is fixed

    other = client.post("/v1/ops/dead-letters/replay", headers=auth("bob"))  # none of them are bob's
    assert other.status_code == 404 and other.json["code"] == 404 and other.json["message"]
    job = settle_then_reread(client, job_id, receiver)
    assert codes(job) == [503, 503, 503] and r.zscore(DEAD_LETTERS, job_id) is not None

    replay = client.post("/v1/ops/dead-letters/replay", headers=auth())
    assert replay.status_code == 202 and job_id in replay.json["replayed"]
    job = wait_state(client, job_id, "delivered")
    assert codes(job) == [503, 503, 503, 200]
    assert receiver.verified(job_id) == [webhook_id] * 4
    assert r.zscore(DEAD_LETTERS, job_id) is None


@pytest.mark.parametrize("status", [410, 400])
def test_permanent_failure_not_retried(client, sample_archive, httpserver: HTTPServer, env, status):
    receiver = Receiver(forever=status)
    job_id = submit(client, serve(httpserver, f"/gone-{status}", receiver))

    job = wait_state(client, job_id, "delivery_failed")
    assert codes(job) == [status]
    job = settle_then_reread(client, job_id, receiver)
    assert codes(job) == [status] and job["callback"]["state"] == "delivery_failed"
    assert len(receiver.requests) == 1
    receiver.verified(job_id)
    assert redis.Redis.from_url(env["REDIS_URL"]).zscore(DEAD_LETTERS, job_id) is not None


def test_retry_after_is_honoured(client, sample_archive, httpserver: HTTPServer):
    receiver = Receiver(Response("slow down", 429, headers={"Retry-After": "1"}))
    job_id = submit(client, serve(httpserver, "/busy", receiver))

    job = wait_state(client, job_id, "delivered")
    assert codes(job) == [429, 200]
    assert len(receiver.requests) == 2
    gap = receiver.requests[1].at - receiver.requests[0].at
    assert gap >= 0.9, f"second try {gap:.2f}s after a 429 with Retry-After: 1"
    assert len(set(receiver.verified(job_id))) == 1


def test_redirect_not_followed_nor_retried(client, sample_archive, httpserver: HTTPServer):
    elsewhere = Receiver()
    target = serve(httpserver, "/moved-here", elsewhere)
    httpserver.expect_request("/moved-here", method="GET").respond_with_handler(elsewhere)
    receiver = Receiver(forever=302, headers={"Location": target})
    job_id = submit(client, serve(httpserver, "/moved", receiver))

    job = wait_state(client, job_id, "delivery_failed")
    assert codes(job) == [302]
    job = settle_then_reread(client, job_id, receiver)
    assert codes(job) == [302] and job["callback"]["state"] == "delivery_failed"
    assert len(receiver.requests) == 1
    assert elsewhere.requests == [], "the redirect was followed"
    receiver.verified(job_id)


def test_job_without_callback_has_nothing_to_redeliver(client, sample_archive, env):
    job_id = submit(client, None)
    job = wait_for(lambda: (j := get_job(client, job_id))["status"] == "succeeded" and j, timeout=90)
    assert job["callback"] is None
    assert job["result"]["id"] == job_id

    response = client.post(f"/v1/enrichments/{job_id}/redeliver", headers=auth())
    assert response.status_code == 409, response.json
    assert "callback_url" in response.json["message"]
    r = redis.Redis.from_url(env["REDIS_URL"])
    assert r.zscore(DELIVERIES_DUE, job_id) is None and r.zscore(DEAD_LETTERS, job_id) is None
    assert get_job(client, job_id)["callback"] is None
