"""The implication-category classifier the service used until December 2026, kept as the baseline
of the encoder's category head (enrich/categories.py): a multinomial logistic regression over word
stems and stem pairs, fitted to the same teacher's labels on the same training pool
(training/categories/train.py writes its weights, evaluation/stem_category_weights.json.gz)."""

from __future__ import annotations

import gzip
import json
import math
import re
from functools import lru_cache
from pathlib import Path

import Stemmer

WEIGHTS = Path(__file__).with_name("stem_category_weights.json.gz")
WORD = re.compile(r"[a-z]+")
_STEM = Stemmer.Stemmer("english")


def tokens(sentence: str) -> list[str]:
    """Stems and adjacent stem pairs: the features the model was trained on (training imports this)."""
    stems = _STEM.stemWords(WORD.findall(sentence.lower()))
    return stems + [f"{a} {b}" for a, b in zip(stems, stems[1:], strict=False)]


class StemModel:
    def __init__(self, path: Path) -> None:
        with gzip.open(path, "rt", encoding="utf-8") as f:
            data = json.load(f)
        self.classes: list[str] = data["classes"]
        self.intercept: list[float] = data["intercept"]
        self.weights: dict[str, list[float]] = data["weights"]

    def probabilities(self, sentence: str) -> dict[str, float]:
        """Each class's probability (the categories and `other`), summing to 1."""
        logits = list(self.intercept)
        for token in set(tokens(sentence)):
            row = self.weights.get(token)
            if row:
                logits = [a + b for a, b in zip(logits, row, strict=True)]
        top = max(logits)
        exp = [math.exp(v - top) for v in logits]
        total = sum(exp)
        return {c: e / total for c, e in zip(self.classes, exp, strict=True)}


@lru_cache(maxsize=1)
def model() -> StemModel:
    return StemModel(WEIGHTS)


def read(sentences: list[str]) -> list[dict[str, float]]:
    """Each sentence's class probabilities: a reader for enrich/categories.py's functions."""
    return [model().probabilities(s) for s in sentences]
