"""API keys: a client sees only its own jobs; operators' endpoints take ops keys; health and the
API description are public."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from core.settings import ConfigError
from service import create_app
from tests.conftest import KEYS, ROOT, auth, ops_auth, wait_for
from tests.test_bad_input import VALID, assert_error

UNKNOWN_JOB = "enr_" + "0" * 32


def job(client: Any, job_id: str, who: str = "alice") -> dict[str, Any]:
    response = client.get(f"/v1/enrichments/{job_id}", headers=auth(who))
    assert response.status_code == 200, response.json
    return response.json


def test_a_job_is_invisible_to_another_client(client, worker, httpserver: HTTPServer):
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    created = client.post("/v1/enrichments", json={**VALID, "callback_url": httpserver.url_for("/hook")},
                          headers=auth("alice"))
    assert created.status_code == 202, created.json
    job_id = created.json["id"]
    wait_for(lambda: job(client, job_id)["callback"]["state"] == "delivered", timeout=90)

    unknown = assert_error(client.get(f"/v1/enrichments/{UNKNOWN_JOB}", headers=auth("bob")), 404)
    for method, path in [("get", f"/v1/enrichments/{job_id}"),
                         ("post", f"/v1/enrichments/{job_id}/redeliver")]:
        body = assert_error(getattr(client, method)(path, headers=auth("bob")), 404)
        # the same answer as for a job that does not exist: no hint that the id is taken
        assert body["message"] == unknown["message"].replace(UNKNOWN_JOB, job_id), body
        seen = job(client, job_id)
        assert seen["callback"]["state"] == "delivered" and len(seen["callback"]["attempts"]) == 1
    assert len(httpserver.log) == 1

    # the owner may redeliver: the check above could have seen a second attempt
    assert client.post(f"/v1/enrichments/{job_id}/redeliver", headers=auth("alice")).status_code == 202
    wait_for(lambda: len(job(client, job_id)["callback"]["attempts"]) == 2, timeout=30)


def test_idempotency_keys_are_per_client(client, worker):
    headers = {"Idempotency-Key": "same-key-for-both"}
    first = client.post("/v1/enrichments", json=VALID, headers={**auth("alice"), **headers})
    second = client.post("/v1/enrichments", json=VALID, headers={**auth("bob"), **headers})
    assert first.status_code == second.status_code == 202, (first.json, second.json)
    assert first.json["id"] != second.json["id"]
    assert_error(client.get(f"/v1/enrichments/{first.json['id']}", headers=auth("bob")), 404)


@pytest.mark.parametrize("path", ["/healthz", "/openapi.json"])
def test_public_endpoints_need_no_key(client, path):
    response = client.get(path)
    assert response.status_code == 200, response.data[:300]
    assert response.is_json


@pytest.mark.parametrize("method, path", [
    ("get", "/v1/archive/stats"), ("get", f"/v1/enrichments/{UNKNOWN_JOB}"),
    ("post", f"/v1/enrichments/{UNKNOWN_JOB}/redeliver"), ("get", "/v1/archive/articles/x"),
    ("delete", "/v1/archive/articles/x"), ("get", "/v1/ops/queues"),
])
def test_every_other_endpoint_needs_a_key(client, method, path):
    response = getattr(client, method)(path)
    assert_error(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def resolve(spec: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = spec
    for part in ref[2:].split("/"):
        assert isinstance(node, dict) and part in node, f"unresolved $ref {ref}"
        node = node[part]
    return node


def refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [r for value in node.values() for r in refs(value)]
    if isinstance(node, list):
        return [r for value in node for r in refs(value)]
    return []


def test_openapi_document_is_valid_openapi_3(client):
    spec = client.get("/openapi.json").json
    assert re.fullmatch(r"3\.\d+\.\d+", spec["openapi"]), spec.get("openapi")
    assert spec["info"]["title"] and spec["info"]["version"]
    assert {"/v1/enrichments", "/v1/enrichments/{job_id}", "/v1/archive/articles"} <= set(spec["paths"])
    assert spec["components"]["securitySchemes"]["bearer"] == {"type": "http", "scheme": "bearer"}
    for ref in refs(spec):
        resolve(spec, ref)
    methods = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
    for path, item in spec["paths"].items():
        assert path.startswith("/"), path
        declared = {p["name"] for p in item.get("parameters", []) if p["in"] == "path" and p["required"]}
        for method, operation in item.items():
            if method in methods:
                assert operation["responses"], f"{method} {path} documents no response"
                declared |= {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
        assert set(re.findall(r"{(\w+)}", path)) <= declared, f"{path}: undeclared path parameters"
    create = spec["paths"]["/v1/enrichments"]["post"]
    assert "application/json" in create["requestBody"]["content"]
    assert {"202", "422", "default"} <= set(create["responses"])
    error = resolve(spec, create["responses"]["default"]["$ref"])["content"]["application/json"]["schema"]
    assert {"code", "status", "message"} <= set(resolve(spec, error["$ref"])["required"])


def test_openapi_document_marks_public_endpoints_as_needing_no_key(client):
    """The document says every operation needs the bearer key unless it says otherwise."""
    spec = client.get("/openapi.json").json
    assert spec["security"] == [{"bearer": []}]
    assert spec["paths"]["/v1/enrichments"]["post"].get("security", spec["security"]) == [{"bearer": []}]
    assert spec["paths"]["/healthz"]["get"].get("security", spec["security"]) == [], \
        "/healthz is served without a key, but the API description says it needs one"


@pytest.mark.parametrize("config", [{"API_KEYS": ""}, {"API_KEYS": "", "AUTH_DISABLED": "0"},
                                    {"API_KEYS": " , ", "AUTH_DISABLED": "no"}])
def test_create_app_without_keys_raises_config_error(env, config):
    with pytest.raises(ConfigError, match="API_KEYS"):
        create_app({**env, **config})


@pytest.mark.parametrize("api_keys", ["alice", "alice:", ":key-1", "alice:k1,bob"])
def test_malformed_api_keys_raise_config_error(env, api_keys):
    with pytest.raises(ConfigError, match="API_KEYS"):
        create_app({**env, "API_KEYS": api_keys})


def test_auth_disabled_needs_no_keys_and_no_header(env):
    app = create_app({**env, "API_KEYS": "", "AUTH_DISABLED": "1"})
    response = app.test_client().get("/v1/archive/stats")
    assert response.status_code == 200, response.json


def test_a_client_may_hold_two_keys_while_rotating(env):
    """API_KEYS=alice:old,alice:new: both keys must work until the old one is removed."""
    app = create_app({**env, "API_KEYS": "alice:key-old,alice:key-new,bob:key-bob"})
    test_client = app.test_client()
    for key in ("key-old", "key-new"):
        response = test_client.get("/v1/archive/stats", headers={"Authorization": f"Bearer {key}"})
        assert response.status_code == 200, (key, response.json)


def test_operators_endpoints_take_an_ops_key_not_a_clients(client):
    for path in ("/v1/ops/queues", "/metrics"):
        assert_error(client.get(path, headers=auth()), 403)  # a newsroom's key: not its business
        assert_error(client.get(path), 401)
        assert client.get(path, headers=ops_auth()).status_code == 200, path
    # An ops key is no client: it reads no archive and posts no article.
    assert_error(client.get("/v1/archive/stats", headers=ops_auth()), 401)


def test_metrics_may_be_public_but_the_queues_stay_closed(env):
    open_metrics = create_app({**env, "METRICS_PUBLIC": "1"}).test_client()
    assert open_metrics.get("/metrics").status_code == 200
    assert_error(open_metrics.get("/v1/ops/queues"), 401)


def test_an_ops_key_may_not_be_a_clients_key(env):
    with pytest.raises(ConfigError, match="OPS_KEYS"):
        create_app({**env, "OPS_KEYS": f"oncall:{KEYS['alice']}"})


@pytest.mark.parametrize(("variable", "value"), [("WEBHOOK_SECRET", "whsec_%%%"), ("WEBHOOK_SECRET", "whsec_"),
                                                 ("WEBHOOK_SECRETS", "bob:whsec_!!")])
def test_a_secret_that_cannot_sign_stops_the_api_and_the_worker_at_start(env, variable, value):
    """Only the prefix used to be checked: such a secret started fine and then failed every delivery."""
    with pytest.raises(ConfigError, match=variable):
        create_app({**env, variable: value})
    started = subprocess.run([sys.executable, "-c", "import workers.worker"], cwd=ROOT, capture_output=True,
                             text=True, timeout=120, env={**os.environ, **env, variable: value,
                                                          "PYTHONPATH": str(ROOT)})
    assert started.returncode != 0 and variable in started.stderr, started.stderr[-2000:]
