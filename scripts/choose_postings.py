"""Choose how much an also-read look-up reads (postings of its weaker features, candidates):
quality on the TUNING half of gva_news's incidents, and look-up time, at the real archive's size
and at a larger one.

    .venv/bin/python scripts/choose_postings.py [--articles 300000] [--variants 400:80,100:80,100:40]

The archive is every gva_news and Reuters article (from the evaluation's cached analyses), then, up
to `--articles`, articles made distinct from them as `make bench-archive` makes them (renamed
people and organisations, recombined terms, own ids and dates), but never from an article of the
half whose queries are asked (the tuning half unless `--split reported`), whose incidents are the
gold: a distractor made from a gold article would be half a copy of it. For each variant
(store/archive_search.POSTINGS_FLOOR: the fewest postings read for a query feature, 400 = every
feature reads POSTINGS_PER_FEATURE as before; and MAX_CANDIDATES, the candidates read in full and
weighed) the half's queries are ranked by the also-read stage (evaluation/gva_also_read.py
ranked_links, as of each query's own date, its own copy left out) and timed on a second pass, the
document-frequency cache emptied before each pass as make bench-archive empties it. Choices are
made on the tuning half; make eval reports also read on the other half.
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

from bench_archive import DAY, base_documents, build

from evaluation import eval_archive, gva_also_read
from evaluation.archive_terms import Gva, private_redis
from evaluation.metrics import summarise
from store import archive_index, archive_search


def measure(r: Any, gva: Gva, prepared: list[dict[str, Any]], floor: int, candidates: int) -> dict[str, float]:
    """Quality and time of the half's look-ups with this floor and this many candidates read (a
    pass to warm up first)."""
    archive_search.POSTINGS_FLOOR, archive_search.MAX_CANDIDATES = floor, candidates
    times: list[float] = []
    ranked: dict[int, list[str]] = {}
    for warm in (True, False):
        archive_index._df_cache.clear()
        for i, query in zip(gva.queries, prepared, strict=True):
            started = time.perf_counter()
            ranked[i] = gva_also_read.ranked_links(r, gva.articles[i], query)
            if not warm:
                times.append((time.perf_counter() - started) * 1000)
    m = summarise([(ranked[i], gva.gold[i]) for i in gva.queries])
    times.sort()
    return {"recall@5": m["recall@5"], "mrr@10": m["mrr@10"], "p50": statistics.median(times),
            "p95": times[int(0.95 * (len(times) - 1))]}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--articles", type=int, default=300_000)
    p.add_argument("--split", choices=("tuning", "reported"), default="tuning",
                   help="whose queries (reported: to report a choice made on the tuning half)")
    p.add_argument("--variants", default="400:80,200:80,100:80,50:80",
                   help="floor:candidates pairs (store/archive_search.POSTINGS_FLOOR, MAX_CANDIDATES)")
    args = p.parse_args()
    variants = [tuple(int(x) for x in v.split(":")) for v in args.variants.split(",")]
    gva = Gva(args.split)
    prepared = gva_also_read.prepared_queries(gva.articles, gva.model, gva.queries)
    base = base_documents(gva.model)
    held = {gva.articles[i]["id"] for i in gva.queries} | {g for i in gva.queries for g in gva.gold[i]}
    sources = [d for d in base if d["id"] not in held]
    newest = max(d["ts"] for d in base) + DAY
    print(f"{len(gva.queries)} queries of the {args.split} half; archive: {len(base):,} real articles, distractors "
          f"made from {len(sources):,} of them (none of that half's queries and links)", flush=True)
    print(f"{'articles':>9} {'floor':>6} {'cands':>6} {'recall@5':>9} {'mrr@10':>7} {'p50 ms':>7} {'p95 ms':>7}",
          flush=True)
    with private_redis() as r:
        build(r, base, 0, len(base), newest, eval_archive.ARCHIVE)
        for size in sorted({len(base), max(args.articles, len(base))}):
            if size > len(base):
                build(r, base, len(base), size, newest, eval_archive.ARCHIVE, sources)
            for floor, candidates in variants:
                m = measure(r, gva, prepared, floor, candidates)
                print(f"{archive_index.size(r, eval_archive.ARCHIVE):>9,} {floor:>6} {candidates:>6} "
                      f"{m['recall@5']:>9.3f} "
                      f"{m['mrr@10']:>7.3f} {m['p50']:>7.1f} {m['p95']:>7.1f}", flush=True)


if __name__ == "__main__":
    main()
