"""Where Reuters implications leave the story's domain, on choice data: implications of Reuters
articles against the Reuters archive, in-process as the workers build them, each item counted by
where its evidence comes from (the article, or the archive) and by category (a Reuters story with a
topic allows economic: evaluation/category_domains.ALLOWED).

Queries: Reuters articles with a topic, in the tuning half of background's queries
(reuters_background.half), outside the category head's held-out fifth, the lines make run's demo
reads (implication_reads.DEMO_LINES) and the slice make eval posts through the API
(through_api.REUTERS_SLICE); a seeded sample. Nothing here is a result. Run:
    python -m evaluation.reuters_implications [queries] [--all]
(--all: every item, not only those outside the domain)
"""

from __future__ import annotations

import json
import random
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from core.settings import Settings
from enrich.prepare import article_from_analysis, with_title
from enrich.text import article_text
from evaluation import category_domains, eval_archive, implication_reads, reuters_background
from evaluation.archive_terms import private_redis
from evaluation.nlp_cache import analyse_cached


def choice_queries(data: Path, articles: list[dict[str, Any]], n: int) -> list[int]:
    """Indexes into `articles` of a seeded sample of the choice queries."""
    usable = {f"reuters-{key.split(':')[1]}" for key, domain, _ in implication_reads.choice_documents(data)
              if domain == "reuters"}
    picked = [i for i, a in enumerate(articles) if a["id"] in usable and reuters_background.half(a["id"]) == "tuning"]
    return sorted(random.Random(30).sample(picked, min(n, len(picked))))


def main() -> None:
    numbers = [a for a in sys.argv[1:] if a.isdigit()]
    n = int(numbers[0]) if numbers else 150
    data = Path("../shared/data")
    articles, _ = reuters_background.load(data / "reuters21578" / "articles.jsonl")
    chosen = choice_queries(data, articles, n)
    model = Settings.from_env({}).nlp_pipeline
    bodies = [article_text(articles[i]["body"]) for i in chosen]
    analyses = analyse_cached(model, [with_title(articles[i]["title"], t) for i, (t, _) in
                                      zip(chosen, bodies, strict=True)], "reuters-query")
    found: list[tuple[str, str, str]] = []  # (evidence source kind, category, text)
    with private_redis() as r:
        reuters_background.index_archive(r, articles, model)
        for i, (text, paragraphs), analysis in zip(chosen, bodies, analyses, strict=True):
            prepared = article_from_analysis(articles[i], text, paragraphs, analysis)
            _, items = eval_archive.timeline_and_implications(r, articles[i], prepared)
            found += [("article" if item["evidence"][0]["source"] == "article" else "archive", item["category"],
                       item["text"]) for item in items]
    allowed = category_domains.ALLOWED["reuters"]
    print(f"{len(chosen)} Reuters choice queries, {len(found)} implication items")
    for kind in ("article", "archive", "all"):
        mine = [(c, t) for k, c, t in found if kind in (k, "all")]
        print(json.dumps({"evidence from": kind, "items": len(mine),
                          "allowed": round(sum(c in allowed for c, _ in mine) / max(1, len(mine)), 3),
                          "by_category": dict(Counter(c for c, _ in mine))}))
    for kind, category, text in found:
        if category not in allowed or "--all" in sys.argv:
            print(f"  {kind:7} {category:12} {text[:150]}")


if __name__ == "__main__":
    main()
