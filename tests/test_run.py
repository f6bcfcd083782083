"""`make run` as a newcomer uses it: it starts (its own Redis when none answers), enriches the demo
article, and Ctrl-C or one SIGTERM leaves no process of it behind within 15 s. A child that dies
at start is named, and the rest stopped; a taken receiver port is reported and another chosen.

Every process `make run` starts inherits RUN_TOKEN, so the test finds them all in /proc, even
those in process groups of their own."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from devtools.local_redis import free_port
from tests.conftest import ROOT, start_api, wait_for

STOP_WITHIN = 15.0


def processes_with(token: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if f"RUN_TOKEN={token}".encode() in environ.split(b"\0") and state != "Z":
            found.append(int(entry.name))
    return found


class MakeRun:
    def __init__(self, tmp_path: Path, **env: str) -> None:
        self.token = os.urandom(8).hex()
        self.port = free_port()
        self.env = {**os.environ, "RUN_TOKEN": self.token, "PORT": str(self.port),
                    "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0",  # nothing answers: it starts one
                    "DEMO_ARCHIVE": str(ROOT / "demo" / "sample_archive.jsonl"),
                    "RECEIVER_PORT": str(free_port()), "API_KEYS": "", "WEBHOOK_SECRET": "",
                    "RUN_DIR": str(tmp_path), **env}
        self.run_dir = tmp_path
        self.env.pop("PYTHONPATH", None)
        self.output: list[str] = []
        self.proc = subprocess.Popen(["make", "run"], cwd=ROOT, env=self.env, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True, start_new_session=True)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.output.append(line)

    @property
    def text(self) -> str:
        return "".join(self.output)

    def wait_running(self) -> None:
        wait_for(lambda: "Press Ctrl-C" in self.text or self.proc.poll() is not None, timeout=240)
        assert "Press Ctrl-C" in self.text, self.text

    def wait_gone(self) -> float:
        """Seconds until no process of this run is left (fails after STOP_WITHIN)."""
        started = time.monotonic()
        while processes_with(self.token) and time.monotonic() - started < STOP_WITHIN:
            time.sleep(0.1)
        left = processes_with(self.token)
        assert not left, f"left running after {STOP_WITHIN} s: {[_cmdline(p) for p in left]}\n{self.text}"
        return time.monotonic() - started

    def kill(self) -> None:
        for pid in processes_with(self.token):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return "?"


@pytest.fixture()
def held_port() -> Iterator[int]:
    """A port something else listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


@pytest.fixture()
def make_run(tmp_path: Path) -> Iterator[list[MakeRun]]:
    runs: list[MakeRun] = []
    yield runs
    for run in runs:
        run.kill()  # whatever a failed test left


def test_ctrl_c_stops_everything_after_the_demo_works(make_run, held_port, tmp_path):
    run = MakeRun(tmp_path, RECEIVER_PORT=str(held_port))
    make_run.append(run)
    run.wait_running()
    moved = re.search(rf"Port {held_port} is taken: the demo receiver listens on (\d+) instead", run.text)
    assert moved, run.text
    assert "Started redis-server" in run.text
    key = re.search(r"API key:\s+(\S+)", run.text).group(1)  # type: ignore[union-attr]
    request = urllib.request.Request(
        f"http://127.0.0.1:{run.port}/v1/enrichments", method="POST",
        data=(run.run_dir / "demo-request.json").read_bytes(),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json", "Prefer": "wait=20"})
    with urllib.request.urlopen(request, timeout=30) as response:
        job = json.load(response)
    assert job["status"] == "succeeded", job
    assert job["callback"]["url"] == f"http://127.0.0.1:{moved.group(1)}/hook"
    wait_for(lambda: "signature verified" in run.text, timeout=30)  # the receiver got it, signed
    started = processes_with(run.token)
    assert len(started) >= 5, [_cmdline(p) for p in started]  # redis, worker, API processes, receiver

    os.killpg(run.proc.pid, signal.SIGINT)  # what Ctrl-C in the terminal does
    run.wait_gone()
    assert run.proc.wait(5) is not None and "Stopped." in run.text


def test_one_sigterm_to_make_stops_everything(make_run, tmp_path):
    run = MakeRun(tmp_path)
    make_run.append(run)
    run.wait_running()
    assert len(processes_with(run.token)) >= 5
    run.proc.send_signal(signal.SIGTERM)  # to make alone, as a supervisor or `kill` would
    run.wait_gone()
    assert "SIGTERM: stopping" in run.text


def test_a_child_that_dies_at_start_is_named_and_the_rest_stopped(make_run, held_port, tmp_path):
    run = MakeRun(tmp_path, PORT=str(held_port))  # the API cannot bind its port
    make_run.append(run)
    assert run.proc.wait(120) != 0
    run.wait_gone()
    assert "api exited while starting" in run.text and "Address already in use" in run.text, run.text
    assert "The enrichment service is running" not in run.text


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_the_api_alone_stops_on_one_signal_to_its_main_process(redis_server, tmp_path, sig):
    """As Docker or systemd stop it: one signal to the server's main process, none to its workers
    (Granian's workers could hang at exit for minutes before WORKERS_KILL_TIMEOUT)."""
    token, port = os.urandom(8).hex(), free_port()
    env = {"RUN_TOKEN": token, "REDIS_URL": redis_server.url, "API_KEYS": "ops:key-ops-1", "RATE_LIMIT": "none"}
    proc = start_api(env, tmp_path / "api.log", port)
    try:
        assert len(processes_with(token)) >= 5  # the main process and its four workers
        proc.send_signal(sig)
        deadline = time.monotonic() + STOP_WITHIN
        while (proc.poll() is None or processes_with(token)) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert proc.poll() is not None and not processes_with(token), [_cmdline(p) for p in processes_with(token)]
    finally:
        for pid in processes_with(token):
            os.kill(pid, signal.SIGKILL)


def test_make_run_takes_a_sentinel_url(tmp_path):
    """REDIS_URL listing sentinels: make run asks them for the master, as the service does, instead
    of pinging the URL as a plain Redis (which raised at start); sentinels that do not answer stop
    it with a message that says what to start."""
    from devtools.local_redis import free_port
    from devtools.local_sentinel import MASTER_NAME, LocalFailoverSet
    from devtools.run_stack import StartFailed, local_redis

    failover = LocalFailoverSet(tmp_path)
    failover.start()
    try:
        assert local_redis(failover.url, MASTER_NAME) is None  # it answers: nothing of ours is started
    finally:
        failover.stop()
    with pytest.raises(StartFailed, match="start them first"):
        local_redis(f"sentinel://127.0.0.1:{free_port()}/0", MASTER_NAME)
