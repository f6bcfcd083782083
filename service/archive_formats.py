"""Map the records of known archive files to archive articles."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Record = dict[str, Any]


def from_reuters(record: Record) -> Record | None:
    """Reuters-21578 (newid, date, title, body, editor tags)."""
    if not (record.get("title") and record.get("body") and record.get("date")):
        return None
    tags = [*record.get("topics", []), *record.get("places", []), *record.get("people", []),
            *record.get("orgs", [])]
    return {"id": f"reuters-{record['newid']}", "title": record["title"].strip(),
            "body": record["body"], "published_at": record["date"], "tags": tags}


def from_gva(record: Record) -> Record | None:
    """Gun Violence Archive news (id, date, title, url, text)."""
    if not (record.get("title") and (record.get("text") or "").strip() and record.get("date")):
        return None
    article = {"id": f"gva-{record['id']}", "title": record["title"].strip(),
               "body": record["text"], "published_at": record["date"]}
    if record.get("url"):
        article["url"] = record["url"]
    return article


def from_article(record: Record) -> Record | None:
    """Already an archive article."""
    return record


FORMATS: dict[str, Callable[[Record], Record | None]] = {
    "reuters": from_reuters, "gva": from_gva, "article": from_article}
# Why a format's mapper gives no article for a record (the import reports it with the line).
REFUSED_BY: dict[str, str] = {
    "reuters": "a Reuters record needs a title, a body and a date",
    "gva": "a gva_news record needs a title, a non-blank text and a date",
    "article": "not an article",
}
