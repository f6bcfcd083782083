"""Bad input is refused with the right status and the one error shape, and changes nothing."""

from __future__ import annotations

import base64
import json
from http import HTTPStatus
from typing import Any

import pytest
import redis

from service import create_app
from store import archive_index
from tests.conftest import KEYS, auth, wait_for

RECENT_JOBS = "enr:jobs:recent"
NDJSON = "application/x-ndjson"
ARTICLE = {"title": "Council approves new bridge over the Wend",
           "body": "The city council approved a new bridge over the river Wend on Monday."}
VALID = {"article": ARTICLE}


def assert_error(response: Any, status: int, *fields: str) -> dict[str, Any]:
    """The one error shape; each dotted field must be named in `errors` (and for enrichment
    requests, whose message summarises the errors, callers also check the message)."""
    body = response.get_json(silent=True)
    assert response.status_code == status, (response.status_code, response.data[:500])
    assert isinstance(body, dict), response.data[:500]
    assert body["code"] == status, body
    assert body["status"] == HTTPStatus(status).phrase, body
    assert isinstance(body["message"], str) and body["message"].strip(), body
    assert isinstance(body.get("errors", {}), dict), f"errors must be an object: {body}"
    for field in fields:
        node: Any = body.get("errors")
        for part in field.split("."):
            assert isinstance(node, dict) and part in node, f"errors should name {field}: {body}"
            node = node[part]
        assert node, body
    return body


@pytest.fixture()
def store(env: dict[str, str]) -> redis.Redis:
    return redis.Redis.from_url(env["REDIS_URL"])


def post_enrichment(client: Any, store: redis.Redis, payload: Any = None, *, data: Any = None,
                    headers: dict[str, str] | None = None, content_type: str | None = None) -> Any:
    """POST /v1/enrichments and check that no job was created by it."""
    before = store.zcard(RECENT_JOBS)
    headers = auth() if headers is None else headers
    if payload is not None:
        response = client.post("/v1/enrichments", json=payload, headers=headers)
    else:
        response = client.post("/v1/enrichments", data=data, headers=headers,
                               content_type=content_type)
    assert store.zcard(RECENT_JOBS) == before, f"a job was created: {response.json}"
    return response


def with_article(**changes: Any) -> dict[str, Any]:
    article = {**ARTICLE, **changes}
    return {"article": {k: v for k, v in article.items() if v is not None}}


# --- POST /v1/enrichments --------------------------------------------------------------------

def test_a_valid_request_creates_exactly_one_job(client, store, worker):
    """The control for every 'changes nothing' check below: the counter does move."""
    before = store.zcard(RECENT_JOBS)
    response = client.post("/v1/enrichments", json=VALID, headers=auth())
    assert response.status_code == 202, response.json
    assert store.zcard(RECENT_JOBS) == before + 1
    assert store.zscore(RECENT_JOBS, response.json["id"]) is not None


@pytest.mark.parametrize("data", ['{"article": ', "{'article': {}}"])
def test_broken_json_is_400(client, store, data):
    response = post_enrichment(client, store, data=data, content_type="application/json")
    assert_error(response, 400)


@pytest.mark.parametrize("data", ["null", "[]", "42", '"an article"'])
def test_json_that_is_not_an_object_is_422(client, store, data):
    response = post_enrichment(client, store, data=data, content_type="application/json")
    assert_error(response, 422, "_schema")


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_wrong_content_type_is_415(client, store, content_type):
    response = post_enrichment(client, store, data=json.dumps(VALID), content_type=content_type)
    body = assert_error(response, 415)
    assert "application/json" in body["message"]


@pytest.mark.parametrize("payload, field", [
    (with_article(title=None), "article.title"),
    (with_article(title=""), "article.title"),
    (with_article(title=" \t\n "), "article.title"),
    (with_article(body=None), "article.body"),
    (with_article(body=""), "article.body"),
    (with_article(body="   \n\n "), "article.body"),
    ({"callback_url": "https://example.com/hook"}, "article"),
    ({**VALID, "colour": "red"}, "colour"),
    (with_article(colour="red"), "article.colour"),
    (with_article(published_at="yesterday"), "article.published_at"),
    (with_article(published_at="2024-13-45T25:00:00Z"), "article.published_at"),
    (with_article(language="fr"), "article.language"),
    (with_article(tags="politics"), "article.tags"),
    (with_article(title="T" * 1001), "article.title"),
    (with_article(tags=["politics"] * 101), "article.tags"),
    (with_article(tags=["x" * 201]), "article.tags.0"),
    (with_article(tags=[""]), "article.tags.0"),
    (with_article(section="s" * 201), "article.section"),
    (with_article(id=""), "article.id"),
    (with_article(url="ftp://example.com/a"), "article.url"),
    ({**VALID, "callback_url": "https://example.com/" + "p" * 2000}, "callback_url"),
    ({**VALID, "options": {"limits": {"also_read": 21}}}, "options.limits.also_read"),
    ({**VALID, "options": {"limits": {"also_read": -1}}}, "options.limits.also_read"),
    ({**VALID, "options": {"limits": {"background": 51}}}, "options.limits.background"),
    ({**VALID, "options": {"limits": {"implications": 8}}}, "options.limits.implications"),
    ({**VALID, "options": {"limits": {"implications": "many"}}}, "options.limits.implications"),
    ({**VALID, "options": {"limits": {"everything": 1}}}, "options.limits.everything"),
], ids=lambda v: v if isinstance(v, str) else None)
def test_invalid_request_is_422_naming_the_field(client, store, payload, field):
    body = assert_error(post_enrichment(client, store, payload), 422, field)
    assert field in body["message"], body


def test_unsupported_language_says_which_are_supported(client, store):
    body = assert_error(post_enrichment(client, store, with_article(language="de")), 422,
                        "article.language")
    assert "en" in " ".join(body["errors"]["article"]["language"]), body


@pytest.mark.parametrize("callback_url", [
    "not a url", "ftp://example.com/hook", "https://", "https://10.0.0.1/hook",
    "https://192.168.1.20/hook", "https://169.254.169.254/", "https://127.0.0.2/hook",
    "https://0.0.0.0/", "https://[::1]/", "https://[fe80::1]/", "https://[::ffff:127.0.0.1]/",
    "https://[::ffff:7f00:1]/", "https://2130706433/", "https://0177.0.0.1/", "https://0177.0.0.01/",
])
def test_bad_or_private_callback_url_is_422(client, store, callback_url):
    body = assert_error(post_enrichment(client, store, {**VALID, "callback_url": callback_url}),
                        422, "callback_url")
    assert "callback_url" in body["message"], body


def test_plain_http_callback_must_say_https(client, store):
    payload = {**VALID, "callback_url": "http://example.com/hook"}
    body = assert_error(post_enrichment(client, store, payload), 422, "callback_url")
    assert "https" in body["message"] and "https" in " ".join(body["errors"]["callback_url"])


@pytest.fixture(scope="module")
def small_app(env: dict[str, str]):  # type: ignore[no-untyped-def]
    return create_app({**env, "MAX_BODY_CHARS": "1000"})


def test_body_over_the_limit_is_413(small_app, store):
    response = post_enrichment(small_app.test_client(), store, with_article(body="x" * 1001))
    body = assert_error(response, 413)
    assert "article.body" in body["message"] and "1000" in body["message"], body


def test_body_at_the_limit_is_accepted(small_app, store, worker):
    body = ("The bridge opens in May. " * 40)[:1000]
    assert len(body) == 1000
    response = small_app.test_client().post("/v1/enrichments", json=with_article(body=body),
                                            headers=auth())
    assert response.status_code == 202, response.json


def test_request_over_the_byte_limit_is_413(client, store):
    data = json.dumps(with_article(body="x" * 2_000_001))
    assert_error(post_enrichment(client, store, data=data, content_type="application/json"), 413)


def post_chunked(client: Any, path: str, data: bytes, content_type: str) -> Any:
    """POST without Content-Length (Transfer-Encoding: chunked), as a WSGI server passes it on."""
    import io

    response = client.post(path, input_stream=io.BytesIO(data), content_type=content_type,
                           headers={**auth(), "Transfer-Encoding": "chunked"},
                           environ_overrides={"wsgi.input_terminated": True})
    assert response.request.content_length is None  # the server could not know the size up front
    return response


def test_chunked_request_over_the_byte_limit_is_413(client, store, worker):
    """A small, valid article padded with JSON whitespace past MAX_REQUEST_BYTES (2,000,000):
    only the byte limit can refuse it, and a cut-off copy must not parse."""
    small = json.dumps(VALID).encode()
    before = store.zcard(RECENT_JOBS)
    over = post_chunked(client, "/v1/enrichments", small + b" " * (2_000_001 - len(small)), "application/json")
    body = assert_error(over, 413)
    assert "Request body over 2000000 bytes" in body["message"], body
    assert store.zcard(RECENT_JOBS) == before
    at_limit = post_chunked(client, "/v1/enrichments", small + b" " * (2_000_000 - len(small)), "application/json")
    assert at_limit.status_code == 202, at_limit.json


@pytest.mark.parametrize("authorization", [
    None, "", "Bearer", "Bearer ", "Bearer key-wrong", "Bearer key-alice-1234", KEYS["alice"],
    "Token " + KEYS["alice"], "Basic " + base64.b64encode(f"alice:{KEYS['alice']}".encode()).decode(),
])
def test_missing_or_wrong_key_is_401(client, store, authorization):
    headers = {} if authorization is None else {"Authorization": authorization}
    response = post_enrichment(client, store, VALID, headers=headers)
    body = assert_error(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer"), response.headers
    assert "Authorization" in body["message"], body


def test_idempotency_key_over_200_chars_is_422(client, store):
    key = "k" * 201
    response = post_enrichment(client, store, VALID, headers={**auth(), "Idempotency-Key": key})
    body = assert_error(response, 422)
    assert "Idempotency-Key" in body["message"], body
    assert not store.exists(f"enr:idem:alice:{key}")
    named = [k for k in body.get("errors", {}) if k.lower().replace("_", "-") == "idempotency-key"]
    assert named, f"a 422 must name the offending field in errors: {body}"


# --- the archive -----------------------------------------------------------------------------

def record(rid: str, **changes: Any) -> dict[str, Any]:
    article = {"id": rid, "published_at": "2023-03-01T08:00:00Z", **ARTICLE, **changes}
    return {k: v for k, v in article.items() if v is not None}


def ndjson(*lines: Any) -> str:
    return "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n"


def import_archive(client: Any, data: str, content_type: str = NDJSON) -> Any:
    return client.post("/v1/archive/articles", data=data, headers=auth(), content_type=content_type)


def assert_not_imported(client: Any, rid: str) -> None:
    """Neither indexed nor queued for indexing (the service says which when it is queued)."""
    response = client.get(f"/v1/archive/articles/{rid}", headers=auth())
    body = assert_error(response, 404)
    assert "queued" not in body["message"], body


@pytest.mark.parametrize("lines, bad_line", [
    ((record("bad2-a"), record("bad2-b", title=None), record("bad2-c")), "line 2"),
    ((record("bad3-a"), "", record("bad3-b", title=None)), "line 3"),
], ids=["line-2", "line-3-after-a-blank-line"])
def test_ndjson_with_an_invalid_line_is_422_and_imports_nothing(client, lines, bad_line):
    body = assert_error(import_archive(client, ndjson(*lines)), 422, bad_line)
    assert "title" in body["errors"][bad_line], body
    assert "nothing was imported" in body["message"]
    for line in lines:
        if isinstance(line, dict):
            assert_not_imported(client, line["id"])


def test_archive_validation_message_says_what_to_fix(client):
    body = assert_error(import_archive(client, ndjson(record("msg-a"), record("msg-b", id=""))), 422)
    assert "line 2" in body["message"] and "id" in body["message"], body


@pytest.mark.parametrize("data, content_type, status", [
    (ndjson(record("json-a"), '{"id": "json-b", "title": '), NDJSON, 400),
    ('{"id": "json-c", ', "application/json", 400),
    (ndjson(record("txt-a")), "text/plain", 415),
    ("\n\n", NDJSON, 422),
    ("[]\n", NDJSON, 422),
    ("null", "application/json", 422),
], ids=["ndjson-broken-line-2", "broken-json", "text-plain", "empty", "ndjson-not-object", "json-null"])
def test_unreadable_archive_body_is_refused(client, data, content_type, status):
    body = assert_error(import_archive(client, data, content_type), status)
    if status == 400 and content_type == NDJSON:
        assert "line 2" in body["message"], body
    for rid in ("json-a", "txt-a"):
        assert_not_imported(client, rid)


def test_chunked_archive_import_over_the_byte_limit_is_413_and_imports_nothing(env):
    """A cut at the limit could fall on a line end and import the first part: it must not."""
    client = create_app({**env, "MAX_IMPORT_BYTES": "2000"}).test_client()
    lines = ndjson(*(record(f"chunk-{n}") for n in range(40))).encode()
    assert len(lines) > 2000
    body = assert_error(post_chunked(client, "/v1/archive/articles", lines, NDJSON), 413)
    assert "2000 bytes" in body["message"], body
    for n in range(40):
        assert_not_imported(client, f"chunk-{n}")


@pytest.mark.parametrize("missing", ["id", "published_at"])
def test_archive_article_without_id_or_date_is_422(client, missing):
    article = record(f"miss-{missing}", **{missing: None})
    body = assert_error(import_archive(client, json.dumps(article), "application/json"), 422)
    assert any(missing in messages for messages in body["errors"].values()), body


def test_a_record_containing_a_unicode_line_separator_is_one_ndjson_line(client, worker):
    """NDJSON lines end at \\n only; U+2028 inside a JSON string is legal JSON text."""
    data = json.dumps(record("u2028-a", body="First line.\u2028Second line."), ensure_ascii=False)
    response = import_archive(client, data + "\n")
    assert response.status_code == 202, response.json
    assert response.json["ids"] == ["u2028-a"]
    wait_for(lambda: client.get("/v1/archive/articles/u2028-a", headers=auth()).status_code == 200)


def test_unknown_archive_article_is_404_and_delete_changes_nothing(client, store):
    assert_error(client.get("/v1/archive/articles/no-such-article", headers=auth()), 404)
    before = client.get("/v1/archive/stats", headers=auth()).json
    assert_error(client.delete("/v1/archive/articles/no-such-article", headers=auth()), 404)
    assert client.get("/v1/archive/stats", headers=auth()).json == before
    assert not archive_index.retracted_among(store, "alice", ["no-such-article"])
