"""Pure delivery rules: which callback URLs are refused, how Retry-After and the retry schedule are
read, which answers are retried, and that the signed headers verify (Standard Webhooks)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from urllib.parse import urlsplit

import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from delivery.url_guard import CallbackRefused, check_callback_url, is_public
from delivery.webhook import MAX_RETRY_AFTER, Outcome, next_delay, parse_retry_after, signed_headers
from tests.conftest import SECRET

NOBODY: frozenset[str] = frozenset()

# --- workers.url_guard -------------------------------------------------------------------------

PRIVATE_ADDRESSES = [
    "127.0.0.1", "127.255.255.254",          # loopback
    "10.0.0.1", "10.255.255.255",            # 10/8
    "172.16.0.1", "172.31.255.254",          # 172.16/12
    "192.168.0.1", "192.168.255.254",        # 192.168/16
    "169.254.169.254",                       # link-local: cloud metadata
    "0.0.0.0", "100.64.0.1", "224.0.0.1",    # unspecified, shared (CGNAT), multicast
    "::1", "::", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254",
    "fc00::1", "fd12:3456::1", "fe80::1", "fe80::1%eth0", "ff02::1",
    # IPv6 forms that carry a private IPv4: NAT64, 6to4 (of 127.0.0.1 and 169.254.169.254), compatible
    "64:ff9b::7f00:1", "2002:7f00:1::1", "2002:a9fe:a9fe::1", "::7f00:1",
]
PUBLIC_ADDRESSES = ["8.8.8.8", "1.1.1.1", "172.32.0.1", "2001:4860:4860::8888", "::ffff:8.8.8.8"]


@pytest.mark.parametrize("address", PRIVATE_ADDRESSES)
def test_private_addresses_are_not_public(address: str) -> None:
    assert is_public(address) is False


@pytest.mark.parametrize("address", PUBLIC_ADDRESSES)
def test_global_addresses_are_public(address: str) -> None:
    assert is_public(address) is True


# Each host names a private address, however it is spelt; getaddrinfo reads the numeric forms.
PRIVATE_HOSTS = [
    ("127.0.0.1", "127.0.0.1"), ("10.1.2.3", "10.1.2.3"), ("172.16.5.4", "172.16.5.4"),
    ("172.31.0.9", "172.31.0.9"), ("192.168.1.10", "192.168.1.10"),
    ("169.254.169.254", "169.254.169.254"), ("[::1]", "::1"), ("[::ffff:127.0.0.1]", "::ffff:127.0.0.1"),
    ("[fc00::1]", "fc00::1"), ("[fdff::1]", "fdff::1"), ("0.0.0.0", "0.0.0.0"),
    ("2130706433", "127.0.0.1"), ("0177.0.0.1", "127.0.0.1"), ("0x7f.0.0.1", "127.0.0.1"),
    ("localhost", "127.0.0.1"), ("LocalHost", "127.0.0.1"),
]


@pytest.mark.parametrize("scheme, allow_http", [("https", False), ("http", True)])
@pytest.mark.parametrize("host, resolved", PRIVATE_HOSTS)
def test_private_hosts_refused_unless_allowed(host: str, resolved: str, scheme: str,
                                              allow_http: bool) -> None:
    url = f"{scheme}://{host}:8443/hook?x=1"
    with pytest.raises(CallbackRefused, match="resolves to") as refused:
        check_callback_url(url, allow_http, NOBODY)
    assert "private, loopback" in str(refused.value)
    if resolved != "::1":  # localhost may resolve to ::1 first
        assert resolved in str(refused.value)
    # Named in CALLBACK_ALLOW_HOSTS (lower-cased, as Settings stores them): allowed, http included.
    allowed = frozenset({str(urlsplit(url).hostname).lower()})
    check_callback_url(url, allow_http, allowed)
    check_callback_url(url.replace("https://", "http://"), False, allowed)


def test_allow_hosts_is_exact_and_does_not_cover_other_spellings() -> None:
    with pytest.raises(CallbackRefused):
        check_callback_url("https://0177.0.0.1/hook", False, frozenset({"127.0.0.1"}))
    with pytest.raises(CallbackRefused):
        check_callback_url("https://127.0.0.1/hook", False, frozenset({"localhost"}))


def test_public_https_accepted_without_dns() -> None:
    check_callback_url("https://8.8.8.8/hook", False, NOBODY)
    check_callback_url("https://[2001:4860:4860::8888]:8443/hook", False, NOBODY)


def test_public_http_needs_allow_http() -> None:
    with pytest.raises(CallbackRefused, match="must use https"):
        check_callback_url("http://8.8.8.8/hook", False, NOBODY)
    check_callback_url("http://8.8.8.8/hook", True, NOBODY)


@pytest.mark.parametrize("url", ["ftp://8.8.8.8/hook", "https:///hook", "8.8.8.8/hook",
                                 "https://8.8.8.8:99999/hook", "https://[::1/hook",
                                 "https://no-such-host.invalid/hook"])
def test_malformed_or_unresolvable_urls_refused(url: str) -> None:
    with pytest.raises(CallbackRefused):
        check_callback_url(url, True, NOBODY)


# --- workers.delivery.parse_retry_after --------------------------------------------------------

@pytest.mark.parametrize("value, seconds", [("0", 0.0), ("1", 1.0), ("120", 120.0), (" 7 ", 7.0),
                                            ("86400", 86400.0), ("86401", MAX_RETRY_AFTER),
                                            ("99999999999", MAX_RETRY_AFTER)])
def test_retry_after_seconds(value: str, seconds: float) -> None:
    assert parse_retry_after(value) == seconds


def test_retry_after_http_date_in_the_future() -> None:
    when = datetime.now(UTC) + timedelta(seconds=30)
    assert 27.0 <= parse_retry_after(format_datetime(when, usegmt=True)) <= 30.5  # type: ignore[operator]


def test_retry_after_http_date_in_the_past_is_zero_and_far_future_is_capped() -> None:
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    far = format_datetime(datetime.now(UTC) + timedelta(days=30), usegmt=True)
    assert parse_retry_after(far) == MAX_RETRY_AFTER


# "²" is one Latin-1 byte (0xB2) a receiver can send; str.isdigit() is True for it, float() is not.
@pytest.mark.parametrize("value", [None, "", "   ", "soon", "-1", "1.5", "0x10", "1e3", "²",
                                   "Mon, 99 Foo 2025 00:00:00 GMT"])
def test_retry_after_garbage_is_none(value: str | None) -> None:
    assert parse_retry_after(value) is None


# --- workers.delivery.next_delay ---------------------------------------------------------------

@pytest.mark.parametrize("delays, attempt", [((0.3, 0.3), 3), ((0.3, 0.3), 4), ((5.0,), 2), ((), 1)])
def test_no_delay_after_the_schedule_ends(delays: tuple[float, ...], attempt: int) -> None:
    assert next_delay(delays, attempt, None) is None
    assert next_delay(delays, attempt, 1.0) is None  # Retry-After does not extend the cycle


@pytest.mark.parametrize("attempt, base", [(1, 5.0), (2, 300.0), (3, 1800.0)])
def test_delay_follows_the_schedule_within_ten_percent_jitter(attempt: int, base: float) -> None:
    seen = {next_delay((5.0, 300.0, 1800.0), attempt, None) for _ in range(300)}
    assert all(base * 0.9 <= d <= base * 1.1 for d in seen), (min(seen), max(seen))  # type: ignore
    assert len(seen) > 1  # jittered, not fixed


@pytest.mark.parametrize("retry_after", [0.0, 1.0, 60.0, MAX_RETRY_AFTER])
def test_delay_is_at_least_retry_after(retry_after: float) -> None:
    for _ in range(50):
        delay = next_delay((0.3, 0.3), 1, retry_after)
        assert delay is not None and delay >= retry_after and delay >= 0.27


# --- workers.delivery.Outcome ------------------------------------------------------------------

@pytest.mark.parametrize("status, retryable", [
    (None, True), (408, True), (429, True), (500, True), (502, True), (503, True), (504, True),
    (400, False), (401, False), (403, False), (404, False), (410, False), (413, False),
    (301, False), (302, False), (307, False),
])
def test_outcome_retryable(status: int | None, retryable: bool) -> None:
    outcome = Outcome(status, None if status else "ConnectTimeout", None, 1.0)
    assert outcome.retryable is retryable
    assert outcome.delivered is False


@pytest.mark.parametrize("status, delivered", [(200, True), (201, True), (204, True), (299, True),
                                               (199, False), (300, False), (None, False)])
def test_outcome_delivered_only_for_2xx(status: int | None, delivered: bool) -> None:
    assert Outcome(status, None, None, 1.0).delivered is delivered


# --- workers.delivery.signed_headers -----------------------------------------------------------

BODY = '{"type":"enrichment.succeeded","id":"enr_1","data":{"x":"caf\u00e9"}}'


def test_signed_headers_verify_with_standardwebhooks() -> None:
    headers = signed_headers(SECRET, "msg_1", BODY)
    assert headers["webhook-id"] == "msg_1"
    assert headers["content-type"] == "application/json"
    assert abs(int(headers["webhook-timestamp"]) - datetime.now(UTC).timestamp()) < 5
    assert Webhook(SECRET).verify(BODY, headers) == {"type": "enrichment.succeeded", "id": "enr_1",
                                                     "data": {"x": "caf\u00e9"}}
    as_received = {k.title(): v for k, v in headers.items()}  # header names arrive capitalised
    Webhook(SECRET).verify(BODY.encode(), as_received)


def test_signed_headers_use_the_given_time() -> None:
    at = datetime.now(UTC) - timedelta(seconds=30)
    headers = signed_headers(SECRET, "msg_2", BODY, at)
    assert headers["webhook-timestamp"] == str(int(at.timestamp()))
    Webhook(SECRET).verify(BODY, headers)


@pytest.mark.parametrize("tamper", ["body", "id", "timestamp", "secret", "stale"])
def test_signed_headers_reject_tampering(tamper: str) -> None:
    at = datetime.now(UTC) - timedelta(minutes=10) if tamper == "stale" else None
    headers, body, secret = signed_headers(SECRET, "msg_3", BODY, at), BODY, SECRET
    if tamper == "body":
        body = BODY.replace("enr_1", "enr_2")
    elif tamper == "id":
        headers["webhook-id"] = "msg_4"
    elif tamper == "timestamp":
        headers["webhook-timestamp"] = str(int(headers["webhook-timestamp"]) - 1)
    elif tamper == "secret":
        secret = "whsec_" + "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE="
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body, headers)
