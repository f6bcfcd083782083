"""Prepare text for enrichment and indexing: clean paragraphs, sentences, entities, features."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from workers import nlp
from workers.features import features, sentence_entities
from workers.text import archive_text, article_text


def epoch(iso: str) -> float:
    """Seconds since the epoch of an ISO 8601 date; a date without a zone is taken as UTC."""
    parsed = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


def prepare_article(article: dict[str, Any], model: str) -> dict[str, Any]:
    """Analyse an incoming article; every span points into the returned `text`."""
    text, paragraphs = article_text(article["body"])
    lead_end = paragraphs[0][1] if paragraphs else None
    analysis = nlp.analyse(model, text, lead_end)
    return {
        "title": article["title"],
        "text": text,
        "paragraphs": [list(p) for p in paragraphs],
        **analysis,
        "features": features(analysis),
    }


def prepare_archive_docs(articles: list[dict[str, Any]], model: str) -> list[dict[str, Any]]:
    """Analyse archive articles in one batch into documents ready for the index."""
    cleaned = [archive_text(a["body"]) for a in articles]
    titles = [a["title"] for a in articles]
    docs = []
    texts = [f"{title}\n\n{text}" for title, (text, _) in zip(titles, cleaned, strict=True)]
    for article, (text, _), title, analysis in zip(
            articles, cleaned, titles, nlp.analyse_many(model, texts), strict=True):
        shift = len(title) + 2
        analysis = _drop_title(analysis, shift)
        docs.append({
            "id": article["id"], "title": title, "url": article.get("url"),
            "published_at": article["published_at"], "ts": epoch(article["published_at"]),
            "text": text, "features": features(analysis),
            "sentences": sentence_entities(analysis),
            "names": {"e:" + e["key"]: e["name"] for e in analysis["entities"]},
        })
    return docs


def _drop_title(analysis: dict[str, Any], shift: int) -> dict[str, Any]:
    """Keep the title's entities and terms as features, but move spans into the body's text
    (an entity named only in the title keeps no mention)."""
    def move(spans: list[list[int]]) -> list[list[int]]:
        return [[max(s, shift) - shift, e - shift] for s, e in spans if e > shift]
    entities = [{**ent, "mentions": move(ent["mentions"])} for ent in analysis["entities"]]
    return {
        "sentences": move(analysis["sentences"]),
        "entities": entities,
        "terms": analysis["terms"],
    }
