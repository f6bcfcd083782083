"""Load benchmark: accepted POSTs per second under steady load, and a soak of many articles.

    .venv/bin/python scripts/bench_load.py [--seconds 20] [--connections 16] [--soak 10000]
        [--archive-size 2000] [--json OUT]

Starts a private stack (devtools/stack.py: redis-server, a Celery worker with 2 processes at
nice 10, Granian with 4 processes, a callback receiver that verifies every signature), then:

1. Load, with wrk on loopback (closed loop: `--connections` connections, each sending its next
   request when the last one is answered), for `--seconds` each:
   GET /healthz (the baseline: the server and the network stack alone), POST /v1/enrichments with
   the worker stopped (the API alone), and POST again with the worker enriching meanwhile.
   The rate limiter is on (at a limit the load does not reach), so its cost is counted. Each run
   also gives the CPU time a request cost the API's processes, Redis, wrk (and the worker), from
   /proc: where a POST's cost goes beside /healthz's. Then the floor, with the worker still
   stopped: the same runs against devtools/accept_floor.py, a bare Flask app on the same Granian
   and Redis that only parses and validates the article with the service's schema, and stores and
   queues it with the service's job script: the most any accept path could reach with these parts.
2. Soak, on a fresh stack with an archive imported: `--soak` articles, each with a callback URL,
   then wait until every callback arrives. Counts accepted jobs, final states, callbacks lost,
   duplicated, failed, signed wrongly, or carrying more than one webhook-id.
"""

from __future__ import annotations

import argparse
import base64
import json
import re
import resource
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import requests
from bench_service import REUTERS, import_archive, machine, test_articles

from devtools.stack import ROOT, Stack, run

LATENCY_LINE = re.compile(r"^\s*(50|75|90|99)%\s+([\d.]+)(us|ms|s)\s*$")
UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--seconds", type=int, default=20, help="length of each wrk run (default 20)")
    p.add_argument("--connections", type=int, default=16, help="wrk connections (default 16)")
    p.add_argument("--soak", type=int, default=10_000, help="articles in the soak (default 10000; 0 skips)")
    p.add_argument("--archive-size", type=int, default=2000, help="archive articles for the soak")
    p.add_argument("--stall", type=float, default=300, help="seconds without a callback before the "
                   "rest count as lost (default 300)")
    p.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = p.parse_args()
    args.archive = REUTERS if REUTERS.exists() else ROOT / "demo" / "sample_archive.jsonl"
    args.format = "reuters" if REUTERS.exists() else "article"
    args.posts = args.soak
    return args


def wrk(url: str, seconds: int, connections: int, script: Path | None = None) -> dict[str, Any]:
    """Run wrk; requests/s, latency percentiles (ms), and the count of non-2xx answers."""
    argv = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    if script:
        argv[1:1] = ["-s", str(script)]
    out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    latency = {f"p{m.group(1)}": float(m.group(2)) * UNIT[m.group(3)]
               for m in map(LATENCY_LINE.match, out.splitlines()) if m}
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {"per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
            "requests": total, "non_2xx": int(bad.group(1)) if bad else 0,
            "socket_errors": errors.group(1) if errors else "", **latency}


def children_cpu() -> float:
    """CPU seconds of this process's finished children so far (wrk's, once it has run)."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def measured(stack: Stack, parts: tuple[str, ...], *wrk_args: Any) -> dict[str, Any]:
    """One wrk run, and the CPU time each of the stack's `parts` (and wrk) spent per request in it,
    in microseconds: where a request's cost goes, on two cores shared by all of them."""
    before, wrk_before = {part: stack.cpu(part) for part in parts}, children_cpu()
    figures = wrk(*wrk_args)
    spent = {part: stack.cpu(part) - before[part] for part in parts}
    spent["wrk"] = children_cpu() - wrk_before
    per_request = 1e6 / max(1, figures["requests"])
    return {**figures, "cpu_us_per_request": {part: round(s * per_request, 1) for part, s in spent.items()}}


def post_script(directory: Path, key: str, article: dict[str, Any], callback: str) -> Path:
    """A wrk Lua script that POSTs one article (with a callback URL) on every request."""
    body = json.dumps({"article": article, "callback_url": callback})
    script = directory / "post.lua"
    script.write_text(f'wrk.method = "POST"\nwrk.body = {json.dumps(body)}\n'
                      f'wrk.headers["Content-Type"] = "application/json"\n'
                      f'wrk.headers["Authorization"] = "Bearer {key}"\n')
    return script


def load(args: argparse.Namespace, article: dict[str, Any]) -> dict[str, Any]:
    """The three wrk runs on one stack."""
    key = secrets.token_urlsafe(16)
    secret = "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()
    with Stack(key, secret, env={"RATE_LIMIT": "1000000/second"}) as stack, \
            tempfile.TemporaryDirectory() as tmp:
        script = post_script(Path(tmp), key, article, stack.receiver.url)
        url = stack.api + "/v1/enrichments"
        stack.stop_worker()  # until the third run: the first two measure the API alone
        wrk(url, 2, args.connections, script)  # warm up every server process
        print(f"wrk: GET /healthz, {args.seconds} s...", flush=True)
        health = measured(stack, ("api", "redis"), stack.api + "/healthz", args.seconds, args.connections)
        print(f"wrk: POST /v1/enrichments, worker stopped, {args.seconds} s...", flush=True)
        alone = measured(stack, ("api", "redis"), url, args.seconds, args.connections, script)
        floor = accept_floor(stack, args, script)
        stack.start_worker()
        time.sleep(8)  # the worker loads its model, then starts on the backlog
        print(f"wrk: POST /v1/enrichments, worker enriching, {args.seconds} s...", flush=True)
        busy = measured(stack, ("api", "redis", "worker"), url, args.seconds, args.connections, script)
        api_rss = stack.rss("api")
    return {"healthz": health, "post_api_alone": alone, "post_with_worker": busy, "api_rss": api_rss,
            "floor": floor}


def accept_floor(stack: Stack, args: argparse.Namespace, script: Path) -> dict[str, Any]:
    """The same wrk runs against devtools/accept_floor.py on the same Granian and Redis (the worker
    stopped): a bare GET; a POST parsed and validated by the service's schema; and one also stored
    and queued by the service's job script. The most an accept could reach with these parts."""
    url = stack.start_floor()
    try:
        wrk(url + "/accept", 2, args.connections, script)  # warm up every server process
        runs = {}
        for name, path, body in (("get", "/healthz", None), ("validate", "/validate", script),
                                 ("accept", "/accept", script)):
            print(f"wrk: the floor's {path}, {args.seconds} s...", flush=True)
            runs[name] = measured(stack, ("floor", "redis"), url + path, args.seconds, args.connections, body)
    finally:
        stack.stop_floor()
    return runs


def soak(args: argparse.Namespace) -> dict[str, Any]:
    """`--soak` articles with callbacks through API, worker and receiver; count every outcome."""
    key = secrets.token_urlsafe(16)
    secret = "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()
    articles = test_articles(args, args.soak, secrets.token_hex(3))
    with Stack(key, secret) as stack:
        print(f"Soak: importing {args.archive_size} archive articles...", flush=True)
        archive = import_archive(stack, args)
        sessions = [requests.Session() for _ in range(4)]
        for session in sessions:
            session.headers["Authorization"] = f"Bearer {key}"

        posted_at: dict[str, float] = {}

        def post(i: int) -> tuple[int, str | None]:
            at = time.monotonic()
            response = sessions[i % 4].post(stack.api + "/v1/enrichments", json={
                "article": articles[i], "callback_url": stack.receiver.url})
            job_id = response.json().get("id") if response.status_code == 202 else None
            if job_id:
                posted_at[job_id] = at
            return response.status_code, job_id

        print(f"Soak: posting {args.soak} articles...", flush=True)
        started = time.monotonic()
        with ThreadPoolExecutor(4) as pool:
            answers = list(pool.map(post, range(args.soak)))
        posted = time.monotonic() - started
        ids = [job_id for status, job_id in answers if job_id]
        print(f"  {len(ids)} accepted in {posted:.1f} s; waiting for the callbacks...", flush=True)
        missing = stack.receiver.wait_all(ids, args.stall, report_every=30)
        drained = time.monotonic() - started
        time.sleep(5)  # a late duplicate would arrive now
        statuses: dict[str, int] = {}
        with ThreadPoolExecutor(4) as pool:
            for status in pool.map(lambda i: sessions[i % 4].get(
                    f"{stack.api}/v1/enrichments/{ids[i]}").json()["status"], range(len(ids))):
                statuses[status] = statuses.get(status, 0) + 1
        receiver = stack.receiver
        waits = sorted((receiver.first(i) or 0) - posted_at[i] for i in ids if i not in missing)
        with receiver.cond:
            duplicates = sum(len(receiver.arrivals[i]) - 1 for i in ids if i in receiver.arrivals)
            failed = sum(1 for i in ids if receiver.kinds.get(i) == "enrichment.failed")
            mixed_ids = sum(1 for i in ids if len(receiver.webhook_ids.get(i, ())) > 1)
        return {"articles": args.soak, "archive_size": archive["size"], "accepted": len(ids),
                "refused": len(answers) - len(ids), "post_seconds": posted,
                "seconds_to_last_callback": drained, "per_s": (len(ids) - len(missing)) / drained,
                "statuses": statuses, "lost": len(missing), "duplicates": duplicates, "failed": failed,
                "mixed_webhook_ids": mixed_ids, "bad_signatures": receiver.rejected,
                "redis_used_memory": stack.redis_memory(),
                "post_to_callback_s": {f"p{q}": waits[min(len(waits) - 1, len(waits) * q // 100)]
                                       for q in (50, 90, 99)} if waits else {}}


def print_report(facts: dict[str, Any], figures: dict[str, Any], args: argparse.Namespace) -> None:
    print(f"\nMachine: {facts['nproc']} CPUs ({facts['cpu']}), {facts['mem_total_gb']} GB RAM, "
          f"Python {facts['python']}; wrk: 1 thread, {args.connections} connections, {args.seconds} s each\n")
    rows = [("GET /healthz (baseline)", figures["load"]["healthz"]),
            ("POST /v1/enrichments, API alone", figures["load"]["post_api_alone"]),
            ("POST /v1/enrichments, worker enriching", figures["load"]["post_with_worker"])]
    print(f"{'run':<40} {'req/s':>8} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'non-2xx':>8}")
    for name, one in rows:
        print(f"{name:<40} {one['per_s']:>8.0f} {one['p50']:>8.1f} {one['p90']:>8.1f} {one['p99']:>8.1f} "
              f"{one['non_2xx']:>8}")
    alone = figures["load"]["post_api_alone"]["per_s"] / figures["load"]["healthz"]["per_s"]
    print(f"POST, API alone, against /healthz: {alone:.2f}x (goal >= 0.5x)")
    floor = figures["load"]["floor"]
    health = figures["load"]["healthz"]["per_s"]
    print("\nThe floor (devtools/accept_floor.py: a bare Flask app on the same Granian and Redis)")
    print(f"{'run':<40} {'req/s':>8} {'p99 ms':>8} {'x bare GET':>11} {'x /healthz':>11} {'CPU us':>8}")
    for name, label in (("get", "GET, a bare view"), ("validate", "POST, parsed and validated"),
                        ("accept", "POST, validated, stored and queued")):
        one = floor[name]
        print(f"{label:<40} {one['per_s']:>8.0f} {one['p99']:>8.1f} {one['per_s'] / floor['get']['per_s']:>10.2f}x "
              f"{one['per_s'] / health:>10.2f}x {sum(one['cpu_us_per_request'].values()):>8.0f}")
    print(f"\nCPU time a request, microseconds (on {facts['nproc']} CPUs shared by all)")
    print(f"{'run':<40} {'API':>8} {'Redis':>8} {'wrk':>8} {'worker':>8} {'total':>8}")
    for name, one in rows:
        cpu = one["cpu_us_per_request"]
        worker = f"{cpu['worker']:.0f}" if "worker" in cpu else "-"
        print(f"{name:<40} {cpu['api']:>8.0f} {cpu['redis']:>8.0f} {cpu['wrk']:>8.0f} {worker:>8} "
              f"{sum(cpu.values()):>8.0f}")
    soaked = figures.get("soak")
    if soaked:
        print(f"\nSoak: {soaked['accepted']}/{soaked['articles']} accepted in {soaked['post_seconds']:.0f} s; "
              f"last callback after {soaked['seconds_to_last_callback']:.0f} s "
              f"({soaked['per_s']:.1f} articles/s end to end, archive {soaked['archive_size']})")
        print(f"  final states: {soaked['statuses']}; POST to callback, per article: "
              + ", ".join(f"{k} {v:.0f} s" for k, v in soaked["post_to_callback_s"].items()))
        print(f"  callbacks lost {soaked['lost']}, duplicated {soaked['duplicates']}, "
              f"failed {soaked['failed']}, bad signatures {soaked['bad_signatures']}, "
              f"jobs with more than one webhook-id {soaked['mixed_webhook_ids']}")


def main() -> int:
    if not shutil.which("wrk"):
        print("wrk is not installed: apt-get install wrk (Debian's package)", file=sys.stderr)
        return 2
    args = parse_args()
    facts = machine()
    article = json.loads((ROOT / "demo" / "article.json").read_text())["article"]
    figures: dict[str, Any] = {"load": load(args, article)}
    if args.soak:
        figures["soak"] = soak(args)
    print_report(facts, figures, args)
    if args.json:
        args.json.write_text(json.dumps({"machine": facts, "args": {
            "seconds": args.seconds, "connections": args.connections, "soak": args.soak}, **figures}, indent=1))
        print(f"\nWrote {args.json}")
    soaked = figures.get("soak", {})
    clean = all(soaked.get(k, 0) == 0 for k in ("lost", "duplicates", "failed", "mixed_webhook_ids",
                                                "bad_signatures", "refused"))
    return 0 if clean else 1


if __name__ == "__main__":
    run(main)
