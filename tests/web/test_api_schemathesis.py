"""Schemathesis against the OpenAPI schema: generated requests never cause a server error.

Runs in-process through the WSGI app (same test database transaction), bounded to a few
examples per operation so the suite stays fast.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

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
    return [result.ok() for result in schema.get_all_operations()]


@pytest.mark.slow
def test_api_has_no_server_errors(bearer):
    """Every operation, a few generated requests each (one test item, so that pytest-xdist
    schedules it like any other)."""
    operations = _operations()
    assert len(operations) >= 15

    for operation in operations:
        @settings(max_examples=5, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def check(case):
            case.call_and_validate(headers=bearer, checks=[not_a_server_error])

        check()
