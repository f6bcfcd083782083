"""Which sentence encoder teaches the implication categories (training/categories/train.py TEACHERS):
compared on training stories only, never a held-out one (the figures here chose; none is a result).

Each teacher reads the category training pool (train.training_pool: Reuters, gva_news and Causal
News training stories) against the written descriptions. Teachers' cosines differ in scale, so each
is compared at the same coverage: its `other` margin is set so that it files as many of the pool's
Reuters and gva_news sentences under a category as the shipped teacher does at train.MARGIN.
Then: the share of those sentences whose category the story's domain allows
(evaluation/category_domains.ALLOWED: a Reuters story economic, a gva_news one security or legal),
per domain and over both.

    python training/categories/teacher_choice.py --data ../shared/data
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from enrich.categories import OTHER  # noqa: E402
from evaluation.category_domains import ALLOWED, documents, held_out  # noqa: E402
from training.categories.train import DESCRIPTIONS, MARGIN, TEACHER, TEACHERS, cosines, training_pool  # noqa: E402


def pool_domains(data: Path, pool: list[str]) -> list[str]:
    """Each pool sentence's domain (the first training story that holds it)."""
    domain_of: dict[str, str] = {}
    for key, domain, texts in documents(data):
        if not held_out(key):
            for text in texts:
                domain_of.setdefault(text, domain)
    return [domain_of[text] for text in pool]


def labels(similarity: np.ndarray, margin: float) -> np.ndarray:
    """The teacher's class per sentence (its cosines) with `other` raised by `margin`."""
    shifted = similarity.copy()
    shifted[:, list(DESCRIPTIONS).index(OTHER)] += margin
    return np.array(list(DESCRIPTIONS))[shifted.argmax(1)]


def margin_for(similarity: np.ndarray, coverage: float) -> float:
    """The `other` margin at which this teacher categorises `coverage` of the sentences."""
    low, high = -0.5, 0.5
    for _ in range(40):
        middle = (low + high) / 2
        low, high = (middle, high) if (labels(similarity, middle) != OTHER).mean() > coverage else (low, middle)
    return (low + high) / 2


def allowed_shares(found: np.ndarray, domains: list[str], scored: np.ndarray) -> dict[str, float]:
    out = {}
    for domain in sorted({domains[i] for i in np.flatnonzero(scored)}) + ["both"]:
        rows = [i for i in np.flatnonzero(scored) if domain in ("both", domains[i]) and found[i] != OTHER]
        out[domain] = round(float(np.mean([found[i] in ALLOWED[domains[i]] for i in rows])), 3)
        out[f"{domain}_sentences"] = len(rows)
        if domain != "both":
            out[f"{domain}_labels"] = dict(Counter(str(found[i]) for i in rows).most_common())
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--teachers", nargs="+", default=list(TEACHERS), choices=list(TEACHERS))
    parser.add_argument("--coverage", type=float, help="compare at this coverage instead of the shipped "
                        "teacher's (to compare description sets: the coverage the old ones gave)")
    args = parser.parse_args()
    torch.set_num_threads(2)
    pool = training_pool(args.data)
    domains = pool_domains(args.data, pool)
    scored = np.array([d in ALLOWED for d in domains])
    shipped = float((labels(cosines(pool, TEACHER)[scored], MARGIN) != OTHER).mean())
    coverage = args.coverage or shipped
    print(f"{scored.sum():,} Reuters and gva_news pool sentences; {TEACHER} at margin {MARGIN} categorises "
          f"{shipped:.3f} of them; compared at {coverage:.3f}", flush=True)
    for name in args.teachers:
        similarity = cosines(pool, name)
        margin = margin_for(similarity[scored], coverage)
        found = labels(similarity, margin)
        print({"teacher": name, "margin": round(margin, 4),
               "coverage": round(float((found[scored] != OTHER).mean()), 3),
               **allowed_shares(found, domains, scored)}, flush=True)


if __name__ == "__main__":
    main()
