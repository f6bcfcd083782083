"""An article as a newsroom sends it: to enrich, or to add to the archive."""

import marshmallow as ma
from marshmallow import validate

LANGUAGES = ["en"]


def _not_blank(value: str) -> None:
    if not value.strip():
        raise ma.ValidationError("Must not be empty or only whitespace.")


class ArticleSchema(ma.Schema):
    id = ma.fields.String(validate=validate.Length(min=1, max=200),
                          metadata={"description": "The caller's own id for the article."})
    title = ma.fields.String(required=True, validate=[validate.Length(max=1000), _not_blank])
    body = ma.fields.String(required=True, validate=_not_blank,
                            metadata={"description": "Plain text or HTML."})
    url = ma.fields.Url(schemes={"http", "https"}, validate=validate.Length(max=2000))
    published_at = ma.fields.DateTime(metadata={"description": "ISO 8601; default: now."})
    language = ma.fields.String(load_default="en", validate=validate.OneOf(
        LANGUAGES, error="Only these languages are supported: {choices}."))
    section = ma.fields.String(validate=validate.Length(max=200))
    tags = ma.fields.List(ma.fields.String(validate=validate.Length(min=1, max=200)),
                          validate=validate.Length(max=100))


class ArchiveArticleSchema(ArticleSchema):
    """An archive article: its id and publication date are required. A record of
    GET /v1/archive/export reads back as it is: its `text` is the body, a null url or section none."""

    id = ma.fields.String(required=True, validate=validate.Length(min=1, max=200))
    published_at = ma.fields.DateTime(required=True)

    @ma.pre_load
    def _exported(self, data: object, **_: object) -> object:
        if not isinstance(data, dict):
            return data
        if "text" in data and "body" not in data:
            data = {**{k: v for k, v in data.items() if k != "text"}, "body": data["text"]}
        return {k: v for k, v in data.items() if not (k in ("url", "section") and v is None)}


class RetractionSchema(ma.Schema):
    """A retraction as the export writes it: the id stays retracted in the archive it is imported into."""

    id = ma.fields.String(required=True, validate=validate.Length(min=1, max=200))
    retracted = ma.fields.Boolean(required=True, validate=validate.Equal(True, error="Only `true` retracts."))
