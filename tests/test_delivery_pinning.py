"""Deliveries connect to the addresses the URL check vetted, never to a fresh resolution of the
name (DNS rebinding), while Host, TLS server name and certificate still follow the URL's host."""

from __future__ import annotations

import ssl
from collections.abc import Iterator

import pytest
import trustme
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from delivery.url_guard import check_callback_url
from delivery.webhook import send
from devtools.local_redis import free_port
from tests.conftest import assert_nothing_more

NAME = "hooks.newsroom.test"  # .test never resolves (RFC 2606): only the pinned address can work


@pytest.fixture()
def tls_receiver(tmp_path) -> Iterator[tuple[HTTPServer, str]]:  # type: ignore[no-untyped-def]
    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(NAME).configure_cert(context)
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    server = HTTPServer(host="127.0.0.1", port=free_port(), ssl_context=context)
    server.start()
    yield server, str(bundle)
    server.stop()


def test_the_connection_goes_to_the_checked_address_not_the_name(httpserver: HTTPServer):
    seen: list[Request] = []
    httpserver.expect_request("/hook", method="POST").respond_with_handler(
        lambda request: seen.append(request) or Response("ok", 200))
    url = f"http://{NAME}:{httpserver.port}/hook?source=cms"
    outcome = send(url, '{"x":1}', {"content-type": "application/json"}, 3.0, ["127.0.0.1"])
    assert outcome.delivered and outcome.status_code == 200, outcome
    assert seen[0].headers["Host"] == f"{NAME}:{httpserver.port}"
    assert seen[0].args["source"] == "cms" and seen[0].get_data(as_text=True) == '{"x":1}'


def test_no_checked_address_means_no_connection():
    outcome = send(f"http://{NAME}/hook", "{}", {}, 1.0, [])
    assert outcome.status_code is None and outcome.retryable and "no address" in (outcome.error or "")


def test_a_dead_address_falls_through_to_the_next_checked_one(httpserver: HTTPServer):
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    # The receiver listens on 127.0.0.1 only, so 127.0.0.2 (loopback too) refuses the connection.
    outcome = send(f"http://{NAME}:{httpserver.port}/hook", "{}", {}, 2.0, ["127.0.0.2", "127.0.0.1"])
    assert outcome.delivered, outcome
    assert len(httpserver.log) == 1


def test_https_is_verified_against_the_url_host_on_the_pinned_address(tls_receiver):
    server, bundle = tls_receiver
    server.expect_request("/hook", method="POST").respond_with_data("ok")
    url = f"https://{NAME}:{server.port}/hook"
    assert send(url, "{}", {}, 3.0, ["127.0.0.1"], ca_bundle=bundle).status_code == 200
    # Same address and certificate, another name in the URL: the certificate does not match.
    wrong = send(f"https://other.newsroom.test:{server.port}/hook", "{}", {}, 3.0, ["127.0.0.1"],
                 ca_bundle=bundle)
    assert wrong.status_code is None and "SSL" in (wrong.error or "").upper()
    # An unknown CA (the default bundle): refused as well.
    assert send(url, "{}", {}, 3.0, ["127.0.0.1"]).status_code is None


def test_the_check_returns_what_it_vetted():
    assert check_callback_url("https://8.8.8.8/hook", False, frozenset()) == ["8.8.8.8"]
    assert check_callback_url("http://127.0.0.1:9/hook", False, frozenset({"127.0.0.1"})) == ["127.0.0.1"]


def test_credentials_in_the_url_become_basic_auth_and_leave_the_host_header(httpserver: HTTPServer):
    seen: list[Request] = []
    httpserver.expect_request("/hook", method="POST").respond_with_handler(
        lambda request: seen.append(request) or Response("ok", 200))
    url = f"http://cms:p%40ss@{NAME}:{httpserver.port}/hook"
    assert send(url, "{}", {}, 3.0, ["127.0.0.1"]).delivered
    assert seen[0].headers["Host"] == f"{NAME}:{httpserver.port}"
    assert seen[0].authorization is not None
    assert (seen[0].authorization.username, seen[0].authorization.password) == ("cms", "p@ss")


def test_a_read_timeout_is_not_sent_again_to_the_next_address(httpserver: HTTPServer):
    """Connected and sent: the receiver may have it, so one attempt never posts it twice."""
    import time

    httpserver.expect_request("/slow", method="POST").respond_with_handler(
        lambda request: time.sleep(1.5) or Response("late", 200))
    outcome = send(f"http://{NAME}:{httpserver.port}/slow", "{}", {}, 0.5, ["127.0.0.1", "127.0.0.1"])
    assert outcome.status_code is None and "Timeout" in (outcome.error or "") and outcome.retryable
    assert_nothing_more(lambda: len(httpserver.log), 1, within=2.5)  # the slow answer came once


def test_an_allowed_host_that_does_not_resolve():
    from delivery.url_guard import CallbackUnresolvable

    allowed = frozenset({NAME})
    with pytest.raises(CallbackUnresolvable):  # at delivery: retried like a network error
        check_callback_url(f"http://{NAME}/hook", False, allowed)
    assert check_callback_url(f"http://{NAME}/hook", False, allowed, resolve_allowed=False) == []


@pytest.mark.parametrize("stack", [{"CALLBACK_ALLOW_HOSTS": f"127.0.0.1,localhost,{NAME}"}], indirect=True)
def test_an_unresolvable_callback_host_is_retried_not_refused(stack):
    from tests.conftest import auth, wait_for

    payload = {"article": {"title": "Harwick", "body": "The Harwick Dockers Union voted to strike."},
               "callback_url": f"http://{NAME}/hook"}
    response = stack.client.post("/v1/enrichments", json=payload, headers=auth())
    assert response.status_code == 202, response.json  # allowed, and not resolved at POST time
    job_id = response.json["id"]
    job = wait_for(lambda: (j := stack.client.get(f"/v1/enrichments/{job_id}", headers=auth()).json)
                   ["callback"]["state"] == "delivery_failed" and j, timeout=60)
    attempts = job["callback"]["attempts"]
    assert len(attempts) == 3  # the whole retry schedule (0.3 s, 0.3 s), not refused at once
    assert all(a["status_code"] is None and a["error"].startswith("unresolvable") for a in attempts)
