"""`codelist serve --production`: migrations, static files, gunicorn on a free port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, bytes, dict]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read(), dict(response.headers)


def test_serve_production(tmp_path):
    port = _free_port()
    env = dict(os.environ, CODELISTS_WEB_DB=str(tmp_path / "web.sqlite3"),
               CODELISTS_STATIC_ROOT=str(tmp_path / "static"))
    env.pop("CODELISTS_TEST_DB", None)
    env.pop("DATABASE_URL", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "codelists.cli.main", "serve", "--production", "--port",
         str(port), "--workers", "1"], env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(150):
            try:
                status, body, _ = _get(base + "/api/v1/articles/")
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("the server did not start: " + server.stderr.read1().decode())
        assert status == 200 and b'"count":0' in body
        status, body, headers = _get(base + "/static/webapp/htmx.min.js")
        assert status == 200 and body.startswith(b"var htmx=")
        status, body, _ = _get(base + "/")
        assert b"codelists" in body
        assert (tmp_path / "static" / "webapp" / "site.css").is_file()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
