"""schemathesis against the live server's ``/openapi.json``: generated requests to every operation, checked for
no server error (5xx), documented status codes and content types, and bodies that match the declared schemas.

The budget is per operation: the query endpoints (each unfiltered request reads a whole table) get
:data:`QUERY_EXAMPLES`, the others :data:`CHEAP_EXAMPLES`; the test counts the requests it sent and asserts at
least :data:`AT_LEAST` (the issue's figure), so a schema that lost its operations cannot pass by sending few.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = pytest.mark.realdata

AT_LEAST = 500
QUERY_EXAMPLES = 10
CHEAP_EXAMPLES = 50
CHEAP = ("/countries", "/groups", "/profiles", "/corridors", "/sources", "/indicators/catalogue", "/scenario")
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          negative_data_rejection]


def test_generated_requests_find_no_server_error_and_no_schema_violation(server: str) -> None:
    schema = schemathesis.openapi.from_url(f"{server}/openapi.json")
    sent: dict[str, int] = {}
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        cheap = any(operation.path.startswith("/api/v1" + p) for p in CHEAP)

        @settings(max_examples=CHEAP_EXAMPLES if cheap else QUERY_EXAMPLES, deadline=None, database=None,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def check(case: schemathesis.Case) -> None:
            label = case.operation.label
            sent[label] = sent.get(label, 0) + 1
            response = case.call(timeout=120)
            try:
                case.validate_response(response, checks=CHECKS)
            except Exception as exc:  # schemathesis's failure group (or a dropped connection): report all at the end
                failures.append(f"{label}: {str(exc)[:400]}")

        check()
    out = Path("test-artifacts")
    out.mkdir(exist_ok=True)
    (out / "schemathesis.json").write_text(json.dumps({"requests": sum(sent.values()), "by_operation": sent,
                                                       "failures": failures}, indent=1) + "\n")
    assert not failures, "\n".join(failures[:10])
    assert len(sent) >= 20, sorted(sent)  # every operation was exercised
    assert sum(sent.values()) >= AT_LEAST, sent
