"""An enrichment request, and the job that answers it."""

import marshmallow as ma
from marshmallow import validate

from schemas.article import ArticleSchema
from schemas.enriched import EnrichedDocumentSchema


class LimitsSchema(ma.Schema):
    also_read = ma.fields.Integer(load_default=5, validate=validate.Range(0, 20))
    background = ma.fields.Integer(load_default=8, validate=validate.Range(0, 50))
    implications = ma.fields.Integer(load_default=5, validate=validate.Range(0, 7))


DEFAULT_LIMITS = LimitsSchema().load({})  # built once: a schema per request costs ~0.1 ms


class OptionsSchema(ma.Schema):
    limits = ma.fields.Nested(LimitsSchema, load_default=lambda: dict(DEFAULT_LIMITS))


class EnrichmentRequestSchema(ma.Schema):
    article = ma.fields.Nested(ArticleSchema, required=True)
    callback_url = ma.fields.Url(schemes={"http", "https"}, validate=validate.Length(max=2000),
                                 metadata={"description": "Where the signed result is POSTed."})
    options = ma.fields.Nested(OptionsSchema, load_default=lambda: {"limits": dict(DEFAULT_LIMITS)})


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
