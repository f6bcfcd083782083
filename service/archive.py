"""The archive: the newsroom's earlier articles, source of "also read" and background."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import marshmallow as ma
from flask import Response, current_app, g, request, stream_with_context
from flask_smorest import Blueprint, abort

from schemas.archive import ArchivedArticleSchema, ArchiveStatsSchema, ErasedSchema, ImportReceiptSchema
from schemas.article import ArchiveArticleSchema
from service import archive_import
from service.api import summarise
from service.bodies import bounded_body
from store import archive_bulk, archive_index, archive_staging, erased_exports

blp = Blueprint("archive", __name__, url_prefix="/v1/archive",
                description="Add, read and retract archive articles.")
NDJSON = "application/x-ndjson"


def validated(records: list[tuple[int, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
    """Load (line number, record) pairs through the archive schema: the articles, and the ids that
    retraction records (the export's) retract; one bad record rejects all."""
    articles, retractions, errors = [], [], {}
    for number, record in records:
        try:
            if archive_import.is_retraction(record):
                retractions.append(archive_import.load_retraction(record))
            else:
                articles.append(archive_import.load_article(record))
        except ma.ValidationError as exc:
            errors[f"line {number}"] = exc.messages
    if errors:
        shown = dict(list(errors.items())[:50])
        abort(422, message=f"{len(errors)} invalid article(s); nothing was imported: "
                           + "; ".join(summarise(shown)[:5]), errors=shown)
    both = sorted({a["id"] for a in articles} & set(retractions))
    if both:
        abort(422, message=f"Both imported and retracted in one request: {', '.join(both[:20])}.",
              errors={"id": both[:20]})
    return articles, retractions


def _records() -> list[tuple[int, Any]]:
    """The body's records with their line numbers (one record, line 1, for a JSON body)."""
    raw = bounded_body(current_app.extensions["settings"].max_import_bytes)
    try:
        text = raw.decode()
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        abort(400, message=f"line {line} is not UTF-8 (byte {exc.start}: {exc.reason}); send the body as UTF-8. "
                           "Nothing was imported.")
    if request.mimetype == NDJSON:
        records = []
        # Split on newlines only: U+2028 and friends may stand inside JSON strings.
        for number, line in enumerate(text.split("\n"), start=1):
            if not line.strip():
                continue
            try:
                records.append((number, json.loads(line)))
            except json.JSONDecodeError as exc:
                abort(400, message=f"line {number} is not valid JSON: {exc}; nothing was imported.")
        return records
    if request.is_json:
        try:
            return [(1, json.loads(text))]
        except json.JSONDecodeError as exc:
            abort(400, message=f"The body is not valid JSON: {exc}.")
    abort(415, message=f"Send one article as application/json or many as {NDJSON}.")


@blp.route("/articles", methods=["POST"])
@blp.response(202, ImportReceiptSchema)
@blp.doc(requestBody={"content": {
    "application/json": {"schema": ArchiveArticleSchema},
    NDJSON: {"schema": {"type": "string", "description": "One article JSON object per line."}}}})
def add_articles() -> dict[str, Any]:
    """Add articles to the archive (indexed by the workers)"""
    records = _records()
    if not records:
        abort(422, message="No articles in the body.")
    articles, retractions = validated(records)
    retracted = archive_import.retracted(current_app.extensions["archive"], g.client, articles)
    if retracted:
        abort(409, message="These articles were retracted and cannot be re-imported: "
                           + ", ".join(retracted[:20]), errors={"id": retracted[:20]})
    return _imported(articles, retractions)


def _imported(articles: list[dict[str, Any]], retractions: list[str]) -> dict[str, Any]:
    """Retract and queue what an import brought (none of the articles retracted); the receipt."""
    r = current_app.extensions["archive"]
    archive_import.retract(r, g.client, retractions)
    ids = archive_import.queue(r, current_app.extensions["celery"], g.client, articles)
    return {"accepted": len(ids), "ids": ids, "retracted": len(retractions), "status": "indexing"}


@blp.route("/articles/<path:article_id>", methods=["GET"])
@blp.response(200, ArchivedArticleSchema)
def get_article(article_id: str) -> dict[str, Any]:
    """Get an archive article: its normalised text once indexed, or why indexing failed

    200 with `status: indexed` (and the text that citations point into) or `status: failed` (and
    `error`); 404 while it is queued, or if there is no such article. The client's own archive is
    read first, then the archives shared with it (`archive` says which); another client's
    archive, never."""
    r = current_app.extensions["archive"]
    for archive in current_app.extensions["settings"].readable_archives(g.client):
        doc = archive_index.get(r, archive, article_id, ("id", "title", "url", "published_at", "text",
                                                         "indexed_at"))
        if doc is not None:
            doc["url"] = doc["url"] or None
            doc["indexed_at"] = datetime.fromtimestamp(float(doc["indexed_at"]), UTC).isoformat()
            return {**doc, "archive": archive, "status": "indexed"}
    failed = archive_staging.failure(r, g.client, article_id)
    if failed:
        return {"id": article_id, "archive": g.client, "status": "failed", "error": failed["error"],
                "failed_at": datetime.fromtimestamp(failed["failed_at"], UTC).isoformat()}
    if archive_staging.is_pending(r, g.client, article_id):
        abort(404, message=f"Archive article {article_id!r} is queued and not indexed yet.")
    abort(404, message=f"No archive article {article_id!r}.")


@blp.route("/articles/<path:article_id>", methods=["DELETE"])
@blp.response(204)
def delete_article(article_id: str) -> None:
    """Retract an article of the client's own archive: it is never suggested again"""
    r = current_app.extensions["archive"]
    known = (archive_staging.is_pending(r, g.client, article_id) or archive_staging.failure(r, g.client, article_id)
             or archive_index.get(r, g.client, article_id, ("id",)))
    if not known:
        abort(404, message=f"No archive article {article_id!r} in your archive.")
    archive_index.delete(r, g.client, article_id)


@blp.route("/stats", methods=["GET"])
@blp.response(200, ArchiveStatsSchema)
def stats() -> dict[str, int]:
    """Count the client's own archive's articles, retractions and indexed features"""
    r = current_app.extensions["archive"]
    return {"articles": archive_index.size(r, g.client), "retracted": archive_index.retracted_count(r, g.client),
            "features": archive_index.feature_count(r, g.client)}


@blp.route("/export", methods=["GET"])
@blp.doc(responses={"200": {"description": "One archive article a line (id, title, url, published_at, "
                                           "section, tags, text): the client's own archive.",
                            "content": {NDJSON: {"schema": {"type": "string"}}}}})
def export_archive() -> Response:
    """Export the client's own archive as NDJSON (what it can import again)"""
    r = current_app.extensions["archive"]
    lines = (json.dumps(doc, ensure_ascii=False) + "\n" for doc in archive_bulk.export(r, g.client))
    return Response(stream_with_context(lines), mimetype=NDJSON)


@blp.route("", methods=["DELETE"])
@blp.response(200, ErasedSchema)
def erase_archive() -> dict[str, Any]:
    """Erase the client's whole archive: articles, index, retractions (confirm with your client name)

    Needs `?confirm=<your client name>`; other clients' and shared archives are untouched. The
    archive's export is kept first for ERASE_KEEP_SECONDS (default 7 days): POST /v1/archive/restore
    imports it back, GET /v1/archive/erased downloads it."""
    if request.args.get("confirm") != g.client:
        abort(400, message=f"This erases your whole archive: repeat your client name, "
                           f"DELETE /v1/archive?confirm={g.client} (its export is kept for an undo).")
    r = current_app.extensions["archive"]
    seconds = current_app.extensions["settings"].erase_keep_seconds
    kept = erased_exports.keep(r, g.client, archive_bulk.export(r, g.client), seconds) if seconds else 0
    left = erased_exports.expires_in(r, g.client) if kept else None
    until = (datetime.now(UTC) + timedelta(seconds=left)).isoformat() if left else None
    return {"archive": g.client, "erased_keys": archive_bulk.erase(r, g.client), "kept_records": kept,
            "kept_until": until}


def _kept_or_404() -> list[dict[str, Any]]:
    records = list(erased_exports.kept(current_app.extensions["archive"], g.client))
    if not records:
        abort(404, message="No erased archive is kept for you (nothing was erased, or its export expired; "
                           "see ERASE_KEEP_SECONDS).")
    return records


@blp.route("/erased", methods=["GET"])
@blp.doc(responses={"200": {"description": "The export kept when the archive was last erased (NDJSON).",
                            "content": {NDJSON: {"schema": {"type": "string"}}}}})
def erased_export() -> Response:
    """Download the export kept when your archive was last erased"""
    records = _kept_or_404()
    return Response("".join(json.dumps(rec, ensure_ascii=False) + "\n" for rec in records), mimetype=NDJSON)


@blp.route("/restore", methods=["POST"])
@blp.response(202, ImportReceiptSchema)
def restore_archive() -> dict[str, Any]:
    """Undo an erase: import the export kept when your archive was last erased (as an import would)"""
    articles, retractions = validated(list(enumerate(_kept_or_404(), start=1)))
    gone = set(archive_import.retracted(current_app.extensions["archive"], g.client, articles))  # since the erase
    return _imported([a for a in articles if a["id"] not in gone], retractions)
