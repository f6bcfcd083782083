"""Assemble the stages' outputs into the enriched document and check it against its schema."""

from __future__ import annotations

from typing import Any

from enrich import render
from schemas.enriched import EnrichedDocumentSchema

PIPELINE_VERSION = "1.0.0"


def assemble(job_id: str, article: dict[str, Any], prepared: dict[str, Any],
             stages: dict[str, Any], timings_ms: dict[str, float], archive_size: int) -> dict[str, Any]:
    """Build the document; raise marshmallow.ValidationError if it breaks the contract."""
    text = prepared["text"]
    also_read = stages["also_read"]
    if isinstance(also_read, list):  # a job stored before versions were reported holds the links alone
        also_read = {"links": also_read, "versions": []}
    doc: dict[str, Any] = {
        "id": job_id,
        "article": {
            **{k: article.get(k) for k in ("id", "url", "section")},
            "title": article["title"], "body": article["body"],
            "published_at": article["published_at"], "language": article.get("language", "en"),
            "tags": article.get("tags") or [], "text": text,
            "paragraphs": [{"start": s, "end": e, "text": text[s:e]} for s, e in prepared["paragraphs"]],
        },
        "topics": prepared.get("topics", []),  # a job prepared before topics existed has none
        "entities": [{k: e[k] for k in ("name", "type", "key", "mentions", "salience")}
                     for e in prepared["entities"]],
        "also_read": also_read["links"],
        "versions": also_read["versions"],
        "background": stages["background"],
        "implications": stages["implications"]["implications"],
        "key_points": stages["implications"]["key_points"],
        "meta": {"pipeline_version": PIPELINE_VERSION, "timings_ms": timings_ms,
                 "archive_size": archive_size},
    }
    markdown = render.markdown(doc)
    doc["rendered"] = {"markdown": markdown, "html": render.html(markdown)}
    EnrichedDocumentSchema().load(doc)
    return doc
