"""Enrichment jobs: accept an article, report the job, send its callback again."""

from __future__ import annotations

import hashlib
import json
import re
import time
from datetime import UTC, datetime
from typing import Any

from flask import Response, current_app, g, jsonify, request
from flask.typing import ResponseReturnValue
from flask_smorest import Blueprint, abort

from core import logs
from delivery.url_guard import CallbackRefused, check_callback_url
from schemas import ninjs
from schemas.callbacks import callback_operation
from schemas.enrichment import (
    AcceptedSchema,
    EnrichmentRequestSchema,
    FeedbackReceiptSchema,
    FeedbackSchema,
    JobSchema,
)
from service import limits
from service.bodies import bounded_body
from service.job_view import job_view
from store import feedback as feedback_store
from store import jobs, waiting
from store.deliveries import redeliver as redeliver_callback
from store.queues import ENRICH

blp = Blueprint("enrichments", __name__, url_prefix="/v1/enrichments",
                description="Enrich an article; poll it or receive a signed callback.")
PREFER_WAIT = re.compile(r"\bwait\s*=\s*(\d+)")
MAX_WAIT = 30


@blp.before_request
def require_json() -> None:
    settings = current_app.extensions["settings"]
    if request.method != "POST" or request.endpoint != "enrichments.create":
        return
    bounded_body(settings.max_request_bytes)
    if not request.is_json:
        abort(415, message="Send the request as JSON with 'Content-Type: application/json'.")


def stored_article(article: dict[str, Any]) -> dict[str, Any]:
    published = article.get("published_at") or datetime.now(UTC)
    if published.tzinfo is None:
        published = published.replace(tzinfo=UTC)
    return {**article, "published_at": published.isoformat()}


def _wait_seconds() -> int:
    match = PREFER_WAIT.search(request.headers.get("Prefer", ""))
    return min(int(match.group(1)), MAX_WAIT) if match else 0


def _owned_job(job_id: str) -> dict[str, str]:
    job = jobs.get_job(current_app.extensions["redis"], job_id)
    if not job or job["client"] != g.client:
        abort(404, message=f"No enrichment job {job_id!r} for this API key.")
    return job


@blp.route("", methods=["POST"], endpoint="create")
@blp.arguments(EnrichmentRequestSchema())
@blp.response(202, AcceptedSchema)
@blp.alt_response(200, schema=JobSchema, description="Finished within the Prefer: wait time.")
@blp.doc(callbacks=callback_operation())
def create(payload: dict[str, Any]) -> ResponseReturnValue:
    """Accept an article for enrichment"""
    settings = current_app.extensions["settings"]
    r = current_app.extensions["redis"]
    body_chars = len(payload["article"]["body"])
    if body_chars > settings.max_body_chars:
        abort(413, message=f"article.body has {body_chars} characters; "
                           f"the limit is {settings.max_body_chars}.")
    idem_key = request.headers.get("Idempotency-Key", "").strip() or None
    if idem_key and len(idem_key) > 200:
        abort(422, message="Idempotency-Key must be at most 200 characters.",
              errors={"Idempotency-Key": ["Must be at most 200 characters."]})
    callback_url = payload.get("callback_url")
    if callback_url:
        try:
            check_callback_url(callback_url, settings.callback_allow_http,
                               settings.callback_allow_hosts, resolve_allowed=False)
        except CallbackRefused as exc:
            abort(422, message=f"callback_url refused: {exc}", errors={"callback_url": [str(exc)]})
    try:
        job_id, created = jobs.create_job(
            r, client=g.client, article=stored_article(payload["article"]), callback_url=callback_url,
            options=payload["options"], ttl=settings.job_ttl, idempotency_key=idem_key,
            fingerprint=_fingerprint(payload) if idem_key else "",
            queue=ENRICH, max_depth=settings.max_queue_depth, replicas=settings.redis_wait_replicas,
            wait_ms=settings.redis_wait_ms, limits=current_app.extensions["rate_limits"])
    except jobs.RateLimited as exc:
        limits.refuse(exc.seconds)
    except jobs.NotReplicated as exc:
        abort(503, message=f"Job {exc.job_id} was written, but no replica confirmed it within "
                           f"{settings.redis_wait_ms} ms (a failover may be under way): retry with the same "
                           "Idempotency-Key to get this job, not a second one.", headers={"Retry-After": "2"})
    except jobs.KeyReused as exc:
        abort(422, message=f"Idempotency-Key {idem_key!r} was first used for a different request (job "
                           f"{exc.job_id}): send a new key for a new or changed article, or the same "
                           "request again to get that job.",
              errors={"Idempotency-Key": [f"Already used for a different request (job {exc.job_id})."]})
    except jobs.QueueFull:
        abort(503, message=f"The enrichment queue holds {settings.max_queue_depth} articles or more; "
                           "retry later.", headers={"Retry-After": "30"})
    logs.current_job.set(job_id)  # the access-log line and anything logged from here name the job
    return _accepted(r, job_id, _wait_seconds(), created)


ACCEPTED = AcceptedSchema()


def _fingerprint(payload: dict[str, Any]) -> str:
    """What makes two requests the same for an Idempotency-Key: the validated body, canonically."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _accepted(r: Any, job_id: str, wait: int, created: bool) -> ResponseReturnValue:
    # The job's URL as url_for("enrichments.get") builds it, without its cost on every POST.
    location = f"{request.script_root}{blp.url_prefix}/{job_id}"
    headers = {"Location": location}
    if created and not wait:  # the common case: queued, and that is all the answer says
        body = json.dumps({"id": job_id, "links": {"self": location}, "status": "queued"})
        return Response(body + "\n", 202, headers, mimetype="application/json")
    # Only a repeat (Idempotency-Key) or a wait reads the job.
    job = jobs.get_job(r, job_id) or {}
    applied = wait > 0
    if applied and job.get("status") not in jobs.TERMINAL:
        with waiting.slot(r, wait, current_app.extensions["settings"].max_waiting) as applied:
            deadline = time.monotonic() + wait
            while applied and job.get("status") not in jobs.TERMINAL and time.monotonic() < deadline:
                time.sleep(0.05)
                job = jobs.get_job(r, job_id) or {}
    if applied:
        headers["Preference-Applied"] = f"wait={wait}"
    if job.get("status") in jobs.TERMINAL:
        return jsonify(JobSchema().dump(job_view(r, job))), 200, headers
    body = {"id": job_id, "status": job.get("status", "queued"), "links": {"self": location}}
    return jsonify(ACCEPTED.dump(body)), 202, headers


def _ninjs_version() -> str | None:
    """The ninjs version asked for (`Accept: application/ninjs+json[; version=2.2]` or
    `?format=ninjs[&version=2.2]`), or None for our own JSON."""
    version = request.args.get("version")
    if request.args.get("format") == "ninjs":
        version = version or ninjs.DEFAULT_VERSION
    elif request.args.get("format") not in (None, "json"):
        abort(400, message="format must be 'json' or 'ninjs'.")
    else:
        accepted = request.accept_mimetypes
        asked = [(value, quality) for value, quality in accepted
                 if value.split(";")[0].strip().lower() == ninjs.MEDIA_TYPE]
        if not asked or max(q for _, q in asked) <= accepted.quality("application/json"):
            return None
        match = re.search(r"version\s*=\s*\"?([\d.]+)", max(asked, key=lambda vq: vq[1])[0])
        version = version or (match.group(1) if match else ninjs.DEFAULT_VERSION)
    if version not in ninjs.VERSIONS:
        abort(406, message=f"ninjs version {version!r} is not offered; choose one of {', '.join(ninjs.VERSIONS)}.")
    return version


@blp.route("/<job_id>", methods=["GET"], endpoint="get")
@blp.response(200, JobSchema)
@blp.alt_response(200, description="The enriched article as IPTC ninjs (Accept: application/ninjs+json, "
                  "or ?format=ninjs; version=2.2 for ninjs 2.2).", content_type=ninjs.MEDIA_TYPE)
def get(job_id: str) -> Any:
    """Get a job: status, timings, result and callback delivery; or its result as ninjs"""
    r = current_app.extensions["redis"]
    job = _owned_job(job_id)
    version = _ninjs_version()
    if version is None:
        return job_view(r, job)
    if job["status"] != "succeeded":
        abort(409, message=f"The job is {job['status']}: its ninjs exists once it has succeeded. Poll "
                           "without asking for ninjs to follow its status.")
    body = json.dumps(ninjs.to_ninjs(jobs.load_json(r, job_id, "result"), version), ensure_ascii=False)
    return Response(body, 200, {"Content-Type": f"{ninjs.MEDIA_TYPE}; version={version}", "Vary": "Accept"})


@blp.route("/<job_id>/redeliver", methods=["POST"], endpoint="redeliver")
@blp.response(202, JobSchema)
def redeliver(job_id: str) -> dict[str, Any]:
    """Send the job's callback again (a new cycle of attempts, same webhook id)"""
    r = current_app.extensions["redis"]
    job = _owned_job(job_id)
    if not job.get("callback_url"):
        abort(409, message="This job has no callback_url to deliver to.")
    if job["status"] not in jobs.TERMINAL:
        abort(409, message=f"The job is {job['status']}; its callback goes out when it finishes.")
    redeliver_callback(r, job_id)
    return job_view(r, jobs.get_job(r, job_id) or job)


@blp.route("/<job_id>/feedback", methods=["POST"], endpoint="feedback")
@blp.arguments(FeedbackSchema)
@blp.response(200, FeedbackReceiptSchema)
def feedback(verdict: dict[str, Any], job_id: str) -> dict[str, Any]:
    """Accept or reject links and background sources this job offered

    Kept per article id: when the same article id is enriched again (a re-publish), rejected
    archive ids are neither linked nor cited, and accepted links are kept."""
    r = current_app.extensions["redis"]
    job = _owned_job(job_id)
    if job["status"] != "succeeded":
        abort(409, message=f"The job is {job['status']}: feedback is on the links of a finished enrichment.")
    result = jobs.load_json(r, job_id, "result")
    article_id = result["article"].get("id")
    if not article_id:
        abort(409, message="The article was posted without an 'id': feedback is kept per article id, "
                           "so give the article your CMS's id when you post it.")
    offered = ({link["archive_id"] for link in result["also_read"]}
               | {item["source"]["archive_id"] for item in result["background"]})
    unknown = sorted((set(verdict["accepted"]) | set(verdict["rejected"])) - offered)
    if unknown:
        abort(422, message=f"Not offered by this job: {', '.join(unknown[:20])}.", errors={"ids": unknown[:20]})
    feedback_store.record(r, g.client, article_id, verdict["accepted"], verdict["rejected"])
    accepted, rejected = feedback_store.verdicts(r, g.client, article_id)
    return {"article_id": article_id, "accepted": accepted, "rejected": rejected}
