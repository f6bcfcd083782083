"""Choosing when an implication repeats an earlier one (enrich/implications.REPEAT_OVERLAP), on
tuning data only.

    .venv/bin/python -m evaluation.implication_repeats [--reported]

A story's archive holds its wire copies and rewrites: the same sentence with a word changed or
another attribution ("... until the investigation is complete (The TBI)" and "(DeVine)"). For the
seeded gva_news queries of the tuning half (evaluation/archive_terms.Gva), implications run
in-process as the workers run them, with no repeat rule; this prints every pair of items of one
result whose word overlap (the share of the shorter claim's words in the other's) is at least 0.4,
most alike first, so that the threshold is chosen by reading them; then, for each threshold, the
items the rule would leave out and the items and allowed share with it on. `--reported` prints the
figures on the reported half, for make eval's table (no choice is made there).
"""

from __future__ import annotations

import sys
from itertools import combinations
from typing import Any

from enrich import implications
from evaluation import category_domains
from evaluation.archive_terms import Gva, private_redis
from evaluation.background_choice import enriched, rule

THRESHOLDS = (None, 0.9, 0.8, 0.7, 0.6, 0.5)
SHOWN = 0.4


def results(gva: Gva, r: object) -> list[list[dict[str, Any]]]:
    """Each sampled query's implications, as the workers find them (background's timeline first)."""
    return [implied for _, _, implied in enriched(gva, r)]


def words(item: dict[str, Any]) -> frozenset[str]:
    return frozenset(implications.WORD.findall(item["text"].lower()))


def main() -> None:
    split = "reported" if "--reported" in sys.argv else "tuning"
    gva = Gva(split)
    with private_redis() as r:
        gva.index(r)
        with rule(implications, "REPEAT_OVERLAP", None):
            found = results(gva, r)
        pairs = sorted(((implications.overlap(words(a), words(b)), a["text"], b["text"])
                        for items in found for a, b in combinations(items, 2)), reverse=True)
        print(f"gva_news {split} half: {len(found)} queries, {sum(map(len, found))} items with no repeat rule; "
              f"pairs of one result with an overlap of {SHOWN} or more:")
        if split == "tuning":
            for share, a, b in (p for p in pairs if p[0] >= SHOWN):
                print(f"  {share:.2f}  {a[:110]}\n        {b[:110]}")
        for threshold in THRESHOLDS:
            with rule(implications, "REPEAT_OVERLAP", threshold):
                items = [i for result in results(gva, r) for i in result]
            allowed = sum(i["category"] in category_domains.ALLOWED["gva"] for i in items)
            alike = sum(p[0] >= threshold for p in pairs) if threshold else 0
            print(f"REPEAT_OVERLAP {threshold}: {len(items)} items ({allowed / max(1, len(items)):.3f} allowed); "
                  f"{alike} pairs at or over it with no rule", flush=True)


if __name__ == "__main__":
    main()
