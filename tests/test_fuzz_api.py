"""Schemathesis against /api/openapi.json, in-process through Django's WSGI handler:
whatever it generates from the schema (valid and invalid), the API never answers
5xx, refuses bad input with a 4xx, and answers only status codes its schema
documents, with bodies that match it. Bounded examples per operation so CI stays quick."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from tests.nodes import DEMO_TOKEN

CHECKS = [not_a_server_error, status_code_conformance, negative_data_rejection, response_schema_conformance]


@pytest.fixture
def api_schema(db, settings):
    import io

    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application

    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    settings.POS_DEMO_TOKEN = DEMO_TOKEN
    call_command("seed_demo", stdout=io.StringIO())
    # As Django's test client does: the WSGI handler would otherwise close the
    # test's database connection after each request (inside its transaction).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


EXAMPLES = 12  # per operation and mode: ~2 x 12 x the API's operations requests in all


@pytest.mark.parametrize("mode", [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE])
def test_the_api_never_fails_and_keeps_to_its_schema(api_schema, mode):
    headers = {"Authorization": f"Bearer {DEMO_TOKEN}"}
    failures: list[str] = []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) > 10
    for operation in operations:
        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def probe(case) -> None:
            # The register's token on every call: a generated or missing one only tests the auth layer.
            case.headers = {**(case.headers or {}), **headers}
            case.call_and_validate(checks=CHECKS)

        try:
            probe()
        except Unsatisfiable:
            continue  # nothing to generate in this mode (e.g. no parameters to make invalid)
        except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - collect every failure, then report all
            failures.append(f"{operation.label}: {str(exc)[:1500]}")
    assert not failures, "\n\n".join(failures)
