"""How many terms an archive article should post: memory against also-read quality.

    .venv/bin/python -m evaluation.archive_terms [--terms 100,60,40,30,20]

For each cap, the gva_news archive is indexed afresh into a private Redis (the workers' store code,
analyses from the evaluation cache) with each article's entities and its `cap` most frequent terms;
printed: the Redis memory it takes per article (documents kept compact as the index workers keep
them: store/connection.compact_documents), postings per article, and also-read quality
(evaluation/gva_also_read.py) on the TUNING half of the incidents only, where this choice is made
(make eval reports the other half). Queries keep their own features as before. Beside them, for
IMPLICATION_QUERIES of those queries (seeded), the share of implication items in a category their
domain allows (security or legal: evaluation/category_domains.py), with background and implications
run in-process as the workers run them: how far the story look-up, which reads postings too, moves.
"""

from __future__ import annotations

import argparse
import random
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis

from core.settings import Settings
from devtools.local_redis import RedisServer
from enrich import background, implications
from enrich.prepare import archive_doc_from_analysis, epoch, with_title
from enrich.text import archive_text
from evaluation import category_domains, eval_archive, gva_also_read
from evaluation.metrics import summarise
from evaluation.nlp_cache import analyse_cached
from store.connection import compact_documents

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "gva_news" / "articles.jsonl"
IMPLICATION_QUERIES = 150


def implications_allowed(r: redis.Redis, articles: list[dict], prepared: list[dict],
                         window: int | None = background.STORY_WINDOW) -> tuple[float, int]:
    """Share of the implication items in a category gva_news's domain allows, and their number
    (`window`: background.story_sentences's)."""
    items = []
    for article, p in zip(articles, prepared, strict=True):
        main = background.main_entities(p["entities"])
        weights, sources, story = eval_archive.story_sources(r, p["features"], [e["key"] for e in main],
                                                             epoch(article["published_at"]), article["id"],
                                                             p["title"], 8)
        timeline = background.timeline(main, sources, weights, 8, story=story)
        items += implications.implications_and_key_points(p, timeline, 5,
                                                          background.story_sentences(sources, main, story,
                                                                                     window=window),
                                                          article["published_at"])["implications"]
    allowed = category_domains.ALLOWED["gva"]
    return sum(i["category"] in allowed for i in items) / max(len(items), 1), len(items)


class Gva:
    """The gva_news archive's articles and analyses, one half's queries (the tuning half, unless
    told) and their gold links, and IMPLICATION_QUERIES of them (seeded) prepared for implications."""

    def __init__(self, split: str = "tuning") -> None:
        self.model = Settings.from_env({}).nlp_pipeline
        self.articles, self.incident = gva_also_read.load(DATA)
        incident = self.incident
        ids = [a["id"] for a in self.articles]
        self.gold = gva_also_read.gold_links(self.articles, incident)
        self.queries = sorted(i for i in self.gold if gva_also_read.half(incident[ids[i]]) == split)
        self.texts = [archive_text(a["body"])[0] for a in self.articles]
        self.analyses = analyse_cached(self.model, [with_title(a["title"], t) for a, t in
                                                    zip(self.articles, self.texts, strict=True)], "gva-archive")
        self.sample = sorted(random.Random(5).sample(self.queries, min(IMPLICATION_QUERIES, len(self.queries))))
        self.prepared = gva_also_read.prepared_queries(self.articles, self.model, self.sample)

    def index(self, r: redis.Redis, cap: int | None = None) -> tuple[int, int]:
        """Index the archive afresh (each article's `cap` most frequent terms; None: the default):
        the postings it holds and the Redis memory it takes."""
        r.flushall()
        before = int(r.info("memory")["used_memory"])
        postings = 0
        for article, text, analysis in zip(self.articles, self.texts, self.analyses, strict=True):
            doc = archive_doc_from_analysis(article, text, analysis, max_terms=cap)
            postings += len(doc["features"])
            eval_archive.store(r, doc)
        return postings, int(r.info("memory")["used_memory"]) - before

    def implications_allowed(self, r: redis.Redis, window: int | None = background.STORY_WINDOW) -> tuple[float, int]:
        return implications_allowed(r, [self.articles[i] for i in self.sample], self.prepared, window)


@contextmanager
def private_redis() -> Iterator[redis.Redis]:
    """A Redis of this run's own, in a temporary directory, stopped on leaving; documents kept
    compact as the index workers keep them."""
    with tempfile.TemporaryDirectory() as tmp:
        server = RedisServer(Path(tmp), appendonly=False)
        server.start()
        try:
            r = redis.Redis.from_url(server.url)
            compact_documents(r)
            yield r
        finally:
            server.stop()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--terms", default="100,60,40,30,20", help="caps to try (comma-separated)")
    caps = [int(c) for c in p.parse_args().terms.split(",")]
    gva = Gva()
    print(f"gva_news: {len(gva.articles)} archive articles; {len(gva.queries)} queries of the tuning half "
          f"({len(gva.sample)} for implications)")
    print(f"{'terms':>6} {'postings/article':>17} {'bytes/article':>14} {'recall@5':>9} {'mrr@10':>7} {'ndcg@5':>7}"
          f" {'implications allowed':>21}")
    with private_redis() as r:
        for cap in caps:
            postings, memory = gva.index(r, cap)
            ranked = gva_also_read.system_rankings(r, gva.articles, gva.model, gva.queries)
            m = summarise([(ranked[i], gva.gold[i]) for i in gva.queries])
            allowed, items = gva.implications_allowed(r)
            print(f"{cap:>6} {postings / len(gva.articles):>17.1f} {memory / len(gva.articles):>14,.0f} "
                  f"{m['recall@5']:>9.3f} {m['mrr@10']:>7.3f} {m['ndcg@5']:>7.3f} "
                  f"{allowed:>12.3f} of {items:<5}", flush=True)


if __name__ == "__main__":
    main()
