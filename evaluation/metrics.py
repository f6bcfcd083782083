"""Ranking metrics over a ranked list of ids and a set of relevant ids."""

from __future__ import annotations

import math


def recall_at(ranked: list[str], relevant: set[str], k: int) -> float:
    return len(set(ranked[:k]) & relevant) / len(relevant) if relevant else 0.0


def mrr_at(ranked: list[str], relevant: set[str], k: int) -> float:
    for position, doc_id in enumerate(ranked[:k], start=1):
        if doc_id in relevant:
            return 1.0 / position
    return 0.0


def ndcg_at(ranked: list[str], relevant: set[str], k: int) -> float:
    dcg = sum(1.0 / math.log2(i + 2) for i, doc_id in enumerate(ranked[:k]) if doc_id in relevant)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(len(relevant), k)))
    return dcg / ideal if ideal else 0.0


def summarise(runs: list[tuple[list[str], set[str]]]) -> dict[str, float]:
    """Mean recall@5, MRR@10 and nDCG@5 over (ranked, relevant) pairs, and how many links the
    top 5 holds (a score floor shows fewer)."""
    n = max(len(runs), 1)
    return {
        "recall@5": sum(recall_at(r, g, 5) for r, g in runs) / n,
        "mrr@10": sum(mrr_at(r, g, 10) for r, g in runs) / n,
        "ndcg@5": sum(ndcg_at(r, g, 5) for r, g in runs) / n,
        "links@5": sum(len(r[:5]) for r, _ in runs) / n,
        "queries": float(len(runs)),
    }
