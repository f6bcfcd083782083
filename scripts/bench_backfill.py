"""Benchmark a backfill: how fast the CLI import and the workers index an archive file, with one
worker process and with two, on a private stack (own redis-server, Celery worker, Granian).

    .venv/bin/python scripts/bench_backfill.py [--articles 3000] [--json OUT]

Each run imports the same gva_news articles with `flask archive import --wait` (validation,
staging, queueing, then the language analysis and the index writes in the workers) and times it
from start to the last article indexed; once more with one process and ENTITY_TAGGER=spacy (names
by spaCy's NER instead of the encoder), the baseline. From the rate per process it says how many
two-process machines would index 10 million articles in one night (8 hours).
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import platform
import secrets
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from devtools.stack import VENV_BIN, Stack  # noqa: E402
from store import archive_index  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "gva_news" / "articles.jsonl"
NIGHT_SECONDS = 8 * 3600
TARGET = 10_000_000


def run(processes: int, articles: int, tagger: str = "encoder") -> float:
    """Articles indexed per second by `processes` worker processes, from a cold CLI import, names
    found by `tagger` (ENTITY_TAGGER)."""
    key, secret = secrets.token_urlsafe(16), "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()
    with Stack(key, secret, {"WORKER_CONCURRENCY": str(processes), "ENTITY_TAGGER": tagger}) as stack:
        started = time.perf_counter()
        done = subprocess.run([str(VENV_BIN / "flask"), "--app", "service", "archive", "import", str(DATA),
                               "--format", "gva", "--limit", str(articles), "--wait", "--timeout", "3600",
                               "--allow-refused"],
                              cwd=ROOT, env=stack.full_env(), capture_output=True, text=True)
        seconds = time.perf_counter() - started
        if done.returncode != 0:
            raise RuntimeError(done.stdout + done.stderr)
        indexed = archive_index.size(stack.redis, "bench")
    return indexed / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=3000)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    rates = {n: run(n, args.articles) for n in (1, 2)}
    spacy_rate = run(1, args.articles, "spacy")  # the baseline: spaCy's own NER instead of the encoder
    machine = f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores"
    per_machine = rates[2]
    machines = TARGET / (per_machine * NIGHT_SECONDS)
    print(f"\nBackfill of {args.articles:,} gva_news articles through the CLI and the workers ({machine})")
    print(f"{'worker processes':<24}{'articles/s':>12}{'per process':>13}")
    for n, rate in rates.items():
        print(f"{n:<24}{rate:>12.1f}{rate / n:>13.1f}")
    print(f"{'1, ENTITY_TAGGER=spacy':<24}{spacy_rate:>12.1f}{spacy_rate:>13.1f}   (baseline: names by spaCy's NER)")
    print(f"two processes give {rates[2] / rates[1]:.2f}x one; 10,000,000 articles in 8 hours need "
          f"{TARGET / NIGHT_SECONDS:,.0f} articles/s: {machines:.1f} machines like this one "
          f"(two worker processes each; the index writes are not the limit: see make bench-archive)")
    if args.json:
        args.json.write_text(json.dumps({"machine": machine, "articles": args.articles,
                                         "articles_per_s": rates, "articles_per_s_spacy_ner": spacy_rate,
                                         "machines_for_10m_in_8h": machines}) + "\n")


if __name__ == "__main__":
    main()
