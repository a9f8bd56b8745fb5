"""API rate limits: anonymous clients by address, signed-in ones by account, 429 in the
API's error shape with Retry-After; no limit when a rate is None; counts exact across
processes (webapp/api/counters.py; across gunicorn workers in test_production_server.py)."""

from __future__ import annotations

import os
import time
from concurrent.futures import ProcessPoolExecutor

import pytest
from rest_framework.test import APIClient

from webapp.accounts import actions as account_actions
from webapp.api import counters

pytestmark = pytest.mark.django_db
API = "/api/v1"


@pytest.fixture
def rates(api_rates):
    return api_rates(anon="3/min", user="5/min")


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


def test_no_rate_means_no_limit(api_rates):
    api_rates(anon=None, user=None)
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


def test_a_window_ends_and_the_client_is_let_through_again(api_rates):
    api_rates(anon="2/sec")
    client = _client()
    assert [client.get(f"{API}/articles/").status_code for _ in range(3)] == [200, 200, 429]
    time.sleep(1.05)
    assert client.get(f"{API}/articles/").status_code == 200


def test_a_bad_rate_is_a_configuration_error_naming_the_forms(api_rates):
    from django.core.exceptions import ImproperlyConfigured

    from webapp.api.throttling import parse_rate

    assert parse_rate("300/min") == (300, 60) and parse_rate("5/day") == (5, 86_400)
    with pytest.raises(ImproperlyConfigured, match="N/min"):
        parse_rate("lots/min")


def _take_many(folder: str, n: int, start: float) -> int:
    time.sleep(max(0.0, start - time.time()))  # every process starts at once
    return sum(counters.take(folder, "anon:10.0.0.1", LIMIT, 60) is None for _ in range(n))


LIMIT = 1_500


def test_counts_are_exact_across_processes(tmp_path):
    """8 processes take 500 numbers each from one counter of limit 1,500 at the same
    time: exactly 1,500 are allowed (without the lock, lost updates let more through)."""
    folder = str(tmp_path / "rates")
    start = time.time() + 1.0
    with ProcessPoolExecutor(8) as pool:
        allowed = list(pool.map(_take_many, [folder] * 8, [500] * 8, [start] * 8))
    assert sum(allowed) == LIMIT, allowed
    wait = counters.take(folder, "anon:10.0.0.1", LIMIT, 60)
    assert wait is not None and 0 < wait <= 60


def test_stale_counters_are_pruned_and_live_ones_kept(tmp_path):
    folder = tmp_path / "rates"
    counters.take(folder, "anon:old", 5, 60)
    counters.take(folder, "anon:new", 5, 60)
    old = next(p for p in folder.iterdir() if not p.name.startswith("."))
    for path in folder.iterdir():
        if path.name != ".pruned":
            os.utime(path, (time.time(), time.time()))
    os.utime(old, (time.time() - 2 * 86_400, time.time() - 2 * 86_400))
    assert counters.prune(folder) == 1
    assert not old.exists()
    assert len([p for p in folder.iterdir() if not p.name.startswith(".")]) == 1
