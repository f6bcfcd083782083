"""Benchmark the enrichment service end to end on a private stack, each figure beside a baseline.

    .venv/bin/python scripts/bench_service.py [--posts 1000] [--archive-size 2000]
        [--archive FILE --format reuters|gva|article] [--json OUT]

Starts its own redis-server, Celery worker, Granian and callback receiver (devtools/stack.py),
loads an archive through the real CLI, then measures accept latency, idle POST-to-callback time,
end-to-end throughput of a burst (with lost and duplicate callbacks) and memory.
"""

from __future__ import annotations

import argparse
import base64
import json
import math
import os
import platform
import secrets
import subprocess
import time
from itertools import islice
from pathlib import Path
from typing import Any

import requests

from devtools.stack import ROOT, VENV_BIN, Stack, run
from service.archive_formats import FORMATS, from_reuters
from store import archive_index

REUTERS = ROOT.parent / "shared" / "data" / "reuters21578" / "articles.jsonl"
IDLE_RUNS = 10
INDEX_SAMPLE = 200


def parse_args() -> argparse.Namespace:
    """Command-line options; the archive defaults to Reuters when present, else the demo sample."""
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--posts", type=int, default=1000, help="POSTs in the burst (default 1000)")
    p.add_argument("--archive-size", type=int, default=2000, help="articles to import (default 2000)")
    p.add_argument("--archive", type=Path, help="JSONL archive (default: Reuters, else demo sample)")
    p.add_argument("--format", choices=sorted(FORMATS), help="record format of --archive")
    p.add_argument("--stall", type=float, default=180, help="seconds without any callback before "
                   "the rest count as lost (default 180)")
    p.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = p.parse_args()
    if args.archive is None:
        args.archive = REUTERS if REUTERS.exists() else ROOT / "demo" / "sample_archive.jsonl"
    if args.format is None:
        name = args.archive.name.lower() + str(args.archive).lower()
        args.format = "reuters" if "reuters" in name else "gva" if "gva" in name else "article"
    return args


def machine() -> dict[str, Any]:
    """nproc, CPU model, total memory and Python version."""
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = next((ln.split(":", 1)[1].strip() for ln in cpuinfo.splitlines()
                  if ln.startswith("model name")), platform.processor() or "unknown")
    mem_kb = next(int(ln.split()[1]) for ln in Path("/proc/meminfo").read_text().splitlines()
                  if ln.startswith("MemTotal:"))
    return {"nproc": os.cpu_count(), "cpu": model, "mem_total_gb": round(mem_kb / 2**20, 1),
            "python": platform.python_version()}


def archive_records(path: Path, fmt: str) -> list[dict[str, Any]]:
    """The mapped records of the archive file, in file order, as the CLI's mapper sees them."""
    mapper = FORMATS[fmt]
    with path.open(encoding="utf-8") as lines:
        return [m for m in (mapper(json.loads(ln)) for ln in lines if ln.strip()) if m is not None]


def test_articles(args: argparse.Namespace, count: int, run: str) -> list[dict[str, Any]]:
    """Unseen Reuters stories after the imported range (title, date, body >= 500 chars), with
    fresh ids; else copies of the demo article with unique ids."""
    if args.format == "reuters":
        picked = []
        with args.archive.open(encoding="utf-8") as lines:
            mapped = 0
            for line in lines:
                record = json.loads(line) if line.strip() else {}
                article = from_reuters(record)
                if article is None:
                    continue
                mapped += 1
                if mapped > args.archive_size and len(record["body"]) >= 500:
                    picked.append({**article, "id": f"bench-{run}-{record['newid']}"})
                    if len(picked) == count:
                        break
        if picked:  # reuse texts (with new ids) if the file ran out
            return [{**picked[i % len(picked)], "id": f"{picked[i % len(picked)]['id']}-{i}"}
                    for i in range(count)]
    demo = json.loads((ROOT / "demo" / "article.json").read_text())["article"]
    return [{**demo, "id": f"demo-bench-{run}-{i}"} for i in range(count)]


def pure_baselines(articles: list[dict[str, Any]], archive: list[dict[str, Any]]) -> dict[str, float]:
    """Articles/s for one core without Celery or Redis: the enrichment stages that need no
    archive (prepare, implications, key points) and archive indexing (prepare_archive_docs)."""
    from core.settings import Settings
    from enrich import implications, key_points, nlp
    from enrich.prepare import prepare_archive_docs, prepare_article
    from schemas.article import ArchiveArticleSchema

    model = Settings.from_env().nlp_pipeline
    nlp.load(model)  # load once, outside the timing (the worker's first job pays for it)
    started = time.perf_counter()
    for article in articles:
        prepared = prepare_article(article, model)
        text, sentences = prepared["text"], prepared["sentences"]
        implications.implications(text, sentences, 5)
        key_points.key_points(text, sentences, prepared["entities"], prepared["terms"])
    pipeline = len(articles) / (time.perf_counter() - started)
    docs = [ArchiveArticleSchema().load(a) for a in archive]
    docs = [{**d, "published_at": d["published_at"].isoformat()} for d in docs]
    started = time.perf_counter()
    prepare_archive_docs(docs, model)
    return {"pipeline_per_s": pipeline, "index_per_s": len(docs) / (time.perf_counter() - started)}


def import_archive(stack: Stack, args: argparse.Namespace) -> dict[str, Any]:
    """`flask --app service archive import --wait` with the stack's env; size and rate."""
    argv = [str(VENV_BIN / "flask"), "--app", "service", "archive", "import", str(args.archive),
            "--format", args.format, "--limit", str(args.archive_size), "--wait", "--allow-refused"]
    started = time.monotonic()
    done = subprocess.run(argv, cwd=ROOT, env=stack.full_env(), capture_output=True, text=True)
    seconds = time.monotonic() - started
    if done.returncode != 0:
        raise RuntimeError(f"archive import failed:\n{done.stdout}\n{done.stderr}")
    size = archive_index.size(stack.redis, *archive_index.names(stack.redis))
    return {"size": size, "seconds": seconds, "per_s": size / seconds,
            "cli_says": next((ln for ln in done.stdout.splitlines() if ln.startswith("Queued")), "")}


def post(session: requests.Session, api: str, article: dict[str, Any], callback: str) -> str:
    """POST one enrichment; return the job id (raises unless 202)."""
    response = session.post(api + "/v1/enrichments", json={"article": article, "callback_url": callback})
    if response.status_code != 202:
        raise RuntimeError(f"POST answered {response.status_code}: {response.text[:300]}")
    return str(response.json()["id"])


def idle_latency(stack: Stack, session: requests.Session, articles: list[dict[str, Any]],
                 stall: float) -> dict[str, Any]:
    """POST-to-callback seconds for articles sent one at a time, and the jobs' summed stage timings."""
    totals, stages = [], []
    for article in articles:
        started = time.monotonic()
        job_id = post(session, stack.api, article, stack.receiver.url)
        if stack.receiver.wait_all([job_id], stall):
            raise RuntimeError(f"no callback for {job_id} within {stall}s")
        totals.append((stack.receiver.first(job_id) or 0) - started)
        job = session.get(f"{stack.api}/v1/enrichments/{job_id}").json()
        stages.append(sum(job["timings_ms"].values()) / 1000)
    return {"post_to_callback_s": totals, "stage_sum_s": stages}


def timed_requests(n: int, send: Any) -> tuple[list[float], float]:
    """Call send(i) n times; per-call seconds and the calls per second overall."""
    latencies = []
    started = time.perf_counter()
    for i in range(n):
        t0 = time.perf_counter()
        send(i)
        latencies.append(time.perf_counter() - t0)
    return latencies, n / (time.perf_counter() - started)


def burst(stack: Stack, session: requests.Session, articles: list[dict[str, Any]],
          stall: float) -> dict[str, Any]:
    """POST every article back to back, then wait for all callbacks; latency, throughput, losses."""
    ids: list[str] = []
    started = time.monotonic()
    latencies, rate = timed_requests(len(articles), lambda i: ids.append(
        post(session, stack.api, articles[i], stack.receiver.url)))
    posted = time.monotonic()
    print(f"  {len(ids)} accepted in {posted - started:.1f} s; waiting for their callbacks...", flush=True)
    lost = stack.receiver.wait_all(ids, stall, report_every=15)
    last = max((stack.receiver.first(i) or 0) for i in ids)
    time.sleep(3)  # let a late duplicate (a retry after a slow answer) arrive before counting
    with stack.receiver.cond:
        duplicates = sum(len(stack.receiver.arrivals[i]) - 1 for i in ids if i in stack.receiver.arrivals)
        failed = sum(1 for i in ids if stack.receiver.kinds.get(i) == "enrichment.failed")
    return {"accept_s": latencies, "posts_per_s": rate, "lost": len(lost), "duplicates": duplicates,
            "failed": failed, "end_to_end_s": last - started, "drain_after_posts_s": last - posted,
            "end_to_end_per_s": (len(ids) - len(lost)) / (last - started)}


def pct(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def report(facts: dict[str, Any], figures: dict[str, Any]) -> list[tuple[str, str, str]]:
    """The table's rows: (measure, service figure, baseline figure and what it is)."""
    arc, acc, health, idle = figures["archive"], figures["burst"], figures["healthz"], figures["idle"]
    pure, mem = figures["pure"], figures["memory"]
    ms = lambda s: f"{s * 1000:.1f} ms"  # noqa: E731
    mb = lambda b: f"{b / 2**20:.0f} MB"  # noqa: E731
    rows = [("archive indexed (CLI --wait)", f"{arc['per_s']:.1f} art/s",
             f"{pure['index_per_s']:.1f} art/s  prepare_archive_docs in-process, 1 core")]
    for p in (50, 90, 99, 100):
        name = "max" if p == 100 else f"p{p}"
        rows.append((f"accept latency {name}", ms(pct(acc["accept_s"], p)),
                     f"{ms(pct(health['latency_s'], p))}  GET /healthz, same session"))
    rows += [
        ("accept rate (sequential)", f"{acc['posts_per_s']:.0f} POST/s",
         f"{health['per_s']:.0f} GET/s  GET /healthz"),
        ("idle POST->callback p50", ms(pct(idle["post_to_callback_s"], 50)),
         f"{ms(pct(idle['stage_sum_s'], 50))}  sum of the job's stage timings_ms"),
        ("idle POST->callback max", ms(max(idle["post_to_callback_s"])),
         f"{ms(max(idle['stage_sum_s']))}  sum of the job's stage timings_ms"),
        ("end-to-end throughput", f"{acc['end_to_end_per_s']:.2f} art/s",
         f"{pure['pipeline_per_s']:.2f} art/s  prepare+implications+key_points, 1 core"),
        ("burst: first POST -> last callback", f"{acc['end_to_end_s']:.1f} s",
         f"{acc['drain_after_posts_s']:.1f} s  of it after the last POST"),
        ("lost / duplicate / failed callbacks", f"{acc['lost']} / {acc['duplicates']} / {acc['failed']}",
         f"{figures['rejected_signatures']} bad signatures  (all must be 0)"),
        ("worker RSS (process tree)", mb(mem["worker_rss"]), f"{mb(mem['worker_rss_idle'])}  idle, at start"),
        ("API RSS (Granian process tree)", mb(mem["api_rss"]), f"{mb(mem['api_rss_idle'])}  idle, at start"),
        ("redis bytes / archived article", f"{mem['redis_after_import'] / max(arc['size'], 1):,.0f} B",
         f"{(mem['redis_after_import'] - mem['redis_empty']) / max(arc['size'], 1):,.0f} B  net of the "
         f"empty Redis ({mb(mem['redis_empty'])})"),
        ("redis used_memory after the run", mb(mem["redis_after_run"]),
         f"{mb(mem['redis_after_import'])}  after import, before any job"),
    ]
    return rows


def print_table(facts: dict[str, Any], figures: dict[str, Any], args: argparse.Namespace) -> None:
    """Machine facts, run configuration and the figures table."""
    arc = figures["archive"]
    print(f"\nMachine: {facts['nproc']} CPUs ({facts['cpu']}), {facts['mem_total_gb']} GB RAM, "
          f"Python {facts['python']}")
    print(f"Archive: {arc['size']} articles from {args.archive.name} ({args.format}), imported and "
          f"indexed in {arc['seconds']:.1f} s.  Burst: {args.posts} POSTs; idle runs: {IDLE_RUNS}.\n")
    rows = report(facts, figures)
    widths = [max(len(r[i]) for r in rows) for i in range(2)]
    print(f"{'measure':<{widths[0]}}  {'service':>{widths[1]}}  baseline")
    for name, value, base in rows:
        print(f"{name:<{widths[0]}}  {value:>{widths[1]}}  {base}")


def main() -> int:
    """Run the whole benchmark; the stack is stopped on success, error and Ctrl-C alike."""
    args = parse_args()
    facts, run = machine(), secrets.token_hex(3)
    articles = test_articles(args, IDLE_RUNS + args.posts, run)
    archive = list(islice(archive_records(args.archive, args.format), min(args.archive_size, INDEX_SAMPLE)))
    print(f"Pure-pipeline baselines ({len(articles)} articles, {len(archive)} archive docs)...", flush=True)
    pure = pure_baselines(articles, archive)
    key = secrets.token_urlsafe(16)
    secret = "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()
    print("Starting redis-server, celery worker, Granian and the callback receiver...", flush=True)
    with Stack(key, secret) as stack:
        memory = {"redis_empty": stack.redis_memory(), "worker_rss_idle": stack.rss("worker"),
                  "api_rss_idle": stack.rss("api")}
        print(f"Importing the archive ({args.archive}) through the CLI...", flush=True)
        archive_fig = import_archive(stack, args)
        memory["redis_after_import"] = stack.redis_memory()
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {key}"
        print(f"Idle: {IDLE_RUNS} articles one at a time...", flush=True)
        idle = idle_latency(stack, session, articles[:IDLE_RUNS], args.stall)
        health_lat, health_rate = timed_requests(args.posts, lambda _: session.get(
            stack.api + "/healthz").raise_for_status())
        print(f"Burst: {args.posts} POSTs back to back...", flush=True)
        burst_fig = burst(stack, session, articles[IDLE_RUNS:], args.stall)
        memory.update(worker_rss=stack.rss("worker"), api_rss=stack.rss("api"),
                      redis_after_run=stack.redis_memory())
        figures = {"archive": archive_fig, "pure": pure, "idle": idle, "burst": burst_fig,
                   "healthz": {"latency_s": health_lat, "per_s": health_rate}, "memory": memory,
                   "rejected_signatures": stack.receiver.rejected}
    print_table(facts, figures, args)
    if args.json:
        rows = [dict(zip(("measure", "service", "baseline"), r, strict=True)) for r in report(facts, figures)]
        args.json.write_text(json.dumps({"machine": facts, "config": {
            "posts": args.posts, "archive": str(args.archive), "format": args.format,
            "archive_size": archive_fig["size"]}, "table": rows, "figures": figures}, indent=1))
        print(f"\nWrote {args.json}")
    ok = burst_fig["lost"] == 0 and burst_fig["duplicates"] == 0 and burst_fig["failed"] == 0
    return 0 if ok else 1


if __name__ == "__main__":
    run(main)
