"""An enrichment request, and the job that answers it."""

import json
from collections.abc import Callable
from typing import Any

import marshmallow as ma
from marshmallow import validate

from schemas import ninjs
from schemas.article import ArticleSchema
from schemas.enriched import EnrichedDocumentSchema


class LimitsSchema(ma.Schema):
    also_read = ma.fields.Integer(load_default=5, validate=validate.Range(0, 20))
    background = ma.fields.Integer(load_default=8, validate=validate.Range(0, 50))
    implications = ma.fields.Integer(load_default=5, validate=validate.Range(0, 7))


DEFAULT_LIMITS = LimitsSchema().load({})  # built once: a schema per request costs ~0.1 ms


def fresh(default: dict[str, Any]) -> Callable[[], dict[str, Any]]:
    """A load_default giving a new copy of `default` (JSON-able) each time: its JSON text parsed,
    about a tenth of what copy.deepcopy costs (deepcopy was a third of a POST's validation)."""
    text = json.dumps(default)
    return lambda: json.loads(text)


def _names(description: str) -> ma.fields.List:
    return ma.fields.List(ma.fields.String(validate=validate.Length(min=1, max=200)), load_default=list,
                          validate=validate.Length(max=1000), metadata={"description": description})


class AlsoReadControlsSchema(ma.Schema):
    min_score = ma.fields.Float(load_default=0.0, validate=validate.Range(0, 1), metadata={
        "description": "Drop links scoring below this (scores are cosines, 0..1; they run low in a small archive)."})
    min_share_of_best = ma.fields.Float(load_default=0.15, validate=validate.Range(0, 1), metadata={
        "description": "Drop links scoring below this share of the best link's score (default 0.15: a weak "
                       "link beside strong ones goes; 0 keeps every link)."})
    since = ma.fields.AwareDateTime(metadata={"description": "Only archive articles published at or after this."})
    max_age_days = ma.fields.Integer(validate=validate.Range(1, 100 * 366), metadata={
        "description": "Only archive articles at most this many days older than the article."})

    @ma.post_load
    def _epoch(self, data: dict, **_: object) -> dict:  # type: ignore[type-arg]
        if "since" in data:
            data["since"] = data["since"].timestamp()  # the job keeps its options as JSON
        return data


class ExcludeSchema(ma.Schema):
    ids = _names("Archive ids never to link or cite (e.g. links an editor rejected).")
    sections = _names("Archive sections never to link or cite.")
    tags = _names("Archive articles carrying any of these tags are never linked or cited.")


class PreferSchema(ma.Schema):
    sections = _names("Links from these sections rank higher (score x1.25).")
    tags = _names("Links carrying any of these tags rank higher (score x1.25).")


# Built once: a schema built per request (for each default) cost half a millisecond of every POST.
DEFAULT_ALSO_READ = AlsoReadControlsSchema().load({})
DEFAULT_EXCLUDE = ExcludeSchema().load({})
DEFAULT_PREFER = PreferSchema().load({})


class OptionsSchema(ma.Schema):
    limits = ma.fields.Nested(LimitsSchema, load_default=fresh(DEFAULT_LIMITS))
    also_read = ma.fields.Nested(AlsoReadControlsSchema, load_default=fresh(DEFAULT_ALSO_READ))
    exclude = ma.fields.Nested(ExcludeSchema, load_default=fresh(DEFAULT_EXCLUDE), metadata={
        "description": "Archive articles that neither 'also read' nor background may use."})
    prefer = ma.fields.Nested(PreferSchema, load_default=fresh(DEFAULT_PREFER))
    callback_format = ma.fields.String(load_default="enriched", validate=validate.OneOf(["enriched", "ninjs"]),
                                       metadata={"description": "The callback's `data`: our enriched document "
                                                 "(default) or the enriched article as IPTC ninjs."})
    ninjs_version = ma.fields.String(load_default=ninjs.DEFAULT_VERSION, validate=validate.OneOf(ninjs.VERSIONS),
                                     metadata={"description": "The ninjs version of a ninjs callback."})


DEFAULT_OPTIONS = OptionsSchema().load({})


class EnrichmentRequestSchema(ma.Schema):
    """Our own shape ({"article": ...}); or a ninjs item under "ninjs", or the bare ninjs item as the body."""

    article = ma.fields.Nested(ArticleSchema, required=True, metadata={
        "description": "The article; or send it as IPTC ninjs (1.x-3.x) under `ninjs` instead."})
    ninjs = ma.fields.Dict(load_only=True, metadata={
        "description": "The article as an IPTC ninjs item: uri becomes its id; headline, body (HTML or text), "
                       "dates and language are read from it."})
    callback_url = ma.fields.Url(schemes={"http", "https"}, validate=validate.Length(max=2000),
                                 metadata={"description": "Where the signed result is POSTed."})
    options = ma.fields.Nested(OptionsSchema, load_default=fresh(DEFAULT_OPTIONS))

    @ma.pre_load
    def _from_ninjs(self, data: object, **_: object) -> object:
        if ninjs.looks_like_ninjs(data):
            data = {"ninjs": data}
        if isinstance(data, dict) and "ninjs" in data:
            if "article" in data:
                raise ma.ValidationError({"ninjs": ["Send the article once: as 'article' or as 'ninjs'."]})
            try:
                article = ninjs.article_from_ninjs(data["ninjs"])
            except ma.ValidationError as exc:
                raise ma.ValidationError({"ninjs": exc.messages}) from exc
            data = {**{k: v for k, v in data.items() if k != "ninjs"}, "article": article}
        return data


class FeedbackSchema(ma.Schema):
    accepted = _names("Archive ids of links or background sources the editor kept: kept again when "
                      "the same article id is enriched again.")
    rejected = _names("Archive ids the editor rejected: never offered again for this article id.")

    @ma.validates_schema
    def _one_verdict_per_id(self, data: dict, **_: object) -> None:  # type: ignore[type-arg]
        if not data.get("accepted") and not data.get("rejected"):
            raise ma.ValidationError("Give at least one archive id in 'accepted' or 'rejected'.")
        both = set(data.get("accepted", ())) & set(data.get("rejected", ()))
        if both:
            raise ma.ValidationError(f"Both accepted and rejected: {', '.join(sorted(both))}.")


class FeedbackReceiptSchema(ma.Schema):
    article_id = ma.fields.String()
    accepted = ma.fields.List(ma.fields.String())
    rejected = ma.fields.List(ma.fields.String())


class LinksSchema(ma.Schema):
    self = ma.fields.String()


class AcceptedSchema(ma.Schema):
    id = ma.fields.String()
    status = ma.fields.String()
    links = ma.fields.Nested(LinksSchema)


class AttemptSchema(ma.Schema):
    at = ma.fields.String()
    status_code = ma.fields.Integer(allow_none=True)
    error = ma.fields.String(allow_none=True)
    duration_ms = ma.fields.Float()


class CallbackSchema(ma.Schema):
    url = ma.fields.String()
    state = ma.fields.String(metadata={
        "description": "none, pending, delivered or delivery_failed"})
    webhook_id = ma.fields.String()
    attempts = ma.fields.List(ma.fields.Nested(AttemptSchema))
    next_attempt_at = ma.fields.String(allow_none=True)


class JobSchema(ma.Schema):
    id = ma.fields.String()
    status = ma.fields.String(metadata={"description": "queued, running, succeeded or failed"})
    created_at = ma.fields.String()
    started_at = ma.fields.String(allow_none=True)
    finished_at = ma.fields.String(allow_none=True)
    error = ma.fields.String(allow_none=True, metadata={
        "description": "Why the job failed, beginning with the stage's name."})
    failed_stage = ma.fields.String(allow_none=True, metadata={
        "description": "The stage that failed: queued (never began), prepare, also_read, background, "
                       "implications or assemble."})
    timings_ms = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Float())
    callback = ma.fields.Nested(CallbackSchema, allow_none=True)
    result = ma.fields.Nested(EnrichedDocumentSchema, allow_none=True,
                              metadata={"description": "The enriched document (status succeeded)."})
    links = ma.fields.Nested(LinksSchema)
