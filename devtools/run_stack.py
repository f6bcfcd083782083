"""`make run`: start Redis (if none answers), a worker, the API and a demo callback receiver, load a
demo archive, and stop everything on Ctrl-C or one SIGTERM.

Every child runs in a process group of its own, so the terminal's Ctrl-C reaches only this
launcher, which then stops the children in order: SIGTERM to each group, and SIGKILL to any group
still alive STOP_SECONDS later. Nothing it started outlives it. If a child exits while the stack
starts, the launcher says which (with the end of its log), stops the rest and exits 1: never an
API without a worker behind it. Once up, a child that exits is started again, as a supervisor
(Docker's restart policy, systemd) would: a Celery worker can exit when Redis goes away.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

import redis

from core.settings import DEFAULT_SENTINEL_MASTER, Settings, sentinel_hosts
from devtools.local_redis import RedisServer, answers, free_port
from store.connection import redis_store

ROOT = Path(__file__).resolve().parent.parent
RUN = Path(os.environ.get("RUN_DIR", ROOT / ".run")).resolve()  # logs, the demo request, Redis's files
STOP_SECONDS = 10.0
START_SECONDS = 120.0
REUTERS = ROOT.parent / "shared" / "data" / "reuters21578" / "articles.jsonl"
SAMPLE = ROOT / "demo" / "sample_archive.jsonl"


class Stop(Exception):
    """SIGINT or SIGTERM arrived."""


class StartFailed(Exception):
    """A child exited while the stack was starting."""


def say(message: str) -> None:
    print(message, flush=True)


class Child:
    """A command in its own process group, its output in a log file (or ours)."""

    def __init__(self, name: str, argv: Sequence[str], env: dict[str, str], log: Path | None,
                 supervised: bool = True) -> None:
        self.name, self.argv, self.env, self.log = name, list(argv), env, log
        self.supervised = supervised
        self.proc: subprocess.Popen[bytes] | None = None
        self.restarts, self.started_at = 0, 0.0

    def start(self) -> None:
        out = self.log.open("ab") if self.log else None
        self.proc = subprocess.Popen(self.argv, env=self.env, cwd=ROOT, stdout=out,
                                     stderr=subprocess.STDOUT if out else None, start_new_session=True)
        self.started_at = time.monotonic()

    def exited(self) -> int | None:
        return None if self.proc is None else self.proc.poll()

    def tail(self, lines: int = 12) -> str:
        """The end of the log, without the frames of a native backtrace (Granian prints one)."""
        if not self.log or not self.log.exists():
            return ""
        text = self.log.read_text(errors="replace").split("Stack backtrace:")[0]
        return "\n".join(text.rstrip().splitlines()[-lines:])

    def signal_group(self, sig: int) -> None:
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, sig)  # the group outlives its leader: grandchildren too
        except ProcessLookupError:
            pass

    def group_alive(self) -> bool:
        if self.proc is None:
            return False
        self.proc.poll()  # reap the leader, so a zombie does not count
        try:
            os.killpg(self.proc.pid, 0)
        except ProcessLookupError:
            return False
        return True


def stop_all(children: list[Child]) -> None:
    """SIGTERM every group, then SIGKILL what is left after STOP_SECONDS."""
    for child in children:
        child.signal_group(signal.SIGTERM)
    deadline = time.monotonic() + STOP_SECONDS
    while any(c.group_alive() for c in children) and time.monotonic() < deadline:
        time.sleep(0.1)
    for child in children:
        if child.group_alive():
            say(f"{child.name} did not stop within {STOP_SECONDS:.0f} s: killed")
            child.signal_group(signal.SIGKILL)
    for child in children:
        if child.proc is not None:
            try:
                child.proc.wait(5)
            except subprocess.TimeoutExpired:
                pass


def check_started(children: list[Child]) -> None:
    for child in children:
        code = child.exited()
        if code is not None:
            raise StartFailed(f"{child.name} exited while starting (exit code {code})."
                              + (f" The end of {child.log}:\n{child.tail()}" if child.log else ""))


def wait_until(what: str, ready, children: list[Child], timeout: float = START_SECONDS) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not ready():
        check_started(children)
        if time.monotonic() > deadline:
            raise StartFailed(f"{what} not ready after {timeout:.0f} s")
        time.sleep(0.2)


def http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def port_taken(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def environment() -> tuple[dict[str, str], str]:
    """The children's environment, and the demo API key."""
    env = dict(os.environ)
    env.setdefault("PORT", "8000")
    env.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
    if not env.get("API_KEYS"):
        env["API_KEYS"] = "demo:demo_" + secrets.token_hex(12)
    key = env["API_KEYS"].split(",")[0].partition(":")[2]
    if not env.get("OPS_KEYS"):
        env["OPS_KEYS"] = "ops:ops_" + secrets.token_hex(12)
    if not env.get("WEBHOOK_SECRET"):
        env["WEBHOOK_SECRET"] = "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()
    env.setdefault("CALLBACK_ALLOW_HOSTS", "127.0.0.1,localhost")
    env["PYTHONPATH"] = str(ROOT)
    return env, key


def local_redis(url: str, master: str = DEFAULT_SENTINEL_MASTER) -> RedisServer | None:
    """A redis-server of our own at `url` when nothing answers there (None: one answers). A URL
    of sentinels is asked for its master, as the service asks it; make run starts no sentinels."""
    if sentinel_hosts(url):
        try:
            redis_store(url, master, socket_connect_timeout=2, socket_timeout=2).ping()
        except redis.RedisError as exc:
            raise StartFailed(f"The sentinels at {url} give no master {master!r} that answers ({exc}): start "
                              "them first, or set REDIS_SENTINEL_MASTER.") from exc
        say(f"Redis answers at {url} (master {master!r})")
        return None
    if answers(url):
        say(f"Redis answers at {url}")
        return None
    parts = urlsplit(url)
    if parts.hostname not in {"127.0.0.1", "localhost"}:
        raise StartFailed(f"Redis at {url} does not answer, and it is not local: start it first.")
    server = RedisServer(RUN / "redis", port=parts.port or 6379, own_session=True)
    server.start()
    say(f"Started redis-server on 127.0.0.1:{server.port} (append-only file in {RUN / 'redis'})")
    return server


def demo_archive(settings: Settings) -> tuple[str, str, str]:
    """(path, format, limit) of the demo archive; path 'none' loads nothing."""
    path = settings.demo_archive or str(REUTERS if REUTERS.exists() else SAMPLE)
    fmt = "reuters" if "reuters" in path else "gva" if "gva" in path else "article"
    return path, fmt, str(settings.demo_archive_limit)


def run() -> int:
    RUN.mkdir(exist_ok=True)
    env, key = environment()
    settings = Settings.from_env(env)  # checked here: a malformed setting stops make run, named
    url = f"http://127.0.0.1:{settings.port}"
    python = sys.executable
    asked = int(env.get("RECEIVER_PORT", "8001"))
    receiver_port = asked
    if port_taken(asked):
        receiver_port = free_port()
        say(f"Port {asked} is taken: the demo receiver listens on {receiver_port} instead.")
    worker = Child("worker", ["chrt", "--idle", "0", python, "-m", "celery", "-q", "-A", "workers.worker",
                              "worker", "-Q", "deliver,finish,enrich,index",
                              "-c", str(settings.worker_concurrency), "--loglevel", settings.log_level],
                   env, RUN / "worker.log")
    api = Child("api", [python, "-m", "service.serve"], env, RUN / "api.log")
    receiver = Child("receiver", [python, "scripts/demo_receiver.py", str(receiver_port)], env, None)
    children = [api, receiver, worker]
    redis_server: RedisServer | None = None

    def on_signal(signum: int, _frame: object) -> None:
        raise Stop(signal.Signals(signum).name)

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    return_code = 0
    try:
        redis_server = local_redis(settings.redis_url, settings.redis_sentinel_master)
        for child in (worker, api, receiver):
            child.start()
        say("Starting the worker (loads spaCy), the API and the demo receiver...")
        wait_until("the API", lambda: http_ok(url + "/healthz"), children)
        wait_until("the demo receiver", lambda: port_taken(receiver_port), children)
        wait_until("the worker", lambda: http_ok(url + "/readyz"), children)
        path, fmt, limit = demo_archive(settings)
        if path != "none":
            say(f"Loading the demo archive {path} (at most {limit} articles)...")
            demo_client = env["API_KEYS"].split(",")[0].partition(":")[0]  # the demo key's own archive
            loader = Child("archive import", [python, "-m", "flask", "--app", "service", "archive", "import",
                                              path, "--format", fmt, "--limit", limit, "--client", demo_client,
                                              "--wait"], env, None, supervised=False)
            loader.start()
            try:
                wait_until("the archive import", lambda: loader.exited() is not None, children, timeout=1800)
            finally:
                stop_all([loader])
            if loader.exited():
                raise StartFailed(f"the archive import failed (exit code {loader.exited()})")
        subprocess.run([python, "scripts/demo_article.py", path, fmt, limit,
                        f"http://127.0.0.1:{receiver_port}/hook", str(RUN / "demo-request.json")],
                       check=True, cwd=ROOT, env=env)
        # The README's tour starts with `. .run/env`.
        ops_key = env["OPS_KEYS"].split(",")[0].partition(":")[2]
        (RUN / "env").write_text(f"export URL={url} KEY={key} OPS_KEY={ops_key}\n")
        banner(url, key, ops_key, env["WEBHOOK_SECRET"])
        supervise(children)
    except Stop as why:
        say(f"\n{why}: stopping...")
    except StartFailed as exc:
        say(f"\nmake run could not start: {exc}\nStopping the rest...")
        return_code = 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the stop short
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stop_all(children)
        if redis_server is not None:
            redis_server.stop()
        say("Stopped.")
    return return_code


def supervise(children: list[Child]) -> None:
    """Start a child again when it exits (waiting longer each time one keeps failing fast)."""
    while True:
        time.sleep(0.5)
        for child in children:
            code = child.exited()
            if code is None or not child.supervised:
                continue
            quick = time.monotonic() - child.started_at < 60
            child.restarts = child.restarts + 1 if quick else 1
            delay = min(60, 2 ** child.restarts)
            say(json.dumps({"level": "WARNING", "logger": "run", "message":
                            f"{child.name} exited ({code}); starting it again in {delay} s"}))
            time.sleep(delay)
            child.start()


def banner(url: str, key: str, ops_key: str, secret: str) -> None:
    run = os.path.relpath(RUN)
    say(f"""
The enrichment service is running.
  API:          {url}   (interactive docs: {url}/docs, OpenAPI: {url}/openapi.json)
  API key:      {key}
  Ops key:      {ops_key}   (queues and /metrics)
  Webhook key:  {secret}
  Logs:         {run}/api.log {run}/worker.log
  Callbacks go to a local receiver that verifies each signature and prints a summary below.

Enrich the demo article:
  curl -si -X POST {url}/v1/enrichments -H "Authorization: Bearer {key}" \\
       -H "Content-Type: application/json" -d @{run}/demo-request.json
Then read the job (the id is in the answer):
  curl -s {url}/v1/enrichments/<id> -H "Authorization: Bearer {key}"

Press Ctrl-C to stop everything this started.""")


if __name__ == "__main__":
    sys.exit(run())
