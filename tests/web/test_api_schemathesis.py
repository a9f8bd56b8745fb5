"""Schemathesis against the OpenAPI schema: generated requests never cause a server error.

Runs in-process through the WSGI app (same test database transaction), bounded to a few
examples per operation so the suite stays fast.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from webapp.accounts import actions as account_actions
from webapp.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)


@pytest.fixture
def in_test_transaction():
    """Keep the test's database connection open across in-process requests (as Django's
    test client does): otherwise request signals close it inside the test transaction."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def bearer(web_article, web_users, in_test_transaction):
    _, key = account_actions.create_token(web_users["depositor"], "schemathesis")
    return {"Authorization": f"Bearer {key}"}


def _operations():
    """Every operation of the schema: it documents the repository API alone (the
    OpenCodelists-compatible endpoints and the FHIR service follow their own protocols'
    specifications and are tested in their own suites), so nothing is left out here."""
    return [result.ok() for result in schema.get_all_operations()]


def _run(operations, headers) -> list[str]:
    """Every check schemathesis has, a few generated requests per operation; the
    failures, one line each (operation: failure)."""
    failures: list[str] = []
    examples = int(os.environ.get("CODELISTS_SCHEMATHESIS_EXAMPLES", "8"))
    for operation in operations:
        @settings(max_examples=examples, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def check(case):
            case.call_and_validate(headers=headers)

        try:
            check()
        except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - reported together
            names = {type(f).__name__ for f in getattr(exc, "exceptions", None) or [exc]}
            details = [line.strip() for line in str(exc).splitlines() if line.strip()]
            failures.append(f"{operation.label}: {', '.join(sorted(names))}: "
                            + " | ".join(details[:30]))
    return failures


@pytest.mark.slow
def test_api_conforms_to_its_schema_with_every_check(bearer):
    """Every operation against every check (server errors, status codes, content types,
    response schemas, headers, negative data rejected, positive data accepted, ...)."""
    operations = _operations()
    assert len(operations) >= 15
    assert all(op.path.startswith("/api/v1/") and not op.path.startswith("/api/v1/codelist/")
               and not op.path.startswith("/api/v1/check/") for op in operations)
    failures = _run(operations, bearer)
    assert failures == [], "\n".join(failures)
