"""Choosing enrich/implications.PROSE_WORDS on choice data: how many function words a candidate
sentence must have to be read as prose, not a table's line.

For the choice pools' sentences within the candidates' length (implications.MIN_CHARS, MAX_CHARS):
Reuters articles outside make run's demo lines, make eval's slice and the category head's held-out
fifth; gva_news articles of the tuning half of the incidents; the Causal News choice stories. For
each number of function words 0, 1, 2 it prints how many sentences have exactly that many and a
seeded sample of them, to be read: the rule may ask for one more function word than a line a
reader calls a sentence has. Nothing here is a result. Run:
    python -m evaluation.prose_lines [data dir]
"""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Iterator
from pathlib import Path

from enrich import implications
from evaluation import category_domains, causal_news, gva_also_read, implication_reads, through_api
from evaluation.ptb import detokenise

SAMPLE = 12


def pools(data: Path) -> Iterator[tuple[str, list[str]]]:
    """(pool name, its sentences within the candidates' length)."""
    lines = (data / "reuters21578" / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    usable = {json.loads(line)["newid"] for line in lines[implication_reads.DEMO_LINES:-through_api.REUTERS_SLICE]}
    tuning = {f"gva:{json.loads(line)['incident_id']}" for line in (data / "gva_news" / "articles.jsonl").open()
              if gva_also_read.half(json.loads(line)["incident_id"]) == "tuning"}
    picked: dict[str, list[str]] = {"reuters": [], "gva": []}
    for key, domain, texts in category_domains.documents(data):
        if domain in picked and not category_domains.held_out(key) and (
                (domain == "reuters" and int(key.split(":")[1]) in usable) or key in tuning):
            picked[domain] += texts
    train, _ = causal_news.split(data / "causal_news" / "sentences.jsonl")
    picked["causal_news"] = [detokenise(r["text"]) for r in causal_news.choice_split(train)[1]]
    for name, texts in picked.items():
        yield name, [t for t in dict.fromkeys(texts) if implications.MIN_CHARS <= len(t) <= implications.MAX_CHARS]


def main() -> None:
    data = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("../shared/data")
    for name, texts in pools(data):
        counts = [implications.function_words(t) for t in texts]
        print(f"{name}: {len(texts):,} sentences")
        for k in (0, 1, 2):
            these = [t for t, c in zip(texts, counts, strict=True) if c == k]
            print(f"  {k} function words: {len(these):,}")
            for t in random.Random(k).sample(these, min(SAMPLE, len(these))):
                print(f"      {t[:130]}")


if __name__ == "__main__":
    main()
