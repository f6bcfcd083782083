"""Real parts for every system test: a private Redis server, real Celery worker processes, and
the Flask app. Nothing is mocked; the Redis is started on a free port so no data is clobbered."""

from __future__ import annotations

import base64
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
from flask.testing import FlaskClient
from kombu.exceptions import OperationalError

from core.settings import Settings
from devtools.local_redis import RedisServer, free_port
from service import create_app
from store.jobs import PREFIX
from store.queues import QUEUES, WORKER_QUEUES
from workers.celery_app import create_celery

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_ARCHIVE = ROOT / "demo" / "sample_archive.jsonl"
SECRET = "whsec_" + base64.b64encode(b"test-secret-for-webhooks-32bytes").decode()
KEYS = {"alice": "key-alice-123", "bob": "key-bob-456"}
OPS_KEY = "key-ops-789"


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


def clear(url: str) -> None:
    """Remove every key the service keeps (all under store.jobs.PREFIX) and every queued message;
    the broker's own bindings stay, so the running workers go on consuming."""
    r = redis.Redis.from_url(url)
    keys = [*r.scan_iter(match=PREFIX + "*", count=1000), *QUEUES, "unacked", "unacked_index"]
    for i in range(0, len(keys), 1000):
        r.delete(*keys[i:i + 1000])
    r.close()


@pytest.fixture(autouse=True)
def clean_redis(redis_server: RedisServer) -> Iterator[None]:
    """Every test starts on an empty store and leaves one behind: no test sees another's data."""
    clear(redis_server.url)
    yield
    clear(redis_server.url)


def assert_nothing_more(count: Callable[[], int], expected: int, within: float = 1.5) -> None:
    """Fail as soon as `count()` exceeds `expected`; pass when `within` seconds go by without."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        assert count() <= expected, f"{count()} arrived, expected {expected}"
        time.sleep(0.05)
    assert count() == expected


@pytest.fixture(scope="session")
def env(redis_server: RedisServer) -> dict[str, str]:
    return {
        "REDIS_URL": redis_server.url,
        "API_KEYS": ",".join(f"{client}:{key}" for client, key in KEYS.items()),
        "OPS_KEYS": f"oncall:{OPS_KEY}",
        "WEBHOOK_SECRET": SECRET,
        "CALLBACK_ALLOW_HOSTS": "127.0.0.1,localhost",
        "CALLBACK_RETRY_DELAYS": "0.3,0.3",
        "CALLBACK_TIMEOUT": "3",
        "BROKER_VISIBILITY_TIMEOUT": "10",
        "JOB_STALL_SECONDS": "15",  # the watchdog re-queues a job with no progress for this long
        "RATE_LIMIT": "none",  # tests/test_limits.py sets its own
        "ARCHIVE_SHARES": "wire:alice,bob",  # a wire service's archive both newsrooms read (test_tenancy)
    }


class Worker:
    """A real `celery worker` process consuming every queue."""

    def __init__(self, env: dict[str, str], name: str, logdir: Path) -> None:
        self.env = {**os.environ, **env, "PYTHONPATH": str(ROOT)}
        self.name = name
        self.log = logdir / f"{name}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-q", "-A", "workers.worker", "worker", "-Q",
             WORKER_QUEUES, "-c", "2", "-n", f"{self.name}@%h", "--loglevel", "INFO"],
            env=self.env, cwd=ROOT, stdout=self.log.open("ab"), stderr=subprocess.STDOUT,
            start_new_session=True)

    def wait_ready(self, celery_app: object, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                replies = celery_app.control.ping(destination=[self._hostname()], timeout=0.5)  # type: ignore[attr-defined]
            except (redis.ConnectionError, OperationalError):  # a broker connection dropped while starting
                replies = []
                time.sleep(0.2)
            if replies:
                return
            assert self.proc and self.proc.poll() is None, self.log.read_text()[-3000:]
        raise TimeoutError(f"worker {self.name} did not answer: {self.log.read_text()[-3000:]}")

    def _hostname(self) -> str:
        return f"{self.name}@{socket.gethostname()}"

    def restart_if_exited(self) -> None:
        """What a process supervisor does: start the worker again if it has exited."""
        if self.proc and self.proc.poll() is not None:
            self.start()

    def kill(self) -> None:
        """SIGKILL the whole worker: main process and pool children, as a crash would."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            stop_group(self.proc)


def stop_group(proc: subprocess.Popen, wait: float = 20) -> None:  # type: ignore[type-arg]
    """SIGTERM a process started with start_new_session (a graceful stop), SIGKILL if it hangs."""
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(wait)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


@pytest.fixture(scope="session")
def celery_app(env: dict[str, str]):  # type: ignore[no-untyped-def]
    return create_celery(Settings.from_env(env))


@pytest.fixture(scope="session")
def worker(env: dict[str, str], celery_app, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Worker]:  # type: ignore[no-untyped-def]
    proc = Worker(env, "main", tmp_path_factory.mktemp("logs"))
    proc.start()
    proc.wait_ready(celery_app)
    yield proc
    proc.stop()


@pytest.fixture(scope="session")
def app(env: dict[str, str]):  # type: ignore[no-untyped-def]
    return create_app(env)


@pytest.fixture()
def client(app):  # type: ignore[no-untyped-def]
    return app.test_client()


def auth(client_name: str = "alice") -> dict[str, str]:
    return {"Authorization": f"Bearer {KEYS[client_name]}"}


def ops_auth() -> dict[str, str]:
    return {"Authorization": f"Bearer {OPS_KEY}"}


def wait_for(predicate, timeout: float = 60, interval: float = 0.1):  # type: ignore[no-untyped-def]
    """Poll until predicate() returns something truthy; return it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError("condition not met in time")


@pytest.fixture()
def sample_archive(app, worker) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    """The sample archive, imported through the API and indexed by the worker."""
    body = SAMPLE_ARCHIVE.read_text()
    test_client = app.test_client()
    response = test_client.post("/v1/archive/articles", data=body, headers={
        **auth(), "Content-Type": "application/x-ndjson"})
    assert response.status_code == 202, response.json
    records = [json.loads(line) for line in body.splitlines() if line.strip()]
    for record in records:
        wait_for(lambda rid=record["id"]: test_client.get(
            f"/v1/archive/articles/{rid}", headers=auth()).status_code == 200)
    return records


@dataclass
class Stack:
    """A private Redis, worker and app, so a drill can break them without disturbing other tests."""

    redis: RedisServer
    worker: Worker
    client: FlaskClient


@pytest.fixture()
def stack(env, tmp_path, request) -> Iterator[Stack]:  # type: ignore[no-untyped-def]
    server = RedisServer(tmp_path / "redis")
    server.start()
    drill_env = {**env, **getattr(request, "param", {}), "REDIS_URL": server.url}
    drill_worker = Worker(drill_env, "drill", tmp_path)
    drill_worker.start()
    try:
        drill_worker.wait_ready(create_celery(Settings.from_env(drill_env)))
        yield Stack(server, drill_worker, create_app(drill_env).test_client())
    finally:
        drill_worker.stop()
        server.stop()


@pytest.fixture()
def api(env, worker, tmp_path):  # type: ignore[no-untyped-def]
    """The URL of a real API process (start_api) beside the test worker."""
    port = free_port()
    proc = start_api(env, tmp_path / "api.log", port)
    yield f"http://127.0.0.1:{port}"
    stop_group(proc)


def start_api(env: dict[str, str], log: Path, port: int) -> subprocess.Popen:  # type: ignore[type-arg]
    """`python -m service.serve` (Granian, as make run and the image start it) on `port`, once it
    answers /healthz; its output in `log`. Stop it with stop_group."""
    proc = subprocess.Popen([sys.executable, "-m", "service.serve"], cwd=ROOT,
                            env={**os.environ, **env, "PORT": str(port), "PYTHONPATH": str(ROOT)},
                            stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True)

    def healthy() -> bool:
        try:
            return urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).status == 200
        except OSError:
            return False
    try:
        wait_for(healthy, timeout=60)
    except TimeoutError:
        stop_group(proc)
        raise
    return proc
