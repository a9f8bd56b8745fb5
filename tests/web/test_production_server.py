"""Attacks on the production server itself (`codelist serve --production`: gunicorn,
SQLite): SIGTERM frees the port, login guesses are counted atomically across workers,
concurrent API writers never meet "database is locked", forged Host headers are refused,
and production refuses to start without its settings."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

pytestmark = pytest.mark.slow
PASSWORD = "correct-horse-battery-9"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(tmp_path) -> dict:
    env = dict(os.environ, CODELISTS_WEB_DB=str(tmp_path / "web.sqlite3"),
               CODELISTS_STATIC_ROOT=str(tmp_path / "static"),
               CODELISTS_THROTTLE_DIR=str(tmp_path / "throttle"),
               CODELISTS_EMAIL_FILE_PATH=str(tmp_path / "mail"),
               CODELISTS_API_RATE_USER="off", CODELISTS_API_RATE_ANON="off")
    for name in ("CODELISTS_TEST_DB", "DATABASE_URL", "CODELISTS_SECRET_KEY",
                 "CODELISTS_ALLOWED_HOSTS", "CODELISTS_EMAIL_BACKEND", "CODELISTS_DEBUG"):
        env.pop(name, None)
    return env


class Server:
    def __init__(self, tmp_path, workers: int = 2, **env):
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = dict(_env(tmp_path), **env)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "codelists.cli.main", "serve", "--production", "--port",
             str(self.port), "--workers", str(workers)], env=self.env,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for _ in range(300):
            try:
                urllib.request.urlopen(self.base + "/api/v1/articles/", timeout=5).read()
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        pytest.fail("the server did not start: " + self.process.stderr.read().decode()[-3000:])

    def manage(self, code: str) -> str:
        env = dict(self.env, CODELISTS_DEBUG="1")
        return subprocess.run([sys.executable, "-m", "webapp.manage", "shell", "--no-imports", "-c", code],
                              env=env, check=True, capture_output=True, text=True).stdout

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=60)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    server = Server(tmp_path_factory.mktemp("production"))
    server.manage(
        "from webapp.accounts import actions as a\n"
        f"a.sign_up(username='alice', email='alice@example.org', password='{PASSWORD}')\n"
        f"a.sign_up(username='bob', email='bob@example.org', password='{PASSWORD}')\n")
    yield server
    server.stop()


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def test_sigterm_stops_gunicorn_and_frees_the_port(tmp_path):
    server = Server(tmp_path, workers=1)
    assert _port_open(server.port)
    server.process.send_signal(signal.SIGTERM)  # to `codelist serve` only, not its group
    server.process.wait(timeout=60)
    for _ in range(50):
        if not _port_open(server.port):
            break
        time.sleep(0.1)
    assert not _port_open(server.port)
    gunicorns = subprocess.run(["pgrep", "-f", f"gunicorn.*127.0.0.1:{server.port}"],
                               capture_output=True, text=True).stdout
    assert gunicorns.strip() == ""


def _login_form(base: str):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    return opener, token


def _post_login(base: str, opener, token: str, username: str, password: str) -> int:
    data = urllib.parse.urlencode({"username": username, "password": password,
                                   "csrfmiddlewaretoken": token}).encode()
    request = urllib.request.Request(base + "/accounts/login/", data=data,
                                     headers={"Referer": base + "/accounts/login/"})
    try:
        with opener.open(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_concurrent_guesses_get_exactly_the_limit_evaluated(server):
    opener, token = _login_form(server.base)
    with ThreadPoolExecutor(30) as pool:
        statuses = list(pool.map(
            lambda _: _post_login(server.base, opener, token, "alice", "wrong"), range(30)))
    assert statuses.count(200) == 5, statuses  # evaluated: the form says "wrong password"
    assert statuses.count(429) == 25, statuses
    # the guesser locked only alice-from-here: bob behind the same address logs in
    opener, token = _login_form(server.base)
    assert _post_login(server.base, opener, token, "bob", PASSWORD) == 200  # after redirect


def test_concurrent_api_writers_never_fail_and_every_write_is_kept(server):
    key = server.manage(
        "from django.contrib.auth.models import User\n"
        "from webapp.accounts import actions as a\n"
        "print(a.create_token(User.objects.get(username='bob'), 'w')[1])\n").strip()

    def write(n: int) -> tuple[int, int | None]:
        body = json.dumps({"title": f"Concurrent article {n}", "tags": [f"t{n % 7}"]})
        request = urllib.request.Request(
            server.base + "/api/v1/articles/", data=body.encode(), method="POST",
            headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, json.loads(response.read())["id"]
        except urllib.error.HTTPError as exc:
            return exc.code, None

    with ThreadPoolExecutor(10) as pool:
        results = list(pool.map(write, range(200)))
    assert [s for s, _ in results if s != 201] == []
    ids = sorted(i for _, i in results)
    stored = server.manage(
        "from webapp.repository.models import Article\n"
        "print(sorted(Article.objects.filter(title__startswith='Concurrent')"
        ".values_list('pk', flat=True)))\n")
    assert json.loads(stored) == ids


def _status(url: str, key: str) -> int:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {key}"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_the_api_rate_limit_is_exact_across_workers(tmp_path):
    """40 simultaneous requests of one account against 12/min, spread over 3 gunicorn
    workers: exactly 12 answered, 28 refused with 429."""
    server = Server(tmp_path, workers=3, CODELISTS_API_RATE_USER="12/min")
    try:
        key = server.manage(
            "from webapp.accounts import actions as a\n"
            "user = a.sign_up(username='carol', email='carol@example.org', password=None)\n"
            "print(a.create_token(user, 'r', scope='read')[1])\n").strip()
        with ThreadPoolExecutor(40) as pool:
            statuses = list(pool.map(lambda _: _status(server.base + "/api/v1/articles/", key),
                                     range(40)))
    finally:
        server.stop()
    assert statuses.count(200) == 12, statuses
    assert statuses.count(429) == 28, statuses


def test_a_forged_host_is_refused(server):
    request = urllib.request.Request(server.base + "/accounts/password-reset/",
                                     headers={"Host": "evil.example"})
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(request, timeout=10)
    assert info.value.code == 400


def test_production_refuses_to_start_without_its_settings(tmp_path):
    env = dict(_env(tmp_path), CODELISTS_DEBUG="0")
    result = subprocess.run([sys.executable, "-m", "webapp.manage", "check"], env=env,
                            capture_output=True, text=True)
    assert result.returncode == 2
    for name in ("CODELISTS_SECRET_KEY", "CODELISTS_ALLOWED_HOSTS", "CODELISTS_EMAIL_BACKEND"):
        assert name in result.stderr
    assert "Traceback" not in result.stderr
    env.update(CODELISTS_SECRET_KEY="k" * 50, CODELISTS_ALLOWED_HOSTS="*",
               CODELISTS_EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend")
    result = subprocess.run([sys.executable, "-m", "webapp.manage", "check"], env=env,
                            capture_output=True, text=True)
    assert result.returncode == 2 and "not '*'" in result.stderr
    assert "real mail backend" in result.stderr
