"""Fault drills with real processes: a worker killed mid-job loses nothing."""

from __future__ import annotations

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
