"""What the article is about, as IPTC Media Topics: the top level (17 topics) and, where it applies,
the second, each with a relevance 0-100 and its qcode and URI.

One logistic regression per topic (one against the rest) over the article's embedding (its headline
and lead read by enrich/encoder.py). Trained by training/topics/train.py (`make train-topics`) on
articles labelled by their source (evaluation/topic_labels.py) and on the vocabulary's own
definitions; its weights ship in enrich/topic_weights.json.gz.

The vocabulary, enrich/media_topics.json, is IPTC's (CC BY 4.0; see its `attribution`).
"""

from __future__ import annotations

import gzip
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from enrich import encoder

VOCABULARY = Path(__file__).with_name("media_topics.json")
WEIGHTS = Path(__file__).with_name("topic_weights.json.gz")


@lru_cache(maxsize=1)
def vocabulary() -> dict[str, dict[str, Any]]:
    """qcode -> {qcode, uri, label, definition, parent, level}."""
    data = json.loads(VOCABULARY.read_text(encoding="utf-8"))
    return {t["qcode"]: t for t in data["topics"]}


class TopicModel:
    def __init__(self, data: dict[str, Any]) -> None:
        self.classes: list[str] = data["classes"]
        self.coef = np.array(data["coef"], dtype=np.float32)  # (topics, embedding size)
        self.intercept = np.array(data["intercept"], dtype=np.float32)
        self.floor: dict[str, float] = data["floor"]  # {"1": top level, "2": second level}

    def probabilities(self, embeddings: np.ndarray) -> list[dict[str, float]]:
        """Each topic's probability for each embedding (rows), read independently of the others."""
        p = 1.0 / (1.0 + np.exp(-(embeddings @ self.coef.T + self.intercept)))
        return [dict(zip(self.classes, row.tolist(), strict=True)) for row in p]


@lru_cache(maxsize=1)
def model() -> TopicModel:
    with gzip.open(WEIGHTS, "rt", encoding="utf-8") as f:
        return TopicModel(json.load(f))


def _entry(qcode: str, p: float) -> dict[str, Any]:
    topic = vocabulary()[qcode]
    return {"qcode": qcode, "uri": topic["uri"], "name": topic["label"], "level": topic["level"],
            "parent": topic["parent"], "relevance": round(100 * p)}


def choose(p: dict[str, float], floor: dict[str, float]) -> list[dict[str, Any]]:
    """The top-level topics at least floor["1"] probable (always the likeliest one), most relevant
    first; after them, the second-level topics under those at least floor["2"] probable."""
    level = {q: vocabulary()[q]["level"] for q in p}
    top = sorted((q for q in p if level[q] == 1), key=lambda q: -p[q])
    chosen = [q for q in top if p[q] >= floor["1"]] or top[:1]
    children = sorted((q for q in p if level[q] == 2 and vocabulary()[q]["parent"] in chosen
                       and p[q] >= floor["2"]), key=lambda q: -p[q])
    return [_entry(q, p[q]) for q in [*chosen, *children]]


def topics(title: str, text: str) -> list[dict[str, Any]]:
    """The article's Media Topics (see choose)."""
    m = model()
    return choose(m.probabilities(encoder.embed_article(title, text)[None, :])[0], m.floor)
