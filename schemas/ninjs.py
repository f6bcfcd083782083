"""IPTC ninjs (News in JSON), both ways: an article sent as ninjs, and the enriched document as ninjs.

In: ninjs 1.x, 2.x (lower-case property names) or 3.x (camelCase) becomes our article shape:
`uri` is the id, the headline from `headlines` (or 1.x `headline`), the body from `bodies` (HTML
preferred) or 1.x `body_html` / `body_text`, the date from `firstCreated`, `contentCreated` or
`versionCreated`.

Out: version 3.1 (default) or 2.2; where each part of the enrichment goes is in docs/reference.md
("ninjs"). The IPTC schemas that a result must validate against are in ../shared/standards/ninjs
(the tests validate real results with them).
"""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import quote

import marshmallow as ma

VERSIONS = ("3.1", "2.2")
DEFAULT_VERSION = "3.1"
MEDIA_TYPE = "application/ninjs+json"
SCHEMA_URI = "http://www.iptc.org/std/ninjs/ninjs-schema_{}.json#"
URN = "urn:newsroom-enrichment:"
ABSOLUTE_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")
ENTITY_LISTS = {"PER": "people", "ORG": "organisations", "LOC": "places"}
ABOUT = 0.5  # an entity at least this salient is what the article is about; others it mentions


# --- in ---------------------------------------------------------------------------------------

def _lower_keys(value: Any, depth: int = 2) -> Any:
    """3.x writes camelCase and 2.x lower case: read both as lower case (to the depth we read)."""
    if depth and isinstance(value, dict):
        return {str(k).lower(): _lower_keys(v, depth - 1) for k, v in value.items()}
    if depth and isinstance(value, list):
        return [_lower_keys(v, depth) for v in value]
    return value


def _texts(items: Any, field: str) -> list[dict[str, Any]]:
    if items is None:
        return []
    if not isinstance(items, list) or not all(isinstance(i, dict) and isinstance(i.get("value"), str)
                                              for i in items):
        raise ma.ValidationError({field: ["Must be a list of objects, each with a string 'value'."]})
    return items


def _main(items: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The item whose role is 'main' (or has no role), else the first."""
    for item in items:
        if item.get("role") in (None, "main") and item["value"].strip():
            return item
    return next((i for i in items if i["value"].strip()), None)


def _body(item: dict[str, Any]) -> str | None:
    bodies = _texts(item.get("bodies"), "bodies")
    rich = [b for b in bodies if b["value"].strip() and (
        "html" in str(b.get("contenttype", "")).lower() or b.get("role") == "richtext")]
    chosen = _main(rich) or _main(bodies)
    if chosen:
        return str(chosen["value"])
    for old in ("body_html", "body_text"):  # ninjs 1.x
        if isinstance(item.get(old), str) and item[old].strip():
            return str(item[old])
    return None


def article_from_ninjs(item: dict[str, Any]) -> dict[str, Any]:
    """Our article fields from a ninjs object; ValidationError naming the ninjs property that is
    missing or malformed."""
    if not isinstance(item, dict):
        raise ma.ValidationError(["A ninjs article is a JSON object."])
    item = _lower_keys(item)
    errors: dict[str, list[str]] = {}
    uri = item.get("uri")
    if not isinstance(uri, str) or not uri.strip():
        errors["uri"] = ["Missing: a ninjs item's uri is required; it becomes the article's id."]
    elif len(uri) > 200:
        errors["uri"] = ["At most 200 characters (it becomes the article's id)."]
    headline = None
    try:
        main = _main(_texts(item.get("headlines"), "headlines"))
        headline = main["value"] if main else item.get("headline")  # 1.x: a string
    except ma.ValidationError as exc:
        errors.update(exc.messages)  # type: ignore[arg-type]
    if not isinstance(headline, str) or not headline.strip():
        errors.setdefault("headlines", ["Give a headline: headlines[].value (role 'main'), or 'headline' (1.x)."])
    body = None
    try:
        body = _body(item)
    except ma.ValidationError as exc:
        errors.update(exc.messages)  # type: ignore[arg-type]
    if not body:
        errors.setdefault("bodies", ["Give a body: bodies[].value (HTML or plain text), or 'body_html' / "
                                     "'body_text' (1.x)."])
    if errors:
        raise ma.ValidationError(errors)
    article: dict[str, Any] = {"id": uri, "title": headline, "body": body}
    for name in ("firstcreated", "contentcreated", "versioncreated"):
        if item.get(name):
            article["published_at"] = item[name]
            break
    if item.get("language"):
        article["language"] = str(item["language"]).split("-")[0].lower()  # en-GB is English
    if isinstance(item.get("uri"), str) and item["uri"].startswith(("http://", "https://")):
        article["url"] = item["uri"]
    keywords = item.get("keywords")
    if isinstance(keywords, list) and all(isinstance(k, str) for k in keywords):
        article["tags"] = keywords
    return article


def looks_like_ninjs(data: Any) -> bool:
    """A request body that is a bare ninjs item rather than our {"article": ...} envelope."""
    return isinstance(data, dict) and "article" not in data and "ninjs" not in data and "uri" in data


# --- out --------------------------------------------------------------------------------------

def item_uri(value: str | None, fallback: str) -> str:
    """A URI for the item: the article's id when it is one (a ninjs uri sent in comes back), else a URN."""
    if value and ABSOLUTE_URI.match(value):
        return value
    return URN + (f"article:{quote(value, safe='')}" if value else fallback)


def _list(lines: list[str]) -> str:
    return "\n".join(f"- {line}" for line in lines)


def _cited(source: dict[str, Any]) -> str:
    return f"{source['title']} ({source['published_at'][:10]}, {source['archive']}/{source['archive_id']})"


def _descriptions(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """Key points, implications and background as plain-text descriptions, each line citing its source."""
    out = []
    if doc["key_points"]:
        out.append({"role": "keyPoints", "contentType": "text/plain",
                    "value": _list([p["text"] for p in doc["key_points"]])})
    if doc["implications"]:
        lines = []
        for imp in doc["implications"]:
            evidence = imp["evidence"][0]
            where = "the article" if evidence["source"] == "article" else f"archive {evidence['source']}"
            lines.append(f"{imp['label']}: {imp['text']} (from {where})")
        out.append({"role": "implications", "contentType": "text/plain", "value": _list(lines)})
    if doc["background"]:
        out.append({"role": "background", "contentType": "text/plain",
                    "value": _list([f"{b['date']}: {b['text']} [{_cited(b['source'])}]" for b in doc["background"]])})
    return out


def _entities(doc: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for entity in doc["entities"]:
        field = ENTITY_LISTS.get(entity["type"])
        if field:
            rel = "about" if entity["salience"] >= ABOUT else "mentions"
            out.setdefault(field, []).append({"name": entity["name"], "rel": rel, "literal": entity["key"]})
    return out


def _association(link: dict[str, Any]) -> dict[str, Any]:
    url = link.get("url")
    uri = url if url and ABSOLUTE_URI.match(url) else (
        f"{URN}archive:{quote(link['archive'], safe='')}:{quote(link['archive_id'], safe='')}")
    return {
        "name": link["title"], "rel": "alsoRead", "uri": uri, "type": "text", "representationType": "partial",
        "versionCreated": link["published_at"],
        "headlines": [{"role": "main", "contentType": "text/plain", "value": link["title"]}],
        "descriptions": [{"role": "reason", "contentType": "text/plain", "value": link["reason"]},
                         {"role": "insertAfterParagraph", "contentType": "text/plain",
                          "value": str(link["insert_after_paragraph"])}],
        "altIds": [{"role": "archiveId", "value": f"{link['archive']}/{link['archive_id']}"}],
    }


def _subjects(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"name": t["name"], "rel": "about", "uri": t["uri"], "literal": t["qcode"],
             "relevance": int(t["relevance"]), "creator": "newsroom-enrichment"}
            for t in doc.get("topics", [])]


def to_ninjs(doc: dict[str, Any], version: str = DEFAULT_VERSION) -> dict[str, Any]:
    """The enriched document as a ninjs item of `version` (3.1 or 2.2)."""
    article = doc["article"]
    text = article["text"]
    body_html = "".join(f"<p>{html.escape(p['text'])}</p>" for p in article["paragraphs"])
    item: dict[str, Any] = {
        "uri": item_uri(article.get("id"), f"job:{doc['id']}"),
        "standard": {"name": "ninjs", "version": version, "schema": SCHEMA_URI.format(version)},
        "type": "text",
        "representationType": "full",
        "firstCreated": article["published_at"],
        "versionCreated": article["published_at"],
        "language": article["language"],
        "headlines": [{"role": "main", "contentType": "text/plain", "value": article["title"]}],
        "bodies": [
            {"role": "main", "contentType": "text/plain", "value": text, "charCount": len(text),
             "wordCount": len(text.split())},
            {"role": "main", "contentType": "text/html", "value": body_html},
            {"role": "enriched", "contentType": "text/html", "value": doc["rendered"]["html"]},
        ],
        "descriptions": _descriptions(doc),
        "subjects": _subjects(doc),
        **_entities(doc),
        "associations": [_association(link) for link in doc["also_read"]],
        "altIds": [{"role": "enrichmentJob", "value": doc["id"]},
                   *([{"role": "cmsId", "value": article["id"]}] if article.get("id") else [])],
    }
    if article.get("section"):
        item["slugline"] = article["section"]
    item = {k: v for k, v in item.items() if v != []}
    return item if version == "3.1" else _as_2_2(item)


def _as_2_2(item: Any, association: bool = False) -> Any:
    """ninjs 2.2 spells every property in lower case, and an association carries no `rel`."""
    if isinstance(item, list):
        return [_as_2_2(v, association) for v in item]
    if not isinstance(item, dict):
        return item
    out = {}
    for key, value in item.items():
        if association and key == "rel":
            continue
        out[key.lower()] = _as_2_2(value, key == "associations")
    return out
