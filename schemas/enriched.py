"""The enriched document that a callback delivers and a finished job holds.

The assemble stage loads every result through this schema, so a document that breaks the
contract fails the job instead of reaching a newsroom.
"""

import marshmallow as ma
from marshmallow import validate


def archive_name() -> ma.fields.String:
    return ma.fields.String(required=True, metadata={
        "description": "The archive it comes from: the client's own (the client's name) or one shared with it."})


def span() -> ma.fields.List:
    """A [start, end] pair of character offsets."""
    return ma.fields.List(ma.fields.Integer(validate=validate.Range(min=0)),
                          validate=validate.Length(equal=2), required=True)


class ParagraphSchema(ma.Schema):
    start = ma.fields.Integer(required=True)
    end = ma.fields.Integer(required=True)
    text = ma.fields.String(required=True)


class EnrichedArticleSchema(ma.Schema):
    id = ma.fields.String(allow_none=True)
    title = ma.fields.String(required=True)
    body = ma.fields.String(required=True)
    url = ma.fields.String(allow_none=True)
    published_at = ma.fields.String(required=True)
    language = ma.fields.String(required=True)
    section = ma.fields.String(allow_none=True)
    tags = ma.fields.List(ma.fields.String())
    text = ma.fields.String(required=True)
    paragraphs = ma.fields.List(ma.fields.Nested(ParagraphSchema), required=True)


class EntitySchema(ma.Schema):
    name = ma.fields.String(required=True)
    type = ma.fields.String(required=True, validate=validate.OneOf(["PER", "ORG", "LOC", "MISC"]))
    key = ma.fields.String(required=True)
    mentions = ma.fields.List(span(), required=True)
    salience = ma.fields.Float(required=True, validate=validate.Range(0, 1))
    aliases = ma.fields.List(ma.fields.String(), metadata={
        "description": "Keys of shorter names the text uses for it, folded in: 'ORG:shell' for Shell Oil Co, "
                       "'ORG:opec' where the text writes 'Organization of Petroleum Exporting Countries (OPEC)'."})


class TopicSchema(ma.Schema):
    """An IPTC Media Topic (enrich/media_topics.json; IPTC, CC BY 4.0)."""

    qcode = ma.fields.String(required=True, metadata={"description": "e.g. medtop:04000000"})
    uri = ma.fields.String(required=True, metadata={
        "description": "e.g. http://cv.iptc.org/newscodes/mediatopic/04000000"})
    name = ma.fields.String(required=True, metadata={"description": "IPTC's English label."})
    level = ma.fields.Integer(required=True, validate=validate.OneOf([1, 2]))
    parent = ma.fields.String(allow_none=True, required=True, metadata={
        "description": "The top-level topic's qcode, for a second-level topic."})
    relevance = ma.fields.Integer(required=True, validate=validate.Range(0, 100), metadata={
        "description": "How likely the article is about it, 0-100 (the classifier's probability)."})


class ArchiveRefSchema(ma.Schema):
    """An archive article as a result names it; a version of the article itself is just that."""

    archive = archive_name()
    archive_id = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    url = ma.fields.String(allow_none=True)
    published_at = ma.fields.String(required=True)


class AlsoReadSchema(ArchiveRefSchema):
    score = ma.fields.Float(required=True)
    reason = ma.fields.String(required=True)
    insert_after_paragraph = ma.fields.Integer(required=True, validate=validate.Range(min=0))


class SourceSchema(ArchiveRefSchema):
    span = span()


class BackgroundSchema(ma.Schema):
    date = ma.fields.String(required=True, metadata={
        "description": "When the event happened, at the granularity the text gives (TIMEX3 values): "
                       "YYYY-MM-DD, YYYY-MM, YYYY-Qn (quarter), YYYY-SU/SP/FA/WI (season) or YYYY"})
    date_from = ma.fields.String(required=True, validate=validate.OneOf(["text", "relative", "published"]),
                                 metadata={"description": "'text': written out in the sentence; 'relative': "
                                           "a weekday, 'last year'... resolved against the source's "
                                           "date; 'published': the source's publication date"})
    text = ma.fields.String(required=True)
    entities = ma.fields.List(ma.fields.String(), required=True)
    source = ma.fields.Nested(SourceSchema, required=True)


class EvidenceSchema(ma.Schema):
    source = ma.fields.String(required=True, metadata={"description": "'article' or an archive id."})
    span = span()
    text = ma.fields.String(required=True)


class PrecedentSchema(ma.Schema):
    date = ma.fields.String(required=True, metadata={"description": "When it happened (as background dates)."})
    text = ma.fields.String(required=True)
    evidence = ma.fields.List(ma.fields.Nested(EvidenceSchema), required=True, validate=validate.Length(min=1))


class ImplicationSchema(ma.Schema):
    category = ma.fields.String(required=True)
    label = ma.fields.String(required=True)
    text = ma.fields.String(required=True)
    confidence = ma.fields.Float(required=True, validate=validate.Range(0, 1))
    evidence = ma.fields.List(ma.fields.Nested(EvidenceSchema), required=True,
                              validate=validate.Length(min=1))
    precedent = ma.fields.Nested(PrecedentSchema, metadata={
        "description": "What followed a like event before: a dated consequence from the archive's "
                       "coverage of the story's main entities, citing its sentence."})


class KeyPointSchema(ma.Schema):
    text = ma.fields.String(required=True)
    span = span()


class RenderedSchema(ma.Schema):
    markdown = ma.fields.String(required=True)
    html = ma.fields.String(required=True)


class MetaSchema(ma.Schema):
    pipeline_version = ma.fields.String(required=True)
    timings_ms = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Float(), required=True)
    archive_size = ma.fields.Integer(required=True)


class EnrichedDocumentSchema(ma.Schema):
    id = ma.fields.String(required=True)
    article = ma.fields.Nested(EnrichedArticleSchema, required=True)
    topics = ma.fields.List(ma.fields.Nested(TopicSchema), metadata={
        "description": "IPTC Media Topics: the top level (most relevant first), then second-level topics "
                       "under them; ninjs carries them as subjects."})
    entities = ma.fields.List(ma.fields.Nested(EntitySchema), required=True)
    also_read = ma.fields.List(ma.fields.Nested(AlsoReadSchema), required=True)
    versions = ma.fields.List(ma.fields.Nested(ArchiveRefSchema), metadata={
        "description": "The article itself as the archive already holds it under other ids (a wire "
                       "copy, the published version, an earlier draft): never a link or a source."})
    background = ma.fields.List(ma.fields.Nested(BackgroundSchema), required=True)
    implications = ma.fields.List(ma.fields.Nested(ImplicationSchema), required=True)
    key_points = ma.fields.List(ma.fields.Nested(KeyPointSchema), required=True)
    rendered = ma.fields.Nested(RenderedSchema, required=True)
    meta = ma.fields.Nested(MetaSchema, required=True)
