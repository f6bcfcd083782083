"""The accept path's floor, for scripts/bench_load.py: a bare Flask app doing only what no accept
can skip, served by the same Granian as the service. How close `POST /v1/enrichments` can come to
`/healthz` with the product's parts (Flask, marshmallow, a durable Redis write before 202), whatever
is cut from our own code.

- `GET /healthz`: a bare Flask view (no hooks, auth, metrics or access log);
- `POST /validate`: the JSON body parsed and loaded with the service's own request schema;
- `POST /accept`: that, then the job stored and queued as the service stores it
  (service/enrichments.stored_article, store/jobs.create_job: no rate limit, idempotency key or
  replica wait).

Settings: REDIS_URL (use a database no worker reads: the jobs queued here are never run).
Serve: granian --interface wsgi devtools.accept_floor:app
"""

from __future__ import annotations

import json
import os

import redis
from flask import Flask, Response, request

from schemas.enrichment import EnrichmentRequestSchema
from service.enrichments import stored_article
from store import jobs

app = Flask(__name__)
store = redis.Redis.from_url(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15"))
REQUEST = EnrichmentRequestSchema()


@app.get("/healthz")
def healthz() -> Response:
    return Response('{"status": "ok"}\n', 200, mimetype="application/json")


@app.post("/validate")
def validate() -> Response:
    REQUEST.load(request.get_json())
    return Response('{"status": "queued"}\n', 202, mimetype="application/json")


@app.post("/accept")
def accept() -> Response:
    payload = REQUEST.load(request.get_json())
    job_id, _ = jobs.create_job(store, client="floor", article=stored_article(payload["article"]),
                                callback_url=payload.get("callback_url"),
                                options=payload["options"], ttl=3600, queue="floor", max_depth=None)
    return Response(json.dumps({"id": job_id, "status": "queued"}) + "\n", 202, mimetype="application/json")
