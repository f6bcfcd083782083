"""Request bodies read within a byte limit, whether the client sent Content-Length or chunks."""

from __future__ import annotations

from flask import request
from flask_smorest import abort


def bounded_body(limit: int) -> bytes:
    """The request body (cached for the parsers after us), or a 413 that names the limit.

    With Content-Length the size is known before reading. A chunked body's size is known only once
    read, so at most one byte past the limit is read: werkzeug stops at its limit silently, which
    would leave a truncated body that might even parse.
    """
    too_large = f"Request body over {limit} bytes."
    if request.content_length is not None:
        if request.content_length > limit:
            abort(413, message=too_large)
    else:
        request.max_content_length = limit + 1
    body = request.get_data(cache=True)
    if len(body) > limit:
        abort(413, message=too_large)
    return body
