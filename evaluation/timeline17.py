"""Background as a timeline, on journalists' timelines of long stories (Timeline17,
`../shared/data/timelines`), in the product's setting: the archive holds every story together,
the query is a story's latest article, and the background stage (the workers' own code, over a
private Redis) builds a timeline of k = the gold timeline's number of dates (at most 50).

Scores (Martschat & Markert 2017): date F1 of the chosen dates against the gold dates, and
agreement ROUGE-1 F: unigrams of our sentences and the gold sentences compared date by date,
counted only where the dates agree (all tokens, lower-cased). Beside it, in the same run, the
naive baseline: the first sentence of each of the k most similar earlier articles (TF-IDF),
dated by publication.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from datetime import datetime, timedelta
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
from evaluation.ptb import detokenise

MAX_K = 50
def load(path: Path) -> tuple[list[dict[str, Any]], dict[str, dict[str, list[str]]]]:
    """Archive articles (every story) and each topic's gold timeline: date -> sentences."""
    articles = []
    for line in (path / "t17_articles.jsonl").open(encoding="utf-8"):
        record = json.loads(line)
        sentences = [detokenise(s) for s in record["text"].split("\n") if s.strip()]
        if len(sentences) < 2:
            continue
        articles.append({"id": f"t17-{record['topic']}-{record['article_index']}", "topic": record["topic"],
                         "title": sentences[0][:300], "body": "\n\n".join(sentences[1:]),
                         "published_at": f"{record['pub_date']}T12:00:00+00:00"})
    gold: dict[str, dict[str, list[str]]] = {}
    for line in (path / "gold_timelines.jsonl").open(encoding="utf-8"):
        record = json.loads(line)
        gold[record["topic"]] = {e["date"]: [detokenise(s) for s in e["sentences"]] for e in record["entries"]}
    return articles, gold


def tokens(text: str) -> Counter[str]:
    return Counter(re.findall(r"[a-z0-9]+", text.lower()))


def scores(system: dict[str, list[str]], gold: dict[str, list[str]]) -> dict[str, float]:
    """Date F1 and agreement ROUGE-1 F of a timeline (date -> sentences) against the gold one."""
    shared = set(system) & set(gold)
    p = len(shared) / max(len(system), 1)
    r = len(shared) / max(len(gold), 1)
    overlap = 0
    for day in shared:
        ours, theirs = tokens(" ".join(system[day])), tokens(" ".join(gold[day]))
        overlap += sum(min(n, theirs[t]) for t, n in ours.items())
    total_ours = sum(sum(tokens(" ".join(s)).values()) for s in system.values())
    total_gold = sum(sum(tokens(" ".join(s)).values()) for s in gold.values())
    rp, rr = overlap / max(total_ours, 1), overlap / max(total_gold, 1)
    return {"date_f1": 2 * p * r / (p + r) if p + r else 0.0,
            "rouge1_agreement_f": 2 * rp * rr / (rp + rr) if rp + rr else 0.0}


def copy_of(article: dict[str, Any]) -> dict[str, Any]:
    """The article as a newsroom's archive also holds it: under another id, filed an hour earlier."""
    filed = datetime.fromisoformat(article["published_at"]) - timedelta(hours=1)
    return {**article, "id": article["id"] + "-copy", "published_at": filed.isoformat()}


def latest_of_each_story(articles: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    latest: dict[str, dict[str, Any]] = {}
    for a in articles:
        if a["topic"] not in latest or (a["published_at"], a["id"]) > (latest[a["topic"]]["published_at"],
                                                                           latest[a["topic"]]["id"]):
            latest[a["topic"]] = a
    return latest


def evaluate(path: Path, r: redis.Redis, model: str, with_copies: bool = False) -> dict[str, Any]:
    """With `with_copies`, the product's common case: each query's own copy is archived too."""
    articles, gold = load(path)
    copies = [copy_of(a) for a in latest_of_each_story(articles).values()] if with_copies else []
    index_cached(r, articles + copies, model, "t17-archive")
    ids = [a["id"] for a in articles]
    published = np.array([epoch(a["published_at"]) for a in articles])
    tfidf = TfidfRanker(ids, [f"{a['title']}\n\n{a['body']}" for a in articles])
    per_topic: dict[str, dict[str, Any]] = {}
    for topic, timeline in sorted(gold.items()):
        k = min(len(timeline), MAX_K)
        latest = max((i for i, a in enumerate(articles) if a["topic"] == topic),
                     key=lambda i: (published[i], ids[i]))
        query = articles[latest]
        text, paragraphs = article_text(query["body"])
        analysis = analyse_cached(model, [with_title(query["title"], text)], "t17-query")[0]
        prepared = article_from_analysis(query, text, paragraphs, analysis)
        items = background_of(r, prepared, published[latest], query["id"], k)
        system: dict[str, list[str]] = defaultdict(list)
        for item in items:
            system[item["date"]].append(item["text"])
        baseline: dict[str, list[str]] = defaultdict(list)
        for doc_id in tfidf.rank(latest, published < published[latest], k):
            doc = articles[ids.index(doc_id)]
            baseline[doc["published_at"][:10]].append(doc["title"])
        per_topic[topic] = {"k": k, "system": scores(system, timeline), "baseline": scores(baseline, timeline),
                            "items": len(items), "span": [min(timeline), max(timeline)],
                            "example": [(i["date"], i["text"][:160]) for i in items[:8]]}
    mean = {name: {metric: float(np.mean([t[name][metric] for t in per_topic.values()]))
                   for metric in ("date_f1", "rouge1_agreement_f")} for name in ("system", "baseline")}
    return {"topics": per_topic, "mean": mean}


def background_of(r: redis.Redis, prepared: dict[str, Any], as_of: float, article_id: str,
                  limit: int) -> list[dict[str, Any]]:
    """The background stage as workers/tasks.py runs it."""
    main = background.main_entities(prepared["entities"])
    weights, sources, common = eval_archive.story_sources(r, prepared["features"], [e["key"] for e in main],
                                                     as_of, article_id, prepared["title"])
    return background.timeline(main, sources, weights, limit, common=common)


if __name__ == "__main__":
    import sys
    import tempfile

    from devtools.local_redis import RedisServer

    server = RedisServer(Path(tempfile.mkdtemp(prefix="t17-redis-")), appendonly=False)
    server.start()
    try:
        result = evaluate(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/timelines"),
                          redis.Redis.from_url(server.url), sys.argv[2] if len(sys.argv) > 2 else "en_newsroom_ner",
                          with_copies="--copies" in sys.argv)
    finally:
        server.stop()
    for topic, figures in result["topics"].items():
        print(topic, figures["k"], figures["items"], "system", figures["system"], "baseline", figures["baseline"])
        for example in figures["example"]:
            print("   ", example)
    print("mean", json.dumps(result["mean"]))
