"""The one shape of every error the API returns."""

import marshmallow as ma


class ErrorSchema(ma.Schema):
    code = ma.fields.Integer(required=True, metadata={"description": "HTTP status code."})
    status = ma.fields.String(required=True, metadata={"description": "HTTP status name."})
    message = ma.fields.String(required=True, metadata={"description": "What went wrong and how to fix it."})
    errors = ma.fields.Dict(metadata={"description": "Per-field messages, where there are any."})
