"""The signed callback a job sends to its `callback_url` (Standard Webhooks headers)."""

import marshmallow as ma
from marshmallow import validate

from schemas.enriched import EnrichedDocumentSchema


class FailureSchema(ma.Schema):
    id = ma.fields.String(required=True)
    status = ma.fields.String(required=True, metadata={"description": "failed"})
    error = ma.fields.String(required=True, metadata={"description": "Why, beginning with the stage."})


class SucceededEventSchema(ma.Schema):
    type = ma.fields.String(required=True, validate=validate.OneOf(["enrichment.succeeded"]))
    id = ma.fields.String(required=True, metadata={"description": "The job id."})
    data = ma.fields.Nested(EnrichedDocumentSchema, required=True)


class FailedEventSchema(ma.Schema):
    type = ma.fields.String(required=True, validate=validate.OneOf(["enrichment.failed"]))
    id = ma.fields.String(required=True, metadata={"description": "The job id."})
    data = ma.fields.Nested(FailureSchema, required=True)


HEADERS = {name: {"required": True, "schema": {"type": "string"}, "description": text} for name, text in {
    "webhook-id": "The job's webhook id: the same on every attempt (deduplicate on it).",
    "webhook-timestamp": "Seconds since the epoch when this attempt was signed.",
    "webhook-signature": "v1,<base64 HMAC-SHA256 of id.timestamp.body> with the client's whsec_ secret.",
}.items()}


def callback_operation() -> dict:  # type: ignore[type-arg]
    """The OpenAPI callback object of `POST /v1/enrichments` (schemas resolved by apispec)."""
    return {"enrichment": {"{$request.body#/callback_url}": {"post": {
        "summary": "The job finished: its enriched document, or why it failed",
        "parameters": [{"in": "header", "name": name, **spec} for name, spec in HEADERS.items()],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {"oneOf": [
            SucceededEventSchema, FailedEventSchema]}}}},
        "responses": {"2XX": {"description": "Received. Any other answer is retried (410 and other "
                                             "4xx except 408/429 are not), then dead-lettered."}},
    }}}}
