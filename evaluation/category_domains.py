"""Implication categories measured against the domain of the story a sentence comes from.

No corpus here labels sentences strategic, political, economic... so the category classifier
(enrich/categories.py) is measured by proxy: a sentence of a Reuters commodity or earnings story,
or of a Timeline17 financial-crisis story, should be economic; a gun-violence report security or
legal; the Egyptian revolution political or security; the Haiti earthquake humanitarian or
environment; Michael Jackson's death and the trial after it legal or health. Scored on stories
that training never saw: all four Timeline17 stories (no article of them is trained on), and a
fifth of the Reuters articles and of the gva_news incidents, by a hash of the story's key (an
incident's articles go together): sentence precision (share of
categorised sentences whose category the story's domain allows), coverage (share categorised), and
document accuracy (the category with the most probability over a story's sentences is allowed).
The baselines: the stem student the service used before the encoder's head
(evaluation/stem_categories.py), and the word lists that chose categories before it (WORD_LISTS).
"""

from __future__ import annotations

import json
import re
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from enrich import categories
from evaluation import causal_news, stem_categories
from evaluation.ptb import detokenise

HELD_OUT_SHARE = 5  # one document in five, by crc32 of its key
ALLOWED: dict[str, set[str]] = {
    "reuters": {"economic"},
    "gva": {"security", "legal"},
    "t17-egypt": {"political", "security"},
    "t17-finan": {"economic"},
    "t17-haiti": {"humanitarian", "environment"},
    "t17-mj": {"legal", "health"},
}
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'A-Z])")
MIN_CHARS, MAX_CHARS = 30, 400

# The word lists enrich/implications.py used until December 2026: the baseline.
WORD_LISTS: dict[str, tuple[str, ...]] = {
    "security": ("military", "troops", "attack", "offensive", "army", "weapon", "missile", "security",
                 "militant", "insurgent", "shooting", "shot", "gunman", "police", "killed", "war", "border",
                 "defence", "defense", "strategic", "control", "seized", "captured"),
    "political": ("government", "minister", "president", "election", "parliament", "congress", "senate",
                  "talks", "diplomatic", "treaty", "sanction", "policy", "vote", "opposition", "cabinet",
                  "negotiation", "truce", "ceasefire", "lawmakers", "mayor", "governor"),
    "humanitarian": ("civilian", "refugee", "displaced", "aid", "humanitarian", "famine", "casualties",
                     "victims", "injured", "wounded", "homeless", "evacuated", "rights", "shelter"),
    "economic": ("economy", "economic", "market", "price", "prices", "trade", "export", "import", "oil",
                 "inflation", "growth", "investment", "shares", "stock", "tariff", "debt", "budget",
                 "revenue", "profit", "output", "production", "currency", "dollar", "bank", "rates"),
    "legal": ("court", "judge", "lawsuit", "charged", "charges", "trial", "prosecutor", "arrested",
              "indicted", "sentenced", "law", "legal", "ruling", "appeal", "investigation"),
    "health": ("hospital", "health", "disease", "virus", "outbreak", "vaccine", "medical", "patients",
               "doctors", "epidemic"),
    "environment": ("climate", "drought", "flood", "emissions", "pollution", "environment", "environmental",
                    "weather", "rainfall", "wildfire", "crop", "harvest"),
}
WORD = re.compile(r"[a-z]+")


def word_list_scores(sentence: str) -> dict[str, float]:
    """The baseline: each category's count of matching words."""
    words = set(WORD.findall(sentence.lower()))
    return {c: float(n) for c, vocab in WORD_LISTS.items() if (n := len(words.intersection(vocab)))}


def held_out(key: str) -> bool:
    """Never trained on: every Timeline17 story, the Causal News stories the consequence model is
    scored on, and a fifth of the other stories."""
    return key.startswith(("t17:", "cnc-held:")) or zlib.crc32(key.encode()) % HELD_OUT_SHARE == 0


def sentences(text: str) -> list[str]:
    return [s for s in SENTENCE_END.split(" ".join(text.split())) if MIN_CHARS <= len(s) <= MAX_CHARS]


def documents(data: Path) -> Iterator[tuple[str, str, list[str]]]:
    """(key, domain, sentences) of every story: Reuters with a topic, gva_news by incident,
    Timeline17 by article; the Causal News Corpus (domain 'cnc', not scored) for training only, by
    story (evaluation/causal_news.py)."""
    for line in (data / "reuters21578" / "articles.jsonl").open(encoding="utf-8"):
        r = json.loads(line)
        if r.get("topics") and r.get("body"):
            yield f"reuters:{r['newid']}", "reuters", sentences(r["body"])
    for line in (data / "gva_news" / "articles.jsonl").open(encoding="utf-8"):
        r = json.loads(line)
        if r.get("text"):
            yield f"gva:{r['incident_id']}", "gva", sentences(r["text"])  # copies of one incident together
    for line in (data / "timelines" / "t17_articles.jsonl").open(encoding="utf-8"):
        r = json.loads(line)
        lines = [detokenise(s) for s in r["text"].split("\n")]
        yield (f"t17:{r['topic']}:{r['article_index']}", f"t17-{r['topic']}",
               [s for s in lines if MIN_CHARS <= len(s) <= MAX_CHARS])
    by_doc: dict[str, list[str]] = {}
    train, held = causal_news.split(data / "causal_news" / "sentences.jsonl")
    # The consequence model's held-out stories stay out of this training too (key "cnc-held:").
    for prefix, rows in (("cnc", train), ("cnc-held", held)):
        for r in rows:
            by_doc.setdefault(f"{prefix}:{causal_news.story(r['id'])}", []).append(detokenise(r["text"]))
    for key, texts in by_doc.items():
        yield key, "cnc", texts


def score(documents_: list[tuple[str, list[str]]],
          classify: Callable[[list[str]], list[dict[str, float]]]) -> dict[str, float]:
    """Sentence precision, coverage and document accuracy of one classifier (a story's sentences ->
    each one's scores per category, empty for none)."""
    categorised = allowed_hits = total = docs_right = 0
    for domain, texts in documents_:
        mass: Counter[str] = Counter()
        for scores in classify(texts):
            total += 1
            if not scores:
                continue
            best = max(scores, key=scores.__getitem__)
            categorised += 1
            allowed_hits += best in ALLOWED[domain]
            mass.update({c: v / sum(scores.values()) for c, v in scores.items()})
        if mass:
            docs_right += mass.most_common(1)[0][0] in ALLOWED[domain]
    return {"sentence_precision": allowed_hits / max(categorised, 1), "coverage": categorised / max(total, 1),
            "document_accuracy": docs_right / max(len(documents_), 1), "documents": len(documents_),
            "sentences": total}


def evaluate(data: Path, per_domain: int = 150) -> dict[str, Any]:
    """The trained classifier beside the word lists, on held-out stories (up to `per_domain` each)."""
    picked: dict[str, list[tuple[str, list[str]]]] = {}
    for key, domain, texts in documents(data):
        if domain in ALLOWED and held_out(key) and texts and len(picked.get(domain, [])) < per_domain:
            picked.setdefault(domain, []).append((domain, texts))
    held = [d for docs in picked.values() for d in docs]

    def alone(floor: float) -> Callable[[list[str]], list[dict[str, float]]]:
        return lambda texts: [dict(categories.categories(t, floor)) for t in texts]

    return {f"encoder head in its story, p >= {categories.FLOOR} (used)":
            score(held, lambda texts: [dict(c) for c in categories.in_context(texts, texts)]),
            f"encoder head alone, p >= {categories.FLOOR}": score(held, alone(categories.FLOOR)),
            "encoder head alone, p >= 0.7": score(held, alone(0.7)),
            f"stem student in its story, p >= {categories.FLOOR} (before)": score(
                held, lambda texts: [dict(c) for c in categories.in_context(texts, texts, read=stem_categories.read)]),
            "word lists": score(held, lambda texts: [word_list_scores(t) for t in texts]),
            "by_domain": {domain: len(docs) for domain, docs in picked.items()}}
