"""Schema-driven fuzzing of the JSON API (issue 14, defect 7): schemathesis reads the
document the app serves at ``/api/openapi.json`` and sends, to each operation, requests
generated from it: valid ones (a member's bearer token, bodies matching the schema) and
invalid ones (wrong types, missing members, out-of-range numbers, odd strings). Every
answer must be below 500, JSON, and match the document's schemas for its status code.

Deterministic (``derandomize``) and bounded: ``PONTE_FUZZ_EXAMPLES`` x 10 examples per
operation (default 30).
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from tests.factories import make_org, make_volunteer
from webapp.extensions import db
from webapp.timebank.tokens import create_token

EXAMPLES = int(os.environ.get("PONTE_FUZZ_EXAMPLES", "3")) * 10
CHECKS = [not_a_server_error, content_type_conformance, response_schema_conformance]


@pytest.mark.slow
def test_no_api_operation_answers_500(app, db_session) -> None:
    org = make_org("Comune API")
    member = make_volunteer(org, email="api-member@fuzz.example").user
    make_volunteer(org, email="api-other@fuzz.example")
    secret = create_token(member, "fuzz")[1]
    db.session.commit()
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {f"{op.method.upper()} {op.path}" for op in operations} >= {
        "GET /api/v1/me/balance",
        "GET /api/v1/me/statement",
        "POST /api/v1/donations",
    }
    failures = []
    modes = [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE]
    for operation, mode in [(op, mode) for op in operations for mode in modes]:

        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(mode))
        def call(case: schemathesis.Case) -> None:
            case.call_and_validate(headers={"Authorization": f"Bearer {secret}"}, checks=CHECKS)

        try:
            call()
        except Exception as error:  # every operation is tried; all failures reported
            label = f"{operation.method.upper()} {operation.path} ({mode.value})"
            failures.append(f"{label}: {error}"[:1500])
    assert failures == []
