"""Where an also-read look-up's time goes as the archive grows: Redis's own time per command (INFO
commandstats) and the client's profile (cProfile), at the 22,099 real articles and again at
`--articles` (made distinct from them as `make bench-archive` makes them), on one Redis (or, with
`--cluster`, a three-master Redis Cluster as the bench's).

    .venv/bin/python scripts/profile_lookups.py [--articles 1000000] [--top 15] [--cluster]

The same 200 look-ups as `make bench-archive` (store/archive_search.related, enrich/also_read.rank),
each size's pass run once to warm up, then once measured with the document-frequency cache emptied
(as the bench's passes are). Under cProfile the client is slower than in the bench: compare the
two sizes within a run, and Redis's time (not profiled) with the bench's latencies.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench_archive import DAY, base_documents, build, lookup, queries

from core.settings import Settings
from devtools.local_cluster import LocalCluster
from devtools.local_redis import RedisServer
from store import archive_index
from store.connection import archive_store, compact_documents


def command_time(r: Any) -> dict[str, tuple[int, int]]:
    """Redis's calls and microseconds so far, per command (summed over a cluster's masters)."""
    if not hasattr(r, "get_primaries"):
        return {name.removeprefix("cmdstat_"): (s["calls"], s["usec"]) for name, s in r.info("commandstats").items()}
    out: dict[str, tuple[int, int]] = {}
    for node in r.get_primaries():
        for name, s in r.info("commandstats", target_nodes=node).items():
            calls, usec = out.get(name.removeprefix("cmdstat_"), (0, 0))
            out[name.removeprefix("cmdstat_")] = (calls + s["calls"], usec + s["usec"])
    return out


def profile(r: Any, prepared: list[dict[str, Any]], as_of: float, label: str, top: int) -> None:
    archive_index._df_cache.clear()
    for p in prepared:  # a pass to warm up, as the bench's first pass does
        lookup(r, p, as_of)
    archive_index._df_cache.clear()
    before, started = command_time(r), time.perf_counter()
    profiler = cProfile.Profile()
    profiler.enable()
    for p in prepared:
        lookup(r, p, as_of)
    profiler.disable()
    n = len(prepared)
    wall = (time.perf_counter() - started) * 1000 / n
    spent = {c: (calls - before.get(c, (0, 0))[0], usec - before.get(c, (0, 0))[1])
             for c, (calls, usec) in command_time(r).items()}
    print(f"\n== {label} articles: {wall:.1f} ms a look-up under the profiler; Redis's own time "
          f"{sum(u for _, u in spent.values()) / 1000 / n:.2f} ms a look-up")
    print(f"   {'command':<20}{'calls a look-up':>16}{'Redis ms a look-up':>20}")
    for command, (calls, usec) in sorted(spent.items(), key=lambda kv: -kv[1][1]):
        if calls and command != "info":  # our own reading of the counts
            print(f"   {command:<20}{calls / n:>16.1f}{usec / 1000 / n:>20.2f}")
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(top)
    print(out.getvalue().split("\n\n", 1)[-1].rstrip())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--top", type=int, default=15, help="profile lines printed per size")
    parser.add_argument("--cluster", action="store_true", help="on a three-master Redis Cluster instead")
    args = parser.parse_args()
    model = Settings().nlp_pipeline
    print("Analysing (or reading the cached analyses of) gva_news and Reuters...", file=sys.stderr)
    base, prepared = base_documents(model), queries(model)
    newest = max(d["ts"] for d in base) + DAY
    workdir = Path(tempfile.mkdtemp(prefix="profile-lookups-"))
    server = LocalCluster(workdir, appendonly=False) if args.cluster else RedisServer(workdir, appendonly=False)
    server.start()
    try:
        r = archive_store(server.url, args.cluster)
        compact_documents(r)  # as the index workers do
        build(r, base, 0, len(base), newest)
        profile(r, prepared, newest, f"{len(base):,}", args.top)
        if args.articles > len(base):
            build(r, base, len(base), args.articles, newest)
            profile(r, prepared, newest, f"{args.articles:,}", args.top)
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
