"""Job lifecycle over HTTP: waiting for a result, idempotent retries, ops views."""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis

from store.jobs import RECENT_JOBS
from tests.conftest import auth, ops_auth, wait_for

ARTICLE = {"title": "Harwick port strike talks resume",
           "body": "Talks between the Harwick Dockers Union and the Harwick Port Authority resumed on "
                   "Tuesday, union leader Maria Okafor said.\n\nA new strike could halt grain exports."}


def test_prefer_wait_returns_the_finished_job(client, sample_archive):
    response = client.post("/v1/enrichments", json={"article": ARTICLE},
                           headers={**auth(), "Prefer": "wait=30"})
    assert response.status_code == 200, response.json
    assert response.headers["Preference-Applied"] == "wait=30"
    job = response.json
    assert job["status"] == "succeeded" and job["result"]["id"] == job["id"]
    assert job["callback"] is None


def test_prefer_wait_is_not_applied_when_every_waiting_slot_is_taken(env, worker):
    """MAX_WAITING=1 with the one slot held (as by another process's waiting request)."""
    import redis

    from service import create_app
    from store.waiting import WAITING

    client = create_app({**env, "MAX_WAITING": "1"}).test_client()
    r = redis.Redis.from_url(env["REDIS_URL"])
    r.zadd(WAITING, {"held-by-another-request": time.time() + 60})
    try:
        started = time.monotonic()
        busy = client.post("/v1/enrichments", json={"article": ARTICLE}, headers={**auth(), "Prefer": "wait=30"})
        assert busy.status_code == 202 and "Preference-Applied" not in busy.headers, busy.headers
        assert time.monotonic() - started < 5
    finally:
        r.zrem(WAITING, "held-by-another-request")
    free = client.post("/v1/enrichments", json={"article": ARTICLE}, headers={**auth(), "Prefer": "wait=30"})
    assert free.status_code == 200 and free.headers["Preference-Applied"] == "wait=30"
    assert r.zcard(WAITING) == 0  # the slot was given back


def test_without_prefer_the_post_answers_202_at_once(client, worker):
    response = client.post("/v1/enrichments", json={"article": ARTICLE}, headers=auth())
    assert response.status_code == 202
    assert response.json["status"] in {"queued", "running"}
    job_id = response.json["id"]
    done = wait_for(lambda: (j := client.get(f"/v1/enrichments/{job_id}", headers=auth()).json)
                    ["status"] == "succeeded" and j)
    assert done["finished_at"] >= done["created_at"]


def test_the_202_names_the_job_as_url_for_does_even_under_a_mount_prefix(app, client):
    """The accept answer is built without url_for or the schema (they cost a POST time): it must
    say what they would, wherever the API is mounted (SCRIPT_NAME, as behind a path-routing proxy)."""
    from flask import url_for

    from schemas.enrichment import AcceptedSchema

    for root in ("", "/newsroom/enrich"):
        base = "http://localhost" + root
        response = client.post("/v1/enrichments", json={"article": ARTICLE}, headers=auth(), base_url=base)
        assert response.status_code == 202, response.json
        assert response.mimetype == "application/json"
        job_id = response.json["id"]
        with app.test_request_context(base_url=base):
            expected = url_for("enrichments.get", job_id=job_id)
        assert expected.startswith(root + "/v1/enrichments/")
        assert response.headers["Location"] == expected
        assert response.json == AcceptedSchema().dump({"id": job_id, "status": "queued",
                                                       "links": {"self": expected}})
        polled = client.get(expected[len(root):], headers=auth(), base_url=base)
        assert polled.status_code == 200 and polled.json["id"] == job_id


def test_idempotency_key_returns_the_first_job(client, worker):
    key = uuid.uuid4().hex
    first = client.post("/v1/enrichments", json={"article": ARTICLE},
                        headers={**auth(), "Idempotency-Key": key})
    second = client.post("/v1/enrichments", json={"article": ARTICLE},
                         headers={**auth(), "Idempotency-Key": key})
    other_client = client.post("/v1/enrichments", json={"article": ARTICLE},
                               headers={**auth("bob"), "Idempotency-Key": key})
    assert first.status_code == other_client.status_code == 202
    assert second.status_code in {200, 202}  # 200 if the first job already finished
    assert first.json["id"] == second.json["id"]
    assert other_client.json["id"] != first.json["id"]  # keys are scoped per client


def test_idempotency_key_reused_for_another_article_is_refused_and_changes_nothing(client, worker, redis_server):
    key = uuid.uuid4().hex
    first = client.post("/v1/enrichments", json={"article": ARTICLE}, headers={**auth(), "Idempotency-Key": key})
    assert first.status_code == 202
    r = redis.Redis.from_url(redis_server.url)

    def job_ids() -> set[bytes]:  # every job created is entered here (a late stage of another test's job is not)
        return set(r.zrange(RECENT_JOBS, 0, -1))
    jobs_before = job_ids()
    assert first.json["id"].encode() in jobs_before
    changed = {**ARTICLE, "title": ARTICLE["title"] + " (updated)"}
    again = client.post("/v1/enrichments", json={"article": changed}, headers={**auth(), "Idempotency-Key": key})
    assert again.status_code == 422, again.json
    assert first.json["id"] in again.json["message"] and "Idempotency-Key" in again.json["errors"]
    assert job_ids() == jobs_before  # no second job
    same = client.post("/v1/enrichments", json={"article": ARTICLE}, headers={**auth(), "Idempotency-Key": key})
    assert same.status_code in {200, 202} and same.json["id"] == first.json["id"]


@pytest.mark.drill
def test_simultaneous_posts_with_one_key_make_one_job(app, worker):
    key = uuid.uuid4().hex

    def post(_: int) -> str:
        response = app.test_client().post("/v1/enrichments", json={"article": ARTICLE},
                                          headers={**auth(), "Idempotency-Key": key})
        # 202 while the job runs; a repeat that arrives after it finished gets the job, 200
        assert response.status_code in {200, 202}, response.json
        return str(response.json["id"])

    with ThreadPoolExecutor(8) as pool:
        ids = set(pool.map(post, range(16)))
    assert len(ids) == 1


def test_readyz_and_queue_health(client, worker):
    assert client.get("/v1/ops/queues", headers=ops_auth()).json["jobs_last_hour"] == {}  # a clean store
    done = client.post("/v1/enrichments", json={"article": {"title": "Quiet day", "body": "Nothing happened."}},
                       headers={**auth(), "Prefer": "wait=30"})
    assert done.status_code == 200, done.json
    assert client.get("/readyz").json == {"status": "ready", "redis": "ok"}
    assert client.get("/healthz").json == {"status": "ok"}
    ops = client.get("/v1/ops/queues", headers=ops_auth()).json
    assert set(ops["queues"]) == {"intake", "deliver", "finish", "enrich", "index"}
    for queue in ops["queues"].values():
        assert isinstance(queue["depth"], int) and set(queue) >= {"depth", "oldest_age_s"}
    assert any(w["name"].startswith("main@") for w in ops["workers"])
    assert ops["jobs_last_hour"] == {"accepted": 1, "succeeded": 1}
    assert isinstance(ops["dead_letters"], int) and isinstance(ops["deliveries_due"], int)


def test_readyz_answers_for_the_api_workers_show_in_the_ops_view(env, redis_server):
    """Ready without workers (the queues buffer; a load balancer keeps the instance), and the ops
    view says that no worker answers; 503 in the error shape without Redis."""
    from devtools.local_redis import free_port
    from service import create_app

    no_workers = create_app({**env, "REDIS_URL": redis_server.url.rsplit("/", 1)[0] + "/4"}).test_client()
    assert no_workers.get("/readyz").json == {"status": "ready", "redis": "ok"}
    assert no_workers.get("/v1/ops/queues", headers=ops_auth()).json["workers"] == []
    answer = create_app({**env, "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"}).test_client().get("/readyz")
    assert answer.status_code == 503 and answer.headers["Retry-After"] == "5"
    assert answer.json["code"] == 503 and answer.json["message"].startswith("Not ready")
    assert list(answer.json["errors"]) == ["redis"]


def test_a_final_status_is_set_once(env):
    """Two copies of a stage racing to the end: the first final status stands."""
    import redis

    from store import jobs

    r = redis.Redis.from_url(env["REDIS_URL"])
    job_id = jobs.new_job_id()  # a bare record, never queued: only its status moves here
    r.hset(jobs.job_key(job_id), mapping={"id": job_id, "status": "running"})
    r.expire(jobs.job_key(job_id), 60)
    r.zadd(jobs.UNFINISHED, {job_id: time.time() + 3600})  # not due for the watchdog
    assert jobs.finish(r, job_id, "succeeded") is True
    assert jobs.finish(r, job_id, "failed", error="late") is False
    assert jobs.finish(r, job_id, "succeeded") is False
    job = jobs.get_job(r, job_id)
    assert job is not None and job["status"] == "succeeded" and "error" not in job
    assert r.zscore(jobs.UNFINISHED, job_id) is None
    assert jobs.finish(r, "enr_" + "0" * 32, "failed") is False  # no such job: nothing is created
    assert not r.exists(jobs.job_key("enr_" + "0" * 32))


def test_a_post_after_redis_forgot_its_scripts_creates_the_job_once(client, env):
    """The job script runs by its hash in one round trip; a Redis that lost it (a restart, SCRIPT
    FLUSH) answers NOSCRIPT, the script is loaded and run once more: one job, not none or two."""
    r = redis.Redis.from_url(env["REDIS_URL"])
    r.script_flush()
    before = r.zcard(RECENT_JOBS)
    response = client.post("/v1/enrichments", json={"article": ARTICLE}, headers=auth())
    assert response.status_code == 202, response.json
    assert r.zcard(RECENT_JOBS) == before + 1
    job = client.get(f"/v1/enrichments/{response.json['id']}", headers=auth())
    # The job exists (a worker of an earlier test may have taken it already: queued or on).
    assert job.status_code == 200 and job.json["status"] in ("queued", "running", "succeeded"), job.json
    again = client.post("/v1/enrichments", json={"article": ARTICLE}, headers=auth())  # the script is loaded now
    assert again.status_code == 202 and r.zcard(RECENT_JOBS) == before + 2
