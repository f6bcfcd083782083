"""Prepare text for enrichment and indexing: clean paragraphs, sentences, entities, features.

Incoming articles and archive articles go through the same steps, so their features compare:
the title is analysed with the body (its entities and terms count), then every span is moved
into the body's text.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from enrich import nlp, timex, topics
from enrich.features import ARCHIVE_TERMS, features, sentence_entities
from enrich.text import Span, archive_text, article_text


def epoch(iso: str) -> float:
    """Seconds since the epoch of an ISO 8601 date; a date without a zone is taken as UTC."""
    parsed = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


def with_title(title: str, text: str) -> str:
    """The text the NLP reads: the title, a blank line, then the body."""
    return f"{title}\n\n{text}"


def lead_end(title: str, paragraphs: list[Span]) -> int:
    """Where the lead ends in with_title() coordinates: after the first paragraph."""
    return len(title) + 2 + (paragraphs[0][1] if paragraphs else 0)


def title_features(analysis: dict[str, Any], title: str) -> set[str]:
    """Features the headline names: entities mentioned in it, and its terms."""
    shift = len(title) + 2
    entities = {"e:" + e["key"] for e in analysis["entities"] if any(s < shift for s, _ in e["mentions"])}
    return entities | {"t:" + t for t in nlp.title_terms(title)}


def without_title(analysis: dict[str, Any], title: str) -> dict[str, Any]:
    """Move spans from with_title() coordinates into the body's; title-only mentions drop out."""
    shift = len(title) + 2

    def move(spans: list[list[int]]) -> list[list[int]]:
        return [[max(s, shift) - shift, e - shift] for s, e in spans if e > shift]

    return {
        "sentences": move(analysis["sentences"]),
        "entities": [{**ent, "mentions": move(ent["mentions"])} for ent in analysis["entities"]],
        "terms": analysis["terms"],
    }


def article_from_analysis(article: dict[str, Any], text: str, paragraphs: list[Span],
                          analysis: dict[str, Any]) -> dict[str, Any]:
    body = without_title(analysis, article["title"])
    return {
        "title": article["title"],
        "text": text,
        "paragraphs": [list(p) for p in paragraphs],
        "sentences": body["sentences"],
        "entities": [e for e in body["entities"] if e["mentions"]],
        "terms": body["terms"],
        "features": features(body, title_features(analysis, article["title"])),
    }


def prepare_article(article: dict[str, Any], model: str) -> dict[str, Any]:
    """Analyse an incoming article; every span points into the returned `text`."""
    text, paragraphs = article_text(article["body"])
    title = article["title"]
    analysis = nlp.analyse(model, with_title(title, text), lead_end(title, paragraphs))
    return {**article_from_analysis(article, text, paragraphs, analysis), "topics": topics.topics(title, text)}


def archive_doc_from_analysis(article: dict[str, Any], text: str, analysis: dict[str, Any],
                              max_terms: int | None = None) -> dict[str, Any]:
    """The archive's document of an analysed article: its features (entities and at most
    `max_terms` terms, by default features.ARCHIVE_TERMS) are what the index posts."""
    body = without_title(analysis, article["title"])
    published = date.fromisoformat(article["published_at"][:10])
    # Each sentence with its event's date, [start, end, keys, date, how], so background reads it.
    sentences = [[*s, *timex.dated(text[s[0]:s[1]], published)] for s in sentence_entities(body)]
    return {
        "id": article["id"], "title": article["title"], "url": article.get("url"),
        "section": article.get("section"), "tags": article.get("tags") or [],
        "published_at": article["published_at"], "ts": epoch(article["published_at"]),
        "text": text, "sentences": sentences,
        "features": features(body, title_features(analysis, article["title"]),
                             ARCHIVE_TERMS if max_terms is None else max_terms),
        "names": {"e:" + e["key"]: e["name"] for e in body["entities"]},
    }


def prepare_archive_docs(articles: list[dict[str, Any]], model: str) -> list[dict[str, Any]]:
    """Analyse archive articles in one batch into documents ready for the index."""
    texts = [archive_text(a["body"])[0] for a in articles]
    combined = [with_title(a["title"], t) for a, t in zip(articles, texts, strict=True)]
    return [archive_doc_from_analysis(a, t, analysis) for a, t, analysis in
            zip(articles, texts, nlp.analyse_many(model, combined), strict=True)]
