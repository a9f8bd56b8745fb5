"""Benchmark of the online repository under load and attack (the production server).

Shape ``web-10k``: 10,000 codelists in 200 articles (SQLite, built once under
benchmarks/data/web/ by the repository's own actions), one of them a 5,000-code SNOMED CT
list; the other lists hold 5-40 codes drawn from a pool of 3,000 codes, so a common code
is in many lists.  Each run works on a copy (the writers add to it).  The site runs as
``codelist serve --production`` (gunicorn, whitenoise, the job worker) with the default
rate limits, and Python client threads (keep-alive connections, one per thread):

* 20 clients for ``CODELISTS_BENCH_SECONDS`` (default 60) each on: the codelist page of
  the 5,000-code list, its CSV download, search by code (page; API), and the API list
  ``/api/v1/codelists/`` -- API clients each with their own read token, as well-behaved
  scripts would be; errors are any answer but 200 (429s counted apart);
* 10 API writers (write tokens) creating articles for the same time; then every
  acknowledged article is looked up in the database;
* attack uploads one at a time: a YAML alias bomb, a .codelist of 1,000,001 lines, a
  JSON body nested 50,000 deep, and a legitimate 600,000-code list (accepted as a
  background job; the time until the job has saved it is given too).
"""

from __future__ import annotations

import http.client
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / "data" / "web"
DB = DATA / "web-10k.sqlite3"
CODELISTS, ARTICLES, BIG = 10_000, 200, 5_000
CLIENTS, REQUESTS = 20, 25
PORT = 8931


# -- data ---------------------------------------------------------------------------------
def sctid(n: int) -> str:
    """A well-formed SNOMED CT concept id (partition 00, Verhoeff check digit)."""
    from codelists.terminology.normalise import verhoeff_digit

    body = f"{100000 + n}00"
    return body + verhoeff_digit(body)


def _text(ident: str, title: str, codes: list[str]) -> str:
    from codelists.codelist.fileformat import dumps
    from codelists.codelist.template import new_codelist

    cl = new_codelist(None, id=ident, title=title, terminology="snomedct", today="2026-01-01")
    for code in codes:
        cl.add_active(code, f"Synthetic concept {code}")
    return dumps(cl)


def generate(path: Path) -> None:
    """Build the database with the repository's actions (run in a child process)."""
    os.environ["CODELISTS_WEB_DB"] = str(path)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webapp.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from webapp.accounts.actions import sign_up
    from webapp.repository import actions

    call_command("migrate", verbosity=0)
    user = sign_up(username="bench", email="bench@example.org", password=None)
    rng = random.Random(42)
    pool = [sctid(n) for n in range(3_000)]
    per_article = CODELISTS // ARTICLES
    for a in range(ARTICLES):
        article = actions.create_article(user, title=f"Synthetic study {a:03d}", year=2000 + a % 25,
                                         tags=[f"group-{a % 10}"])
        items = []
        for i in range(per_article):
            n = a * per_article + i
            codes = ([sctid(10_000 + k) for k in range(BIG)] if n == 0
                     else rng.sample(pool, rng.randint(5, 40)))
            items.append(actions.NewCodelist(_text(f"list-{n:05d}", f"Synthetic list {n:05d}",
                                                   codes)))
        actions.deposit(user, article, items)


def ensure_database() -> Path:
    if DB.is_file():
        return DB
    DATA.mkdir(parents=True, exist_ok=True)
    partial = DB.with_suffix(".partial")
    for stale in DATA.glob("web-10k.partial*"):
        stale.unlink()
    subprocess.run([sys.executable, "-m", "benchmarks.bench_web", "--generate", str(partial)],
                   check=True, cwd=ROOT)
    import sqlite3

    # fold the write-ahead log into the file before renaming it (the log keeps its old name)
    with sqlite3.connect(partial) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.execute("PRAGMA journal_mode=DELETE")
    db.close()
    os.replace(partial, DB)
    return DB


# -- server and client ----------------------------------------------------------------------
SECONDS = int(os.environ.get("CODELISTS_BENCH_SECONDS", "60"))
READERS, WRITERS = 20, 10
RUN_DB = DATA / "web-10k-run.sqlite3"
PASSWORD = "bench-password-0123"


def _env() -> dict:
    env = dict(os.environ, CODELISTS_WEB_DB=str(RUN_DB), CODELISTS_STATIC_ROOT=str(DATA / "static"),
               CODELISTS_THROTTLE_DIR=str(DATA / "throttle"),
               CODELISTS_EMAIL_FILE_PATH=str(DATA / "mail"))
    for name in ("CODELISTS_DEBUG", "CODELISTS_ALLOWED_HOSTS", "CODELISTS_EMAIL_BACKEND",
                 "DATABASE_URL", "CODELISTS_TEST_DB", "CODELISTS_API_RATE_ANON",
                 "CODELISTS_API_RATE_USER"):
        env.pop(name, None)
    return env


def prepare_run_database() -> dict:
    """A fresh copy of the base database, migrated, with reader and writer tokens."""
    import shutil

    for suffix in ("", "-wal", "-shm"):
        Path(str(RUN_DB) + suffix).unlink(missing_ok=True)
    shutil.rmtree(DATA / "throttle", ignore_errors=True)
    shutil.copyfile(DB, RUN_DB)
    env = dict(_env(), CODELISTS_DEBUG="1")
    subprocess.run([sys.executable, "-m", "webapp.manage", "migrate", "--noinput", "-v", "0"],
                   env=env, check=True, cwd=ROOT)
    script = f"""
import json
from webapp.accounts import actions as a
keys = {{"read": [], "write": []}}
for scope, n in (("read", {READERS}), ("write", {WRITERS})):
    for i in range(n):
        user = a.sign_up(username=f"{{scope}}{{i}}", email=f"{{scope}}{{i}}@example.org",
                         password="{PASSWORD}")
        keys[scope].append(a.create_token(user, "bench", scope=scope)[1])
print(json.dumps(keys))
"""
    out = subprocess.run([sys.executable, "-m", "webapp.manage", "shell", "--no-imports", "-c",
                          script], env=env, check=True, cwd=ROOT, capture_output=True,
                         text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def start_server(workers: int, threads: int = 1) -> subprocess.Popen:
    log = open(DATA / "server.log", "wb")  # noqa: SIM115 -- the server's output, for a failed run
    server = subprocess.Popen(
        [sys.executable, "-m", "codelists.cli.main", "serve", "--production", "--port",
         str(PORT), "--workers", str(workers), "--threads", str(threads), "--no-migrate"],
        env=_env(), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    log.close()
    for _ in range(300):
        try:
            request("GET", "/api/v1/")
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("the server did not start")


def request(method: str, path: str, conn: http.client.HTTPConnection | None = None,
            headers: dict | None = None, body: bytes | None = None) -> tuple[int, bytes]:
    own = conn is None
    conn = conn or http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        if own:
            conn.close()


def get(path: str, conn=None, headers=None) -> bytes:
    status, body = request("GET", path, conn, headers)
    if status != 200:
        raise RuntimeError(f"GET {path}: {status}")
    return body


class Tally:
    """Latencies and answers of concurrent clients."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.statuses: dict[str, int] = {}
        self.ids: list[int] = []

    def add(self, latency: float, status: str, ident: int | None = None) -> None:
        with self.lock:
            self.latencies.append(latency)
            self.statuses[status] = self.statuses.get(status, 0) + 1
            if ident is not None:
                self.ids.append(ident)

    def errors(self) -> int:
        return sum(n for s, n in self.statuses.items() if s not in ("200", "201", "429"))


def _client(tally: Tally, deadline: float, method: str, path: str, headers: dict,
            body_of=None) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
    n = 0
    while time.perf_counter() < deadline:
        n += 1
        body = body_of(n) if body_of else None
        start = time.perf_counter()
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            status, ident = str(response.status), None
            if response.status == 201:
                ident = json.loads(data)["id"]
        except (OSError, http.client.HTTPException) as exc:
            status, ident = type(exc).__name__, None
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
        tally.add(time.perf_counter() - start, status, ident)
    conn.close()


def run_clients(n: int, method: str, path: str, headers_of, body_of=None) -> Tally:
    tally = Tally()
    deadline = time.perf_counter() + SECONDS
    threads = [threading.Thread(target=_client, args=(tally, deadline, method, path,
                                                      headers_of(i), body_of))
               for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return tally


def sequential(path: str, headers: dict | None = None, n: int = 50) -> list[float]:
    """One client, one keep-alive connection: the service time without queueing."""
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
    times = []
    for _ in range(n):
        start = time.perf_counter()
        get(path, conn, headers)
        times.append(time.perf_counter() - start)
    conn.close()
    return times


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def targets() -> dict[str, tuple[str, bool]]:
    """name -> (path, needs a token)."""
    import sqlite3

    with sqlite3.connect(DB) as db:
        big = db.execute("SELECT id FROM repository_codelist WHERE code_count = ?",
                         (BIG,)).fetchone()[0]
        code = db.execute(
            "SELECT code FROM repository_code GROUP BY code ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()[0]
    return {"codelist page (5,000 codes)": (f"/codelists/{big}/", False),
            "CSV download (5,000 codes)": (f"/codelists/{big}/download/csv/", False),
            "search by code (page)": (f"/search/?code={code}", False),
            "search by code (API)": (f"/api/v1/codelists/?code={code}", True),
            "API list (codelists)": ("/api/v1/codelists/", True)}, code


def _bearer(key: str, json_body: bool = False) -> dict:
    headers = {"Authorization": f"Bearer {key}"}
    if json_body:
        headers["Content-Type"] = "application/json"
    return headers


def _row(name: str, tally: Tally, alone: list[float] | None) -> str:
    lat = tally.latencies
    statuses = ", ".join(f"{s}: {n}" for s, n in sorted(tally.statuses.items()))
    single = f"{statistics.median(alone) * 1000:.1f}" if alone else "-"
    return (f"| {name} | {single} | {statistics.median(lat) * 1000:.1f} | "
            f"{percentile(lat, 0.99) * 1000:.1f} | {len(lat)} | {tally.errors()} | "
            f"{statuses} |")


def _codelist_body(text: str) -> bytes:
    return json.dumps({"text": text, "filename": "attack.codelist"}).encode()


def _alias_bomb(levels: int = 6) -> str:
    lines = ['l0: &l0 "lol"'] + [
        f"l{i}: &l{i} [" + ",".join([f"*l{i - 1}"] * 10) + "]" for i in range(1, levels + 1)]
    return ("---\nid: bomb\ntitle: Bomb\nterminology: snomedct\n" + "\n".join(lines)
            + "\n---\n195967001 Asthma\n")


def _read_codes(n: int) -> list[str]:
    """n distinct well-formed Read v2 codes (5 characters)."""
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    codes = []
    for i in range(n):
        digits = []
        for _ in range(4):
            i, r = divmod(i, len(alphabet))
            digits.append(alphabet[r])
        codes.append("ABCDEFGH"[i % 8] + "".join(reversed(digits)))
    return codes


def attacks(write_key: str) -> list[str]:
    headers = _bearer(write_key, json_body=True)
    status, body = request("POST", "/api/v1/articles/", headers=headers,
                           body=json.dumps({"title": "Attack target"}).encode())
    if status != 201:
        raise RuntimeError(f"could not create the attack target article: {status} {body[:300]!r}")
    article = json.loads(body)["id"]
    url = f"/api/v1/articles/{article}/codelists/"
    from codelists.codelist.fileformat import dumps
    from codelists.codelist.template import new_codelist

    template = new_codelist(None, id="big", title="Six hundred thousand codes",
                            terminology="readv2", today="2026-01-01")
    template.meta["description"] = "A legitimate but large list (benchmark)."
    big = dumps(template).rstrip("\n") + "\n" + "".join(f"{c}\n" for c in _read_codes(600_000))
    cases = [
        ("YAML alias bomb (.codelist, 6 levels x 10)", "POST", url, _codelist_body(_alias_bomb())),
        ("1,000,001 code lines (.codelist)", "POST", url,
         _codelist_body("---\nid: m\ntitle: M\nterminology: snomedct\n---\n"
                        + "1\n" * 1_000_001)),
        ("JSON body nested 50,000 deep", "POST", "/api/v1/articles/",
         b"[" * 50_000 + b"]" * 50_000),
        (f"legitimate 600,000-code list ({len(big) / 1e6:.1f} MB)", "POST", url,
         _codelist_body(big)),
    ]
    rows = []
    for name, method, path, body in cases:
        start = time.perf_counter()
        status, answer = request(method, path, headers=headers, body=body)
        took = time.perf_counter() - start
        detail = ""
        if status == 202:
            job = json.loads(answer)["url"]
            while True:
                time.sleep(1)
                state = json.loads(request("GET", job, headers=headers)[1])
                if state["state"] in ("done", "failed") or time.perf_counter() - start > 900:
                    break
            detail = (f"job {state['state']} after {time.perf_counter() - start:.0f} s: "
                      f"{state['result'].get('summary') or state['error']}")
        else:
            error = json.loads(answer).get("error", {})
            problems = (error.get("details") or {}).get("problems") or [{}]
            detail = problems[0].get("message") or error.get("message", "")
        rows.append(f"| {name} | {status} | {took:.2f} | {detail[:120]} |")
    return rows


def writers(keys: list[str]) -> tuple[str, str]:
    def body_of(n: int) -> bytes:
        return json.dumps({"title": f"Concurrent write {threading.get_ident()}-{n}",
                           "tags": ["load"]}).encode()

    tally = run_clients(WRITERS, "POST", "/api/v1/articles/",
                        lambda i: _bearer(keys[i], json_body=True), body_of)
    import sqlite3

    with sqlite3.connect(RUN_DB) as db:
        stored = {row[0] for row in db.execute(
            "SELECT id FROM repository_article WHERE title LIKE 'Concurrent write %'")}
    missing = len(set(tally.ids) - stored)
    check = (f"{len(tally.ids)} writes acknowledged (201), {len(stored)} found in the "
             f"database, {missing} missing")
    return _row(f"{WRITERS} API writers (POST /api/v1/articles/)", tally, None), check


def main(argv: list[str]) -> str:
    if argv[:1] == ["--generate"]:
        generate(Path(argv[1]))
        return ""
    started = time.perf_counter()
    ensure_database()
    built = time.perf_counter() - started
    workers = int(os.environ.get("CODELISTS_BENCH_WORKERS", 0)) or 2 * (os.cpu_count() or 1) + 1
    threads = int(os.environ.get("CODELISTS_BENCH_THREADS", 1))
    info, code = targets()
    keys = prepare_run_database()
    load_before = os.getloadavg()
    server = start_server(workers, threads)
    rows, loads = [], []
    try:
        for name, (path, token) in info.items():
            def headers_of(i: int, token=token) -> dict:
                return _bearer(keys["read"][i]) if token else {}

            for _ in range(20):
                get(path, headers=headers_of(0))
            alone = sequential(path, headers_of(0))
            tally = run_clients(READERS, "GET", path, headers_of)
            loads.append(os.getloadavg()[0])
            rows.append(_row(name, tally, alone))
        writer_row, writer_check = writers(keys["write"])
        loads.append(os.getloadavg()[0])
        attack_rows = attacks(keys["write"][0])
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    return "\n".join([
        "## web: the online repository under load and attack",
        "",
        f"Shape web-10k: {CODELISTS:,} codelists in {ARTICLES} articles (SQLite), one with "
        f"{BIG:,} codes; `codelist serve --production` (gunicorn, {workers} workers x {threads} "
        f"thread(s), the job worker, default rate limits) on loopback. {READERS} concurrent clients (Python "
        f"threads, keep-alive) for {SECONDS} s per request kind after a warm-up; API clients "
        f"each with their own read token. Search code {code} (in the most lists). Database "
        f"built in {built:.0f} s (0 when reused). Client and server share the machine's "
        f"{os.cpu_count()} cores with other work: load average {load_before[0]:.1f} before "
        f"(1, 5, 15 min: {', '.join(f'{x:.1f}' for x in load_before)}), "
        f"{', '.join(f'{x:.1f}' for x in loads)} after each phase. *1 client* is the median "
        f"over 50 sequential requests (service time, no queueing). Errors: any answer but "
        f"200/201 (429, a documented rate limit, is listed apart).",
        "",
        "| request | 1 client median ms | concurrent median ms | concurrent p99 ms | "
        "requests | errors | answers |",
        "|---|---:|---:|---:|---:|---:|---|",
        *rows,
        writer_row,
        "",
        f"Writers: {writer_check}.",
        "",
        "Attack uploads (one at a time, with a write token, under no other load):",
        "",
        "| upload | status | answered in s | what the answer says |",
        "|---|---:|---:|---|",
        *attack_rows,
    ])


if __name__ == "__main__":
    out = main(sys.argv[1:])
    if out:
        print(out)
