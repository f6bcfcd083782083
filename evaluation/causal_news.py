"""The Causal News Corpus (CASE-2022 Task 1): sentences of protest and conflict news labelled causal
or not. Our own held-out split: a fifth of its documents, fixed by seed, never trained on.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

HELD_OUT_SHARE = 0.2
SEED = 1


def document(sentence_id: str) -> str:
    """'train_01_10_2619' -> 'train_01_10': sentences of one article stay on one side."""
    return "_".join(sentence_id.split("_")[:3])


def split(path: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(train, held_out) rows of sentences.jsonl, split by document."""
    rows = [json.loads(line) for line in path.open(encoding="utf-8")]
    docs = sorted({document(r["id"]) for r in rows})
    random.Random(SEED).shuffle(docs)
    held = set(docs[:int(len(docs) * HELD_OUT_SHARE)])
    return ([r for r in rows if document(r["id"]) not in held],
            [r for r in rows if document(r["id"]) in held])
