"""Fault drills with real processes: a worker killed mid-job loses nothing."""

from __future__ import annotations

import pytest

from tests.conftest import Worker, auth, wait_for

SENTENCE = ("The Harwick Port Authority said on Monday that grain exports from the Vell valley "
            "would resume after talks with the Harwick Dockers Union, led by Maria Okafor. ")


def _running_on(celery_app, job_id: str) -> str | None:  # type: ignore[no-untyped-def]
    """Name of the worker whose active tasks include this job's, if any."""
    active = celery_app.control.inspect(timeout=0.5).active() or {}
    for worker_name, tasks in active.items():
        if any(job_id in (t.get("args") or []) for t in tasks):
            return worker_name
    return None


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
        if victim is worker:
            worker.start()  # the session's worker comes back, as a supervisor would restart it
            worker.wait_ready(celery_app)
        job = wait_for(lambda: (j := client.get(f"/v1/enrichments/{job_id}", headers=auth()).json)
                       ["status"] in {"succeeded", "failed"} and j, timeout=120)
        assert job["status"] == "succeeded", job
        assert job["result"]["entities"]
    finally:
        spare.stop()


@pytest.mark.drill
def test_redis_restart_while_posting_answers_503_and_loses_no_accepted_job(env, tmp_path):
    """Its own Redis and worker: stopping Redis here must not disturb the other tests."""
    from devtools.local_redis import RedisServer
    from service import create_app
    from workers.celery_app import create_celery
    from workers.settings import Settings

    server = RedisServer(tmp_path / "redis")
    server.start()
    drill_env = {**env, "REDIS_URL": server.url}
    drill_worker = Worker(drill_env, "drill", tmp_path)
    drill_worker.start()
    try:
        drill_worker.wait_ready(create_celery(Settings.from_env(drill_env)))
        client = create_app(drill_env).test_client()
        article = {"article": {"title": "Harwick", "body": "The Harwick Dockers Union voted to strike."}}
        accepted, statuses = [], []

        def post() -> None:
            response = client.post("/v1/enrichments", json=article, headers=auth())
            statuses.append(response.status_code)
            if response.status_code == 202:
                accepted.append(response.json["id"])
            else:
                assert response.json["code"] == response.status_code and response.json["message"]

        for _ in range(5):
            post()
        server.stop()
        for _ in range(5):
            post()  # Redis is gone: every answer is 503, none 500
        server.start()
        for _ in range(5):
            post()
        assert statuses[5:10] == [503] * 5
        assert statuses[:5] == [202] * 5 and statuses[10:] == [202] * 5

        def all_done() -> bool:
            return all(client.get(f"/v1/enrichments/{job_id}", headers=auth()).json["status"]
                       == "succeeded" for job_id in accepted)

        wait_for(all_done, timeout=120, interval=0.5)
    finally:
        drill_worker.stop()
        server.stop()
