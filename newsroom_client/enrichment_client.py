"""EnrichmentClient: post articles, wait for or poll their jobs, send feedback, keep the archive."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from typing import Any, TypedDict

import requests

from newsroom_client.errors import raise_for

TERMINAL = {"succeeded", "failed"}
MAX_SERVER_WAIT = 30  # seconds the API holds one request (Prefer: wait); longer waits poll


class Job(TypedDict, total=False):
    """An enrichment job as GET /v1/enrichments/<id> gives it (see the OpenAPI spec)."""

    id: str
    status: str  # queued, running, succeeded, failed
    result: dict[str, Any]
    error: str
    failed_stage: str
    timings_ms: dict[str, float]
    callback: dict[str, Any]


class EnrichmentClient:
    """One client's connection to the API: its base URL and its key."""

    def __init__(self, base_url: str, key: str, timeout: float = 40.0,
                 session: requests.Session | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = session or requests.Session()
        self.session.headers["Authorization"] = f"Bearer {key}"

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.session.request(method, self.base_url + path, timeout=self.timeout, **kwargs)
        if response.status_code >= 400:
            try:
                body: Any = response.json()
            except ValueError:
                body = response.text
            raise_for(response.status_code, response.reason, body, response.headers.get("Retry-After"))
        return response.json() if response.content else None

    # Enrichments

    def enrich(self, article: dict[str, Any], *, options: dict[str, Any] | None = None,
               callback_url: str | None = None, idempotency_key: str | None = None, wait: int = 0) -> Job:
        """Post an article; the job as accepted (queued), or finished if it did within `wait` s."""
        payload: dict[str, Any] = {"article": article}
        if options:
            payload["options"] = options
        if callback_url:
            payload["callback_url"] = callback_url
        headers = {}
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        if wait:
            headers["Prefer"] = f"wait={min(wait, MAX_SERVER_WAIT)}"
        job: Job = self._call("POST", "/v1/enrichments", json=payload, headers=headers)
        return job

    def job(self, job_id: str) -> Job:
        found: Job = self._call("GET", f"/v1/enrichments/{job_id}")
        return found

    def wait(self, job_id: str, timeout: float = 60.0, interval: float = 0.5) -> Job:
        """Poll the job until it succeeded or failed; TimeoutError after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            job = self.job(job_id)
            if job.get("status") in TERMINAL:
                return job
            if time.monotonic() > deadline:
                raise TimeoutError(f"job {job_id} still {job.get('status')} after {timeout} s")
            time.sleep(interval)

    def enrich_and_wait(self, article: dict[str, Any], timeout: float = 60.0, **kwargs: Any) -> Job:
        """Post an article and return its finished job (held by the API first, then polled)."""
        job = self.enrich(article, wait=int(min(timeout, MAX_SERVER_WAIT)), **kwargs)
        return job if job.get("status") in TERMINAL else self.wait(job["id"], timeout)

    def feedback(self, job_id: str, accepted: Iterable[str] = (), rejected: Iterable[str] = ()) -> dict[str, Any]:
        """Keep these offered archive ids on a re-publish of the article, and never offer those again."""
        result: dict[str, Any] = self._call("POST", f"/v1/enrichments/{job_id}/feedback",
                                            json={"accepted": list(accepted), "rejected": list(rejected)})
        return result

    def redeliver(self, job_id: str) -> Job:
        job: Job = self._call("POST", f"/v1/enrichments/{job_id}/redeliver")
        return job

    # The client's archive

    def add_to_archive(self, articles: Iterable[dict[str, Any]]) -> dict[str, Any]:
        """Queue archive articles for indexing (all or nothing: one invalid refuses the batch)."""
        body = "\n".join(json.dumps(a) for a in articles)
        result: dict[str, Any] = self._call("POST", "/v1/archive/articles", data=body.encode(),
                                            headers={"Content-Type": "application/x-ndjson"})
        return result

    def archive_article(self, article_id: str) -> dict[str, Any]:
        """One archive article as indexed (NotFound while it is still queued, or if it is not yours)."""
        found: dict[str, Any] = self._call("GET", f"/v1/archive/articles/{article_id}")
        return found

    def retract(self, article_id: str) -> None:
        """Retract an archive article: never suggested or cited again."""
        self._call("DELETE", f"/v1/archive/articles/{article_id}")
