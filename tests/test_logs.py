"""Structured logs: JSON lines with the job id, from the API and from a real worker process."""

from __future__ import annotations

import io
import json
import logging

from tests.conftest import auth
from tests.test_happy_path import DEMO
from workers.logs import Formatter, JobIdFilter


def test_worker_lines_are_json_and_name_their_job(client, sample_archive, worker):
    response = client.post("/v1/enrichments", json=DEMO, headers={**auth(), "Prefer": "wait=30"})
    assert response.status_code == 200, response.json
    job_id = response.json["id"]
    lines = [json.loads(line) for line in worker.log.read_text().splitlines() if line.strip()]
    about_job = [line for line in lines if job_id in json.dumps(line)]
    tasks = {line["data"]["name"].rsplit(".", 1)[1] for line in about_job if "data" in line}
    assert {"prepare", "also_read", "background_facts", "implications_and_key_points", "assemble"} <= tasks
    assert all(line["job_id"] == job_id and line["role"] == "worker" for line in about_job), about_job
    assert all({"time", "level", "logger", "message", "pid"} <= set(line) for line in lines)


def test_api_access_line_is_json_and_names_the_job(client, sample_archive):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(Formatter())
    handler.addFilter(JobIdFilter("api"))
    access = logging.getLogger("service.access")
    access.addHandler(handler)
    access.setLevel(logging.INFO)
    try:
        posted = client.post("/v1/enrichments", json=DEMO, headers=auth())
        job_id = posted.json["id"]
        client.get(f"/v1/enrichments/{job_id}", headers=auth())
        client.get("/v1/enrichments/enr_00000000000000000000000000000000", headers=auth())
    finally:
        access.removeHandler(handler)
        access.setLevel(logging.NOTSET)
    post, get, missing = (json.loads(line) for line in stream.getvalue().splitlines())
    assert (post["method"], post["status"], post["job_id"], post["client"]) == ("POST", 202, job_id, "alice")
    assert (get["method"], get["status"], get["job_id"]) == ("GET", 200, job_id)
    assert post["duration_ms"] > 0 and post["route"] == "/v1/enrichments" and post["role"] == "api"
    assert missing["status"] == 404 and missing["job_id"] == "enr_00000000000000000000000000000000"
