"""Hostile input: Schemathesis generates requests for every operation in /openapi.json, both
valid ones and ones that break the schema. No answer may be a 5xx, every error must come in the
one error shape, every answer must match what the spec documents (status, content type, body),
and a request that breaks the schema must be refused."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis import checks as st

from tests.conftest import auth

CONFORMANCE = [st.not_a_server_error, st.status_code_conformance, st.content_type_conformance,
               st.response_schema_conformance]


def check_response(response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code < 500, response.text[:500]
    if response.status_code >= 400:
        body = response.json()
        assert body["code"] == response.status_code
        assert isinstance(body["status"], str) and body["status"]
        assert isinstance(body["message"], str) and body["message"]
        assert isinstance(body.get("errors", {}), dict)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=str)
def test_no_server_errors_and_one_error_shape_on_every_operation(app, worker, mode):
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    checks = CONFORMANCE + ([st.negative_data_rejection] if mode is GenerationMode.NEGATIVE else [])
    if mode is GenerationMode.NEGATIVE:  # only operations that take input can be sent bad input
        operations = [op for op in operations if any(True for _ in op.iter_parameters())
                      or op.get_request_payload_content_types()]
        assert len(operations) >= 6

    for operation in operations:
        @given(case=operation.as_strategy(mode))
        @settings(max_examples=25, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def fuzz(case) -> None:  # type: ignore[no-untyped-def]
            response = case.call(headers=auth())
            check_response(response)
            case.validate_response(response, checks=checks, headers=auth())

        fuzz()
