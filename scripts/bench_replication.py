"""What waiting for a replica costs an accepted job: POST /v1/enrichments latency with
REDIS_WAIT_REPLICAS=1 (the 202 only once a replica holds the job) beside 0 (the baseline), against
a local master, replica and three sentinels (devtools/local_sentinel.py), in one run.

    .venv/bin/python scripts/bench_replication.py [--posts 500] [--json OUT]

The API runs in-process (Flask's test client: no HTTP server in the figures); no worker runs, so
jobs only queue.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from devtools.local_sentinel import MASTER_NAME, LocalFailoverSet  # noqa: E402
from service import create_app  # noqa: E402

ARTICLE = {"title": "Harwick strike", "body": "The Harwick Dockers Union voted to strike on Monday over pay."}


def latencies(env: dict[str, str], posts: int) -> list[float]:
    client = create_app(env).test_client()
    headers = {"Authorization": "Bearer bench-key"}
    out = []
    for _ in range(posts):
        started = time.perf_counter()
        response = client.post("/v1/enrichments", json={"article": ARTICLE}, headers=headers)
        out.append((time.perf_counter() - started) * 1000)
        if response.status_code != 202:
            raise RuntimeError(response.json)
    return sorted(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=500)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    failover_set = LocalFailoverSet(Path(tempfile.mkdtemp(prefix="bench-replication-")))
    failover_set.start()
    try:
        env = {"REDIS_URL": failover_set.url, "REDIS_SENTINEL_MASTER": MASTER_NAME, "API_KEYS": "bench:bench-key",
               "WEBHOOK_SECRET": "whsec_YmVuY2gtc2VjcmV0LWJlbmNoLXNlY3JldA==", "RATE_LIMIT": "none",
               "MAX_QUEUE_DEPTH": "none", "LOG_LEVEL": "WARNING"}
        rows = {}
        for replicas in ("0", "1", "0", "1"):  # interleaved, so drift hits both alike
            rows.setdefault(replicas, []).extend(latencies({**env, "REDIS_WAIT_REPLICAS": replicas}, args.posts // 2))
    finally:
        failover_set.stop()
    machine = f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores"
    print(f"\nAccept latency (POST /v1/enrichments, in-process) on a master with one replica ({machine})")
    print(f"{'REDIS_WAIT_REPLICAS':<22}{'posts':>7}{'p50 ms':>9}{'p95 ms':>9}")
    figures = {}
    for replicas, times in sorted(rows.items()):
        times.sort()
        figures[replicas] = {"p50_ms": statistics.median(times), "p95_ms": times[int(0.95 * (len(times) - 1))]}
        print(f"{replicas:<22}{len(times):>7}{figures[replicas]['p50_ms']:>9.2f}{figures[replicas]['p95_ms']:>9.2f}")
    if args.json:
        args.json.write_text(json.dumps({"machine": machine, "posts": args.posts, "latency": figures}) + "\n")


if __name__ == "__main__":
    main()
