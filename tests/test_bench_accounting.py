"""What the benchmarks read off a process tree (devtools/stack.py): CPU time and memory summed over
a process and its descendants, as Granian's workers are children of the process the stack started."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from devtools.stack import cpu_seconds, rss_bytes

# A child that starts a grandchild; the grandchild burns CPU, says so in a file, then waits.
PARENT = """
import subprocess, sys
grandchild = subprocess.Popen([sys.executable, "-c", sys.argv[1], sys.argv[2]])
grandchild.wait()
"""
GRANDCHILD = """
import sys, time
data = bytearray(64 * 2**20)  # resident once touched
for i in range(0, len(data), 4096):
    data[i] = 1
end = time.process_time() + 0.6
while time.process_time() < end:
    pass
open(sys.argv[1], "w").write("busy done")
time.sleep(60)
"""


def test_cpu_and_memory_of_a_process_tree_count_its_grandchildren(tmp_path: Path) -> None:
    done = tmp_path / "done"
    parent = subprocess.Popen([sys.executable, "-c", PARENT, GRANDCHILD, str(done)], start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while not done.exists():
            assert time.monotonic() < deadline, "the grandchild never finished its work"
            time.sleep(0.05)
        assert cpu_seconds(parent.pid) >= 0.5  # the parent itself only waited: the grandchild's work
        assert rss_bytes(parent.pid) >= 64 * 2**20
    finally:
        subprocess.run(["pkill", "-KILL", "-s", str(parent.pid)], check=False)
        parent.wait(10)


def test_the_accept_floor_validates_and_stores_a_job_as_the_service_does(redis_server) -> None:  # type: ignore[no-untyped-def]
    """scripts/bench_load.py's floor (devtools/accept_floor.py) does the accept's unavoidable work:
    the service's schema refuses a bad article, and a good one is stored and queued by the service's
    job script, readable as the service reads a job."""
    import json

    import redis

    from devtools import accept_floor
    from store import jobs

    store = redis.Redis.from_url(redis_server.url.rsplit("/", 1)[0] + "/1")
    accept_floor.store = store
    try:
        client = accept_floor.app.test_client()
        article = json.loads((Path(__file__).parents[1] / "demo" / "article.json").read_text())["article"]
        answer = client.post("/accept", json={"article": article})
        assert answer.status_code == 202
        job = jobs.get_job(store, answer.get_json()["id"])
        assert job is not None and job["status"] == "queued"
        assert json.loads(store.get(jobs.job_key(job["id"], "article")))["body"] == article["body"]
        assert store.lrange(jobs.INTAKE, 0, -1) == [job["id"].encode()]
        assert client.post("/validate", json={"article": {**article, "body": ""}}).status_code == 500
        assert client.post("/validate", json={"article": article}).status_code == 202
    finally:
        store.flushdb()
        store.close()
