"""API rate limits: anonymous clients by address, signed-in ones by account, 429 in the
API's error shape with Retry-After; no limit when a rate is None."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from rest_framework.test import APIClient

from webapp.accounts import actions as account_actions

pytestmark = pytest.mark.django_db
API = "/api/v1"


@pytest.fixture
def rates(settings):
    caches["throttle"].clear()
    settings.CODELISTS_API_RATES = {"anon": "3/min", "user": "5/min"}
    yield settings.CODELISTS_API_RATES
    caches["throttle"].clear()


def _client(address: str = "10.0.0.1", user=None) -> APIClient:
    client = APIClient(REMOTE_ADDR=address)
    if user is not None:
        _, key = account_actions.create_token(user, "throttle test")
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def test_an_anonymous_address_is_limited(rates):
    client = _client()
    assert [client.get(f"{API}/articles/").status_code for _ in range(3)] == [200] * 3
    over = client.get(f"{API}/codelists/")  # the limit is per client, not per endpoint
    assert over.status_code == 429
    body = over.json()
    assert set(body) == {"error"}
    assert body["error"]["status"] == 429 and body["error"]["code"] == "throttled"
    assert 0 < int(over["Retry-After"]) <= 60
    # another address has its own count
    assert _client("10.0.0.2").get(f"{API}/articles/").status_code == 200


def test_a_signed_in_account_has_its_own_rate(rates, web_users):
    client = _client(user=web_users["depositor"])
    codes = [client.get(f"{API}/articles/").status_code for _ in range(6)]
    assert codes == [200] * 5 + [429]
    # the same account from another address is still over its rate
    assert _client("10.0.0.9", user=web_users["depositor"]).get(
        f"{API}/articles/").status_code == 429
    # and the anonymous count of its address was never touched
    assert _client().get(f"{API}/articles/").status_code == 200


def test_no_rate_means_no_limit(settings):
    caches["throttle"].clear()
    settings.CODELISTS_API_RATES = {"anon": None, "user": None}
    client = _client()
    assert {client.get(f"{API}/articles/").status_code for _ in range(40)} == {200}


def test_rates_come_from_the_environment(monkeypatch):
    from webapp.settings import _api_rate

    monkeypatch.setenv("CODELISTS_API_RATE_ANON", "off")
    assert _api_rate("CODELISTS_API_RATE_ANON", "300/min") is None
    monkeypatch.setenv("CODELISTS_API_RATE_ANON", "20/min")
    assert _api_rate("CODELISTS_API_RATE_ANON", "300/min") == "20/min"
    monkeypatch.delenv("CODELISTS_API_RATE_ANON")
    assert _api_rate("CODELISTS_API_RATE_ANON", "300/min") == "300/min"
