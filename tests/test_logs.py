"""Structured logs: JSON lines with the job id, from the API and from a real worker process."""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys
from pathlib import Path

import requests

from core.logs import Formatter, JobIdFilter
from devtools.local_redis import free_port
from tests.conftest import ROOT, auth, stop_group, wait_for
from tests.test_happy_path import DEMO


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


def test_granian_with_the_shipped_log_config_writes_only_json(env, worker, tmp_path: Path):
    """The API as deployed (Granian, service/log_config.json): every line on stderr is JSON, and
    the access line of a POST names its job."""
    port = free_port()
    stderr = tmp_path / "api.log"
    granian = Path(sys.executable).parent / "granian"
    with stderr.open("wb") as out:
        proc = subprocess.Popen([str(granian), "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port),
                                 "--workers", "1", "--log-config", "service/log_config.json",
                                 "service.wsgi:app"], cwd=ROOT, env={**env, "PATH": "/usr/bin:/bin"},
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        def up() -> bool:
            try:
                return requests.get(base + "/healthz", timeout=1).status_code == 200
            except requests.ConnectionError:
                return False
        wait_for(up, timeout=30)
        posted = requests.post(base + "/v1/enrichments", json=DEMO, headers=auth(), timeout=10)
        assert posted.status_code == 202, posted.text
        job_id = posted.json()["id"]
        assert requests.get(base + "/nowhere", timeout=5).status_code == 404
    finally:
        stop_group(proc, wait=30)
    lines = [json.loads(line) for line in stderr.read_text().splitlines() if line.strip()]
    access = [line for line in lines if line["logger"] == "service.access"]
    post = next(line for line in access if line["method"] == "POST")
    assert (post["status"], post["job_id"], post["role"], post["client"]) == (202, job_id, "api", "alice")
    assert any(line["status"] == 404 and line["job_id"] is None for line in access)
    assert any(line["logger"].startswith("_granian") for line in lines)  # Granian's own lines too


def test_a_worker_writes_only_json_to_stderr_from_start_to_shutdown(env, redis_server, tmp_path: Path):
    """Start to warm shutdown, a worker's stderr is JSON lines; Celery's own shutdown notice
    ("worker: Warm shutdown") goes to stdout."""
    own_db = {**env, "REDIS_URL": redis_server.url.rsplit("/", 1)[0] + "/6"}  # takes no one's work
    out, err = tmp_path / "stdout", tmp_path / "stderr"
    celery = Path(sys.executable).parent / "celery"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        proc = subprocess.Popen([str(celery), "-q", "-A", "workers.worker", "worker", "-Q", "deliver", "-c", "1",
                                 "--loglevel", "INFO"], cwd=ROOT, env=own_db, stdout=stdout, stderr=stderr,
                                start_new_session=True)
    try:
        wait_for(lambda: "ready." in err.read_text(), timeout=60)
    finally:
        stop_group(proc, wait=30)
    lines = [json.loads(line) for line in err.read_text().splitlines() if line.strip()]  # each one JSON
    assert any(line["message"].endswith("ready.") for line in lines)
    assert all(line["role"] == "worker" and {"time", "level", "logger", "pid"} <= set(line) for line in lines)
    assert "Warm shutdown" in out.read_text()
