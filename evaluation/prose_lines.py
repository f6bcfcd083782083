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

import random
import sys
from collections.abc import Iterator
from pathlib import Path

from enrich import implications
from evaluation import causal_news, implication_reads
from evaluation.ptb import detokenise

SAMPLE = 12


def pools(data: Path) -> Iterator[tuple[str, list[str]]]:
    """(pool name, its sentences within the candidates' length)."""
    picked: dict[str, list[str]] = {"reuters": [], "gva": []}
    for _, domain, texts in implication_reads.choice_documents(data):
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
