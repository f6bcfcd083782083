"""The benchmark's private stack: redis-server, one Celery worker, Granian and a callback receiver.

Everything binds to free 127.0.0.1 ports and a temporary directory, so an existing Redis (say at
6379) is never touched. `Stack` is a context manager that stops every process it started.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import redis
import requests
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from devtools.local_redis import free_port, redis_binary
from store.queues import WORKER_QUEUES

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"


def _tree(pid: int) -> list[int]:
    """`pid` and all its descendants (from /proc)."""
    children: dict[int, list[int]] = defaultdict(list)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children[int(fields[1])].append(int(stat.parent.name))
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo += children.get(current, [])
    return tree


def rss_bytes(pid: int) -> int:
    """Resident set size of the process tree rooted at `pid` (VmRSS summed over all descendants)."""
    total = 0
    for current in _tree(pid):
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            pass
    return total


TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """CPU time (user and system) the process tree rooted at `pid` has used so far, its live
    processes' own (a process that exited since is not counted)."""
    total = 0
    for current in _tree(pid):
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of proc(5))
    return total / TICKS


class CallbackReceiver:
    """A threaded HTTP server that verifies each webhook's signature (standardwebhooks) and
    records, per job id, every time (time.monotonic()) its callback arrived and its webhook-id."""

    def __init__(self, secret: str) -> None:
        self.webhook = Webhook(secret)
        self.arrivals: dict[str, list[float]] = defaultdict(list)
        self.kinds: dict[str, str] = {}
        self.webhook_ids: dict[str, set[str]] = defaultdict(set)
        self.rejected = 0
        self.cond = threading.Condition()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                body = self.rfile.read(int(self.headers.get("content-length", 0))).decode()
                ok = receiver.record(time.monotonic(), body, {k.lower(): v for k, v in self.headers.items()})
                self.send_response(204 if ok else 400)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        return Handler

    def record(self, at: float, body: str, headers: dict[str, str]) -> bool:
        """Verify one webhook and note its arrival; False when the signature is wrong."""
        try:
            self.webhook.verify(body, headers)
        except WebhookVerificationError:
            with self.cond:
                self.rejected += 1
            return False
        event = json.loads(body)
        with self.cond:
            self.arrivals[event["id"]].append(at)
            self.webhook_ids[event["id"]].add(headers.get("webhook-id", ""))
            self.kinds[event["id"]] = event["type"]
            self.cond.notify_all()
        return True

    def first(self, job_id: str) -> float | None:
        """When the job's first callback arrived (None: not yet)."""
        with self.cond:
            times = self.arrivals.get(job_id)
            return times[0] if times else None

    def wait_all(self, ids: list[str], stall: float, report_every: float = 0) -> set[str]:
        """Wait until every id has a callback, or until none arrived for `stall` seconds;
        return the ids still without one."""
        missing = set(ids)
        last_progress = last_report = time.monotonic()
        with self.cond:
            while missing:
                before = len(missing)
                missing = {i for i in missing if i not in self.arrivals}
                now = time.monotonic()
                if len(missing) < before:
                    last_progress = now
                if not missing or now - last_progress > stall:
                    break
                if report_every and now - last_report > report_every:
                    print(f"  callbacks: {len(ids) - len(missing)}/{len(ids)}", flush=True)
                    last_report = now
                self.cond.wait(0.5)
        return missing

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Stack:
    """redis-server, `celery worker` and Granian on free ports, plus an in-process receiver."""

    def __init__(self, api_key: str, secret: str, env: dict[str, str] | None = None) -> None:
        self.tmp = tempfile.TemporaryDirectory(prefix="bench-")
        self.dir = Path(self.tmp.name)
        self.redis_port, self.api_port = free_port(), free_port()
        self.redis_url = f"redis://127.0.0.1:{self.redis_port}/0"
        self.api = f"http://127.0.0.1:{self.api_port}"
        self.env = {"REDIS_URL": self.redis_url, "LOG_LEVEL": "WARNING", "API_KEYS": f"bench:{api_key}",
                    "WEBHOOK_SECRET": secret, "CALLBACK_ALLOW_HOSTS": "127.0.0.1",
                    "CALLBACK_RETRY_DELAYS": "1,2,5",
                    "RATE_LIMIT": "none", "MAX_QUEUE_DEPTH": "none", **(env or {})}
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self.receiver = CallbackReceiver(secret)
        self.redis = redis.Redis.from_url(self.redis_url)

    def __enter__(self) -> Stack:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is not None and not isinstance(exc[1], KeyboardInterrupt):
            self.print_logs()
        self.stop()

    def full_env(self) -> dict[str, str]:
        """The process environment with the stack's settings on top (for every child)."""
        return {**os.environ, **self.env}

    def _spawn(self, name: str, argv: list[str], env: dict[str, str] | None = None) -> None:
        log = (self.dir / f"{name}.log").open("ab")
        self.procs[name] = subprocess.Popen(argv, cwd=ROOT, env={**self.full_env(), **(env or {})}, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)

    def start(self) -> None:
        """Start everything and wait until the API's /readyz sees Redis and the worker."""
        self.receiver.start()
        self._spawn("redis", [redis_binary(), "--port", str(self.redis_port), "--bind", "127.0.0.1",
                              "--save", "", "--appendonly", "no", "--dir", str(self.dir)])
        self._wait(lambda: self.redis.ping(), "redis-server", 15)
        self.start_worker()
        self._spawn("api", self._granian(self.api_port, "service.wsgi:app"))
        self._wait(lambda: requests.get(self.api + "/readyz", timeout=5).status_code == 200,
                   "API and worker", 120)

    @staticmethod
    def _granian(port: int, target: str) -> list[str]:
        return [str(VENV_BIN / "granian"), "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port),
                "--workers", "4", "--blocking-threads", "1", "--log-config", "service/log_config.json",
                "--log-level", "warning", target]

    def start_floor(self) -> str:
        """Serve devtools/accept_floor.py (the accept path's floor) as the API is served, its jobs in
        Redis database 1, which no worker reads; return its URL."""
        port = free_port()
        self._spawn("floor", self._granian(port, "devtools.accept_floor:app"),
                    {"REDIS_URL": self.redis_url.rsplit("/", 1)[0] + "/1"})
        url = f"http://127.0.0.1:{port}"
        self._wait(lambda: requests.get(url + "/healthz", timeout=5).status_code == 200, "the floor app", 60)
        return url

    def stop_floor(self) -> None:
        self._terminate("floor")

    def start_worker(self) -> None:
        """As in make run (devtools/run_stack.py): the worker runs on CPU the API leaves idle; JSON logs."""
        self._spawn("worker", ["chrt", "--idle", "0", str(VENV_BIN / "celery"), "-q", "-A", "workers.worker",
                               "worker", "-Q", WORKER_QUEUES, "-c", self.env.get("WORKER_CONCURRENCY", "2"),
                               "--loglevel", "WARNING"])

    def stop_worker(self) -> None:
        """Stop the worker (its queued work stays in Redis for the next one)."""
        self._terminate("worker")

    def _wait(self, ready: Any, what: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if ready():
                    return
            except (redis.RedisError, requests.RequestException):
                pass
            dead = [name for name, proc in self.procs.items() if proc.poll() is not None]
            if dead or time.monotonic() > deadline:
                raise RuntimeError(f"{what} did not start (exited: {dead or 'none'})")
            time.sleep(0.2)

    def rss(self, name: str) -> int:
        """RSS in bytes of one started process and its children (`worker` or `api`)."""
        return rss_bytes(self.procs[name].pid)

    def cpu(self, name: str) -> float:
        """CPU seconds used so far by one started process and its children (`api`, `redis`, `worker`,
        `floor`)."""
        return cpu_seconds(self.procs[name].pid)

    def redis_memory(self) -> int:
        """Redis INFO memory used_memory, in bytes."""
        return int(self.redis.info("memory")["used_memory"])

    def print_logs(self, lines: int = 20) -> None:
        """Print the tail of each process's log (after a failure)."""
        for name in self.procs:
            path = self.dir / f"{name}.log"
            if path.exists():
                tail = path.read_text(errors="replace").splitlines()[-lines:]
                print(f"--- {name}.log ---", *tail, sep="\n")

    def _terminate(self, name: str) -> None:
        """SIGTERM one process group, SIGKILL it if it lingers."""
        proc = self.procs.pop(name, None)
        if proc is None or proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
        except ProcessLookupError:
            pass

    def stop(self) -> None:
        """SIGTERM each process group (the floor app, API, worker, then Redis), SIGKILL what lingers."""
        for name in ("floor", "api", "worker", "redis"):
            self._terminate(name)
        if self.receiver.thread.is_alive():
            self.receiver.stop()
        self.tmp.cleanup()


def run(main: Callable[[], int]) -> None:
    """Exit with main()'s status; on Ctrl-C or SIGTERM the stacks have been stopped on the way out."""
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("\nInterrupted; the stack was stopped.", file=sys.stderr)
        sys.exit(130)
