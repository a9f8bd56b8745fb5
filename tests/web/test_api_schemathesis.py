"""Schemathesis against the OpenAPI schema: generated requests never cause a server error.

Runs in-process through the WSGI app (same test database transaction), bounded to a few
examples per operation so the suite stays fast.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from webapp.accounts import actions as account_actions
from webapp.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)


@pytest.fixture
def bearer(web_article, web_users):
    _, key = account_actions.create_token(web_users["depositor"], "schemathesis")
    return {"Authorization": f"Bearer {key}"}


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=5, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_api_has_no_server_errors(case, bearer):
    case.call_and_validate(headers=bearer, checks=[not_a_server_error])
