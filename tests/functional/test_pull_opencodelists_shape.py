"""`codelist pull` from a server of OpenCodelists' shape (it has no .codelist files).

OpenCodelists itself lies outside the project, so a small HTTP server on 127.0.0.1 stands
in for it, serving the real downloads of an OpenSAFELY study (../shared) at OpenCodelists'
URLs, with its content type.  The files and manifest `pull` writes must carry the SHA-1s
OpenCodelists' manifest recorded.
"""

from __future__ import annotations

import contextlib
import io
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

STUDY = "data/codelists/opensafely-post-covid-vaccinated/codelists"


@pytest.fixture
def opencodelists(shared):
    folder = shared / STUDY
    files = json.loads((folder / "codelists.json").read_text())["files"]
    by_path = {f"/codelist/{entry['id']}/download.csv": folder / name
               for name, entry in files.items()}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the standard library's name)
            path = by_path.get(self.path)
            if path is None:
                self.send_error(404)
                return
            body = path.read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "text/csv")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", folder, files
    server.shutdown()
    server.server_close()


def cli(*argv) -> tuple[int, str, str]:
    from codelists.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def test_pull_matches_opencodelists_manifest(opencodelists, tmp_path):
    url, folder, files = opencodelists
    ours = tmp_path / "codelists"
    ours.mkdir()
    (ours / "codelists.txt").write_bytes((folder / "codelists.txt").read_bytes())
    code, out, err = cli("pull", str(ours), "--from", url, "--json")
    assert code == 0, err
    assert json.loads(out)["codelist_files"] == []  # the server offers none
    written = json.loads((ours / "codelists.json").read_text())["files"]
    assert {name: e["sha"] for name, e in written.items()} == \
        {name: e["sha"] for name, e in files.items()}
    assert {name: e["id"] for name, e in written.items()} == \
        {name: e["id"] for name, e in files.items()}
    assert cli("check", str(ours))[0] == 0


def test_a_failed_download_leaves_the_folder_as_it_was(opencodelists, tmp_path):
    url, folder, files = opencodelists
    ours = tmp_path / "codelists"
    ours.mkdir()
    first = next(iter(files.values()))["id"]
    (ours / "codelists.txt").write_text(f"{first}\n")
    assert cli("pull", str(ours), "--from", url)[0] == 0
    before = {p.name: p.read_bytes() for p in ours.iterdir()}
    (ours / "codelists.txt").write_text(f"{first}\nopensafely/no-such-list/v1\n")
    code, _, err = cli("pull", str(ours), "--from", url)
    assert code == 10 and "404" in err
    after = {p.name: p.read_bytes() for p in ours.iterdir() if p.name != "codelists.txt"}
    assert after == {k: v for k, v in before.items() if k != "codelists.txt"}
