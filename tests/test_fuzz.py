"""Hostile input: Schemathesis generates requests for every operation in /openapi.json.
No answer may be a 5xx, and every error must come in the one error shape."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.conftest import auth


def check_response(response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code < 500, response.text[:500]
    if response.status_code >= 400:
        body = response.json()
        assert body["code"] == response.status_code
        assert isinstance(body["status"], str) and body["status"]
        assert isinstance(body["message"], str) and body["message"]
        assert isinstance(body.get("errors", {}), dict)


def test_no_server_errors_and_one_error_shape_on_every_operation(app, worker):
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10

    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=25, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def fuzz(case) -> None:  # type: ignore[no-untyped-def]
            check_response(case.call(headers=auth()))

        fuzz()
