"""Choosing how implications read an article, on choice data only: the read quota
(enrich/implications.ARTICLE_READS), the story's weight on each sentence's category
(enrich/categories.STORY_WEIGHT), the share of the story's main category a category needs to be
served (enrich/categories.STORY_SHARE), the consequence model's thresholds (CAUSAL_THRESHOLD,
AHEAD_THRESHOLD: chosen for evidence precision >= 0.85 with the most evidence) and how many items
a category may have (enrich/implications.PER_CATEGORY).

Implications read, per category, the article sentences most about it, and keep those the
consequence model passes. How many it reads decides whether a long article's own consequences are
ever read; how much the story's own mix of categories weighs decides what each is filed under.
This compares settings, in-process and without an archive, on:
- long articles (at least MIN_SENTENCES sentences) of Reuters and gva_news stories outside the
  category model's held-out fifth (evaluation/category_domains.held_out), outside the Reuters lines
  `make run`'s demo and `make eval` read (the first DEMO_LINES and the last through_api.REUTERS_SLICE),
  and, for gva_news, in the tuning half of the incidents: items in a category the story's domain
  allows, per article, and sentences read (the cost);
- the Causal News choice stories (evaluation/causal_news.choice_split) as six-sentence articles:
  the share of evidence sentences labelled causal.
Nothing here is reported as a result: these stories chose these settings. Run:
    python -m evaluation.implication_reads [reads|story-weight|story-share|thresholds|per-category|as-set] [data dir]
"""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from enrich import categories, consequence, implications
from evaluation import category_domains, causal_news, gva_also_read, through_api

QUOTAS: tuple[int | None, ...] = (3, 4, 5, 6, 8, None)  # None: every sentence about a category
STORY_WEIGHTS = (0.0, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0)
STORY_SHARES = (0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0)
# (causal, ahead) probability pairs from which a sentence states a consequence; 1.01: that head never passes.
PER_CATEGORIES = (1, 2, 3, 4, 5)
THRESHOLDS = tuple((c, a) for c in (0.7, 0.75, 0.8, 0.85, 0.9) for a in (0.5, 0.6, 0.7, 0.8, 0.9, 1.01))
MIN_SENTENCES = 12
PER_DOMAIN = 120
DEMO_LINES = 2500
LIMIT = 5  # the request's default number of implications (schemas/enrichment.py)


def joined(sentences: list[str]) -> tuple[str, list[list[int]]]:
    """The sentences as one text, one a paragraph, with their spans."""
    spans, at = [], 0
    for s in sentences:
        spans.append([at, at + len(s)])
        at += len(s) + 2
    return "\n\n".join(sentences), spans


def choice_documents(data: Path) -> Iterator[tuple[str, str, list[str]]]:
    """(key, domain, sentences) of the choice side's Reuters and gva_news stories: outside the
    category head's held-out fifth, Reuters outside the lines make run's demo and make eval read,
    gva_news in the tuning half of the incidents."""
    lines = (data / "reuters21578" / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    usable = {json.loads(line)["newid"] for line in lines[DEMO_LINES:-through_api.REUTERS_SLICE]}
    for key, domain, sentences in category_domains.documents(data):
        if domain not in {"reuters", "gva"} or category_domains.held_out(key):
            continue
        if (int(key.split(":")[1]) in usable if domain == "reuters"
                else gva_also_read.half(key.split(":", 1)[1]) == "tuning"):
            yield key, domain, sentences


def long_articles(data: Path) -> list[tuple[str, list[str]]]:
    """(domain, sentences) of the choice side's long Reuters and gva_news articles, a seeded sample."""
    picked: dict[str, list[tuple[str, list[str]]]] = {"reuters": [], "gva": []}
    for _, domain, sentences in choice_documents(data):
        if len(sentences) >= MIN_SENTENCES:
            picked[domain].append((domain, sentences))
    rng = random.Random(19)
    return [a for docs in picked.values() for a in rng.sample(docs, min(PER_DOMAIN, len(docs)))]


def cnc_choice(data: Path) -> tuple[list[list[str]], dict[str, int]]:
    """The Causal News choice stories as articles of consecutive sentences (as make eval posts the
    held-out ones), and each sentence's label."""
    train, _ = causal_news.split(data / "causal_news" / "sentences.jsonl")
    found, gold = causal_news.articles(causal_news.choice_split(train)[1])
    return [texts for _, _, texts in found], gold


Reader = Callable[[list[str]], list[tuple[float, float]]]


def remembering(read: Reader) -> Reader:
    """`read`, each distinct sentence read once over the whole sweep (a setting changes which
    sentences are read or what passes, never what the model says of one)."""
    known: dict[str, tuple[float, float]] = {}

    def cached(texts: list[str]) -> list[tuple[float, float]]:
        missing = [t for t in dict.fromkeys(texts) if t not in known]
        known.update(zip(missing, read(missing), strict=True))
        return [known[t] for t in texts]

    return cached


def measure(long: list[tuple[str, list[str]]], cnc: list[list[str]], gold: dict[str, int],
            read: Reader = consequence.read) -> dict[str, float]:
    """Implications of the long articles and the Causal News articles as enrich/ is set now."""
    read_count = 0

    def counting(texts: list[str]) -> list[tuple[float, float]]:
        nonlocal read_count
        read_count += len(texts)
        return read(texts)

    items = allowed = with_items = kinds = allowed_kinds = 0
    for domain, sentences in long:
        found = implications.implications(*joined(sentences), LIMIT, read=counting)
        items += len(found)
        kinds += len({i["category"] for i in found})
        allowed_kinds += len({i["category"] for i in found} & category_domains.ALLOWED[domain])
        allowed += sum(i["category"] in category_domains.ALLOWED[domain] for i in found)
        with_items += bool(found)
    reads = read_count / len(long)
    cited = [e["text"] for texts in cnc for i in implications.implications(*joined(texts), LIMIT, read=read)
             for e in i["evidence"]]
    known = [gold[t] for t in cited if t in gold]
    return {"items_per_article": items / len(long), "allowed_per_article": allowed / len(long),
            "categories_per_article": kinds / len(long), "allowed_categories_per_article": allowed_kinds / len(long),
            "allowed_share": allowed / max(1, items), "articles_with_items": with_items / len(long),
            "reads_per_article": reads, "cnc_evidence": len(known),
            "cnc_precision": sum(known) / max(1, len(known))}


def _set_thresholds(pair: tuple[float, float]) -> None:
    implications.CAUSAL_THRESHOLD, implications.AHEAD_THRESHOLD = pair


# Each setting: its name, how to set a value, the values compared.
SETTINGS: dict[str, tuple[str, Callable[[Any], None], tuple[Any, ...]]] = {
    "reads": ("ARTICLE_READS", lambda v: setattr(implications, "ARTICLE_READS", v), QUOTAS),
    "story-weight": ("STORY_WEIGHT", lambda v: setattr(categories, "STORY_WEIGHT", v), STORY_WEIGHTS),
    "story-share": ("STORY_SHARE", lambda v: setattr(categories, "STORY_SHARE", v), STORY_SHARES),
    "thresholds": ("CAUSAL_THRESHOLD, AHEAD_THRESHOLD", _set_thresholds, THRESHOLDS),
    "per-category": ("PER_CATEGORY", lambda v: setattr(implications, "PER_CATEGORY", v), PER_CATEGORIES),
    "prose": ("PROSE_WORDS", lambda v: setattr(implications, "PROSE_WORDS", v), (None, 1, 2)),
    # enrich/ as it is: one model against another (e.g. a category head refitted) at the same settings.
    "as-set": ("settings", lambda v: None, ("as set",)),
}


def main() -> None:
    knob = sys.argv[1] if len(sys.argv) > 1 else "reads"
    data = Path(sys.argv[2]) if len(sys.argv) > 2 else Path("../shared/data")
    if knob not in SETTINGS:
        raise SystemExit(f"unknown setting {knob!r}: choose one of {', '.join(SETTINGS)}")
    name, set_value, values = SETTINGS[knob]
    long = long_articles(data)
    cnc, gold = cnc_choice(data)
    read = remembering(consequence.read)
    print(f"{len(long)} long choice articles (>= {MIN_SENTENCES} sentences), {len(cnc)} Causal News choice articles")
    for value in values:
        set_value(value)
        figures = measure(long, cnc, gold, read)
        print(json.dumps({name: value, **{k: round(v, 3) for k, v in figures.items()}}), flush=True)


if __name__ == "__main__":
    main()
