"""Which sentence encoder teaches the implication categories (training/categories/train.py TEACHERS):
compared on training stories only, never a held-out one (the figures here chose; none is a result).

Each teacher reads the category training pool (train.training_pool: Reuters, gva_news and Causal
News training stories) against the written descriptions. Teachers' cosines differ in scale, so each
is compared at the same coverage: its `other` margin is set so that it files as many of the pool's
Reuters and gva_news sentences under a category as the current teacher does at its own margin.
Then: the temperature at which its soft labels are as confident as the current teacher's at its
own, and the share of those sentences whose category the story's domain allows
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
from training.categories.train import DESCRIPTIONS, TEACHERS, teacher, training_pool  # noqa: E402

CURRENT = "minilm"  # the teacher compared against (the shipped head's until this choice)


def pool_domains(data: Path, pool: list[str]) -> list[str]:
    """Each pool sentence's domain (the first training story that holds it)."""
    domain_of: dict[str, str] = {}
    for key, domain, texts in documents(data):
        if not held_out(key):
            for text in texts:
                domain_of.setdefault(text, domain)
    return [domain_of[text] for text in pool]


def labels(similarity: np.ndarray, margin: float) -> np.ndarray:
    """The teacher's class per sentence with `other` raised by `margin` (over its cosines as
    train.teacher gives them, raised by the current teacher's margin)."""
    shifted = similarity.copy()
    shifted[:, list(DESCRIPTIONS).index(OTHER)] += margin - TEACHERS[CURRENT].margin
    return np.array(list(DESCRIPTIONS))[shifted.argmax(1)]


def margin_for(similarity: np.ndarray, scored: np.ndarray, coverage: float) -> float:
    """The `other` margin at which this teacher categorises `coverage` of the scored sentences."""
    low, high = -0.5, 0.5
    for _ in range(40):
        middle = (low + high) / 2
        covered = (labels(similarity[scored], middle) != OTHER).mean()
        low, high = (middle, high) if covered > coverage else (low, middle)
    return (low + high) / 2


def confidence(similarity: np.ndarray, temperature: float) -> float:
    """The mean probability of the teacher's first class in the soft labels the student learns."""
    soft = np.exp((similarity - similarity.max(1, keepdims=True)) / temperature)
    return float((soft.max(1) / soft.sum(1)).mean())


def temperature_for(similarity: np.ndarray, target: float) -> float:
    """The temperature at which this teacher's soft labels are as confident as `target`."""
    low, high = 0.001, 1.0
    for _ in range(40):
        middle = (low * high) ** 0.5
        low, high = (middle, high) if confidence(similarity, middle) > target else (low, middle)
    return (low * high) ** 0.5


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
    parser.add_argument("--coverage", type=float, help="compare at this coverage instead of the current "
                        "teacher's (to compare description sets: the coverage the old ones gave)")
    args = parser.parse_args()
    torch.set_num_threads(2)
    pool = training_pool(args.data)
    domains = pool_domains(args.data, pool)
    scored = np.array([d in ALLOWED for d in domains])
    current = TEACHERS[CURRENT]
    reference = teacher(pool, CURRENT)
    coverage = args.coverage or float((labels(reference, current.margin)[scored] != OTHER).mean())
    sure = confidence(reference, current.temperature)
    print(f"{scored.sum():,} Reuters and gva_news pool sentences; {CURRENT} at margin {current.margin} categorises "
          f"{float((labels(reference, current.margin)[scored] != OTHER).mean()):.3f} of them; compared at "
          f"{coverage:.3f} of them", flush=True)
    for name in args.teachers:
        similarity = teacher(pool, name)
        similarity[:, list(DESCRIPTIONS).index(OTHER)] += current.margin - TEACHERS[name].margin  # as CURRENT's
        margin = margin_for(similarity, scored, coverage)
        found = labels(similarity, margin)
        print({"teacher": name, "margin": round(margin, 4),
               "temperature": round(temperature_for(similarity, sure), 4),
               "coverage": round(float((found[scored] != OTHER).mean()), 3),
               **allowed_shares(found, domains, scored)}, flush=True)


if __name__ == "__main__":
    main()
