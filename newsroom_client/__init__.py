"""A small Python client for callers of the enrichment API (a CMS plugin, a newsroom tool).

    from newsroom_client import EnrichmentClient, verify_callback

    api = EnrichmentClient("https://enrich.example.com", key="...")
    job = api.enrich_and_wait({"id": "cms-1", "title": "...", "body": "...", "published_at": "..."})
    for link in job["result"]["also_read"]:
        print(link["title"], link["url"])

Errors of the API's one error shape ({"code", "status", "message", "errors"}) are raised as
ApiError and its subclasses (newsroom_client/errors.py)."""

from newsroom_client.callbacks import CallbackRefused, verify_callback
from newsroom_client.enrichment_client import EnrichmentClient, Job
from newsroom_client.errors import ApiError, Conflict, Invalid, NotFound, Unauthorized, Unavailable

__all__ = ["ApiError", "CallbackRefused", "Conflict", "EnrichmentClient", "Invalid", "Job", "NotFound",
           "Unauthorized", "Unavailable", "verify_callback"]
