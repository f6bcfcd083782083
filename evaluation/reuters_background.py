"""Background grounding and topical precision on Reuters-21578, through the workers' own code.

Grounding: every item's text must be exactly the cited span of the archive article's text.
Tag precision: the share of cited sources that have an editor tag (people, orgs, places; the
most common place, 'usa', left out as it says little) in common with the article. The baseline
cites what a "more like this" search gives: the five nearest earlier articles by TF-IDF.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import redis

from enrich import background
from enrich.prepare import article_from_analysis, epoch, with_title
from enrich.text import article_text
from evaluation import eval_archive
from evaluation.baselines import TfidfRanker
from evaluation.nlp_cache import analyse_cached, index_cached
from service.archive_formats import from_reuters

LIMIT = 8


def load(path: Path) -> tuple[list[dict[str, Any]], dict[str, set[str]]]:
    articles, tags = [], {}
    for line in path.open(encoding="utf-8"):
        record = json.loads(line)
        article = from_reuters(record)
        if article:
            articles.append(article)
            tags[article["id"]] = {f"{kind}:{v}" for kind in ("people", "orgs", "places")
                                   for v in record.get(kind, [])}
    common = Counter(t for ts in tags.values() for t in ts if t.startswith("places:")).most_common(1)
    for ts in tags.values():
        ts.discard(common[0][0])
    return articles, tags


def index_archive(r: redis.Redis, articles: list[dict[str, Any]], model: str) -> None:
    index_cached(r, articles, model, "reuters-archive")


def half(article_id: str) -> str:
    """Which half of the queries an article is in: "tuning" (where background choices are tried)
    or "reported" (make eval's figure; no choice is made there)."""
    return "tuning" if hashlib.sha1(article_id.encode()).digest()[0] % 2 == 0 else "reported"


def evaluate(path: Path, r: redis.Redis, model: str, queries: int = 400,
             split: str = "reported") -> dict[str, dict[str, float]]:
    articles, tags = load(path)
    index_archive(r, articles, model)
    ids = [a["id"] for a in articles]
    dates = np.array([epoch(a["published_at"]) for a in articles])
    # Queries: tagged articles from the later half of the archive, of one half, spread evenly.
    later = [i for i in np.argsort(dates)[len(dates) // 2:] if tags[ids[i]] and half(ids[i]) == split]
    chosen = [later[k] for k in np.linspace(0, len(later) - 1, queries).astype(int)]
    bodies = [article_text(articles[i]["body"]) for i in chosen]
    analyses = analyse_cached(model, [with_title(articles[i]["title"], t) for i, (t, _) in
                                      zip(chosen, bodies, strict=True)], "reuters-query")
    items = grounded = shared = 0
    for i, (text, paragraphs), analysis in zip(chosen, bodies, analyses, strict=True):
        prepared = article_from_analysis(articles[i], text, paragraphs, analysis)
        main = background.main_entities(prepared["entities"])
        weights, sources, story = eval_archive.story_sources(r, prepared["features"],
                                                         [e["key"] for e in main], dates[i], ids[i],
                                                         prepared["title"], LIMIT)
        for item in background.timeline(main, sources, weights, LIMIT, story=story):
            source = item["source"]
            start, end = source["span"]
            items += 1
            grounded += sources[source["archive_id"]]["text"][start:end] == item["text"]
            shared += bool(tags[source["archive_id"]] & tags[ids[i]])
    tfidf = TfidfRanker(ids, [f"{a['title']}\n\n{a['body']}" for a in articles])
    base_total = base_shared = 0
    for i in chosen:
        allowed = dates < dates[i]
        for doc_id in tfidf.rank(i, allowed, 5):
            base_total += 1
            base_shared += bool(tags[doc_id] & tags[ids[i]])
    return {
        "system": {"items": items, "grounded": grounded / max(items, 1),
                   "tag_precision": shared / max(items, 1), "queries": len(chosen)},
        "TF-IDF top 5 as sources": {"items": base_total, "grounded": float("nan"),
                                    "tag_precision": base_shared / max(base_total, 1),
                                    "queries": len(chosen)},
    }
