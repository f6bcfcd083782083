"""Train the Media Topics classifier (enrich/topics.py): make train-topics.

Data: articles labelled by their source with our mapping (evaluation/topic_labels.py), and the
IPTC vocabulary's own definitions (each topic's label and definition, labelled with the topic and
its parent), so that topics none of our sources covers are not left without an example. Each is
read as the service reads an article: its embedding (enrich/encoder.py). One logistic regression
per topic; the second level only where a source labels enough articles.

Choices (the regularisation C and the top-level floor) are made on the tuning half of the labelled
data by two-fold cross-validation split by story (evaluation/topics.py, which also scores it); the
shipped model is then fitted on all of it.

    python -m training.topics.train --data ../shared/data --out enrich/topic_weights.json.gz
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression

from enrich import encoder
from enrich.topics import vocabulary
from evaluation import topic_labels
from evaluation.topic_labels import Labelled

MIN_POSITIVES = 15  # a second-level topic needs this many labelled articles to get a classifier
GRID_C = (0.3, 1.0, 3.0, 10.0)
FLOORS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
SECOND_FLOOR = 0.5
CACHE = Path(".cache/topics/embeddings.npz")


def definition_docs() -> list[Labelled]:
    """Each topic's label and definition, labelled with the topic (and its parent)."""
    docs = []
    for qcode, topic in vocabulary().items():
        top, second = ({qcode}, set()) if topic["level"] == 1 else ({topic["parent"]}, {qcode})
        docs.append(Labelled(f"def-{qcode}", "definitions", f"def-{qcode}", topic["label"],
                             topic["definition"], top, second))
    return docs


def embeddings(docs: list[Labelled], cache: Path = CACHE) -> np.ndarray:
    """Each document's embedding, as the service computes it (kept in `cache` by text)."""
    keys = [hashlib.sha1(f"{encoder.ARTICLE_TOKENS}\n{encoder.article_text(d.title, d.text)}".encode()).hexdigest()
            for d in docs]
    known: dict[str, np.ndarray] = {}
    if cache.exists():
        with np.load(cache) as stored:
            known = dict(zip(stored["keys"].tolist(), stored["vectors"], strict=True))
    missing = sorted({k: d for k, d in zip(keys, docs, strict=True) if k not in known}.items())
    if missing:
        vectors = encoder.encoder().embed([encoder.article_text(d.title, d.text) for _, d in missing])
        known.update(zip([k for k, _ in missing], vectors, strict=True))
        cache.parent.mkdir(parents=True, exist_ok=True)
        np.savez(cache, keys=np.array(list(known)), vectors=np.stack(list(known.values())))
    return np.stack([known[k] for k in keys])


def classes_for(docs: list[Labelled]) -> list[str]:
    second = Counter(q for d in docs if d.source != "definitions" for q in d.second)
    return [q for q, t in vocabulary().items() if t["level"] == 1] + sorted(
        q for q, n in second.items() if n >= MIN_POSITIVES)


def fit(docs: list[Labelled], x: np.ndarray, c: float, floor: float) -> dict[str, Any]:
    """The model as enrich/topic_weights.json.gz holds it."""
    classes = classes_for(docs)
    coef, intercept = [], []
    for qcode in classes:
        y = np.array([qcode in d.top or qcode in d.second for d in docs])
        lr = LogisticRegression(C=c, class_weight="balanced", max_iter=1000)
        lr.fit(x, y)
        coef.append([round(float(v), 5) for v in lr.coef_[0]])
        intercept.append(round(float(lr.intercept_[0]), 5))
    return {"classes": classes, "coef": coef, "intercept": intercept,
            "floor": {"1": floor, "2": SECOND_FLOOR}, "c": c}


def save(model: dict[str, Any], path: Path) -> None:
    with gzip.open(path, "wt", encoding="utf-8") as f:
        json.dump(model, f, separators=(",", ":"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--out", type=Path, default=Path("enrich/topic_weights.json.gz"))
    args = parser.parse_args()
    from evaluation.topics import choose_settings  # the same choice make eval reports

    labelled = topic_labels.everything(args.data)
    c, floor = choose_settings(labelled)
    docs = [*labelled, *definition_docs()]
    model = fit(docs, embeddings(docs), c, floor)
    save(model, args.out)
    print(f"C={c} floor={floor}: {len(model['classes'])} topics -> {args.out} ({args.out.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
