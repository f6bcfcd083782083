"""Archive resources: an indexed article, import receipts and statistics."""

import marshmallow as ma


class ArchivedArticleSchema(ma.Schema):
    id = ma.fields.String()
    archive = ma.fields.String(metadata={"description": "Whose archive: the client's own, or one shared with it."})
    status = ma.fields.String(metadata={"description": "'indexed', or 'failed' (see `error`)"})
    error = ma.fields.String(metadata={"description": "Why indexing failed (status 'failed')."})
    failed_at = ma.fields.String()
    title = ma.fields.String()
    url = ma.fields.String(allow_none=True)
    published_at = ma.fields.String()
    text = ma.fields.String(metadata={"description": "Normalised plain text; spans point into it."})
    indexed_at = ma.fields.String()


class ImportReceiptSchema(ma.Schema):
    accepted = ma.fields.Integer()
    retracted = ma.fields.Integer(metadata={
        "description": "Ids retracted by retraction records ({\"id\": ..., \"retracted\": true}, as the "
                       "export writes them)."})
    ids = ma.fields.List(ma.fields.String())
    status = ma.fields.String()


class ArchiveStatsSchema(ma.Schema):
    articles = ma.fields.Integer()
    retracted = ma.fields.Integer()
    features = ma.fields.Integer()


class ErasedSchema(ma.Schema):
    archive = ma.fields.String(metadata={"description": "Whose archive was erased (the caller's)."})
    erased_keys = ma.fields.Integer(metadata={"description": "Redis keys deleted."})
    kept_records = ma.fields.Integer(metadata={
        "description": "Records of the export kept for an undo (POST /v1/archive/restore; GET /v1/archive/erased)."})
    kept_until = ma.fields.String(allow_none=True, metadata={"description": "When the kept export expires."})
