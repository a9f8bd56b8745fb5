"""Benchmark of the online repository under load (gunicorn on loopback).

Shape ``web-10k``: 10,000 codelists in 200 articles (SQLite, built once under
benchmarks/data/web/ by the repository's own actions), one of them a 5,000-code SNOMED CT
list; the other lists hold 5-40 codes drawn from a pool of 3,000 codes, so a common code
is in many lists.  The site runs under gunicorn (production settings, whitenoise) and a
Python client with 20 threads (keep-alive connections, one per thread) requests:

* the codelist page of the 5,000-code list;
* its CSV download;
* search by code (the page, and the API ``/api/v1/codelists/?code=``) for a code in many
  lists.

Each figure is over 20 clients x 25 requests after a warm-up; medians and p99 in ms.
"""

from __future__ import annotations

import http.client
import os
import random
import secrets
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
    os.replace(partial, DB)
    return DB


# -- server and client ----------------------------------------------------------------------
def start_server(workers: int) -> subprocess.Popen:
    # no API rate limit: 20 clients from one address would be throttled within seconds
    env = dict(os.environ, CODELISTS_WEB_DB=str(DB), CODELISTS_DEBUG="0",
               CODELISTS_API_RATE_ANON="off", CODELISTS_API_RATE_USER="off",
               CODELISTS_SECRET_KEY=secrets.token_urlsafe(40), CODELISTS_SECURE_COOKIES="0",
               CODELISTS_STATIC_ROOT=str(DATA / "static"), DJANGO_SETTINGS_MODULE="webapp.settings")
    subprocess.run([sys.executable, "-m", "webapp.manage", "collectstatic", "--noinput",
                    "-v", "0"], env=env, check=True, cwd=ROOT)
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "webapp.wsgi:application", "--bind",
         f"127.0.0.1:{PORT}", "--workers", str(workers), "--log-level", "warning"],
        env=env, cwd=ROOT)
    for _ in range(100):
        try:
            get("/api/v1/")
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("gunicorn did not start")


def get(path: str, conn: http.client.HTTPConnection | None = None) -> bytes:
    own = conn is None
    conn = conn or http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"GET {path}: {response.status}")
        return body
    finally:
        if own:
            conn.close()


def sequential(path: str, n: int = 50) -> list[float]:
    """One client, one keep-alive connection: the service time without queueing."""
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
    times = []
    for _ in range(n):
        start = time.perf_counter()
        get(path, conn)
        times.append(time.perf_counter() - start)
    conn.close()
    return times


def load(path: str) -> list[float]:
    """20 threads x 25 requests, each thread on its own keep-alive connection."""
    latencies: list[float] = []
    lock = threading.Lock()

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
        mine = []
        for _ in range(REQUESTS):
            start = time.perf_counter()
            get(path, conn)
            mine.append(time.perf_counter() - start)
        conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def targets() -> dict[str, str]:
    import sqlite3

    with sqlite3.connect(DB) as db:
        big = db.execute("SELECT id FROM repository_codelist WHERE code_count = ?",
                         (BIG,)).fetchone()[0]
        code = db.execute(
            "SELECT code FROM repository_code GROUP BY code ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()[0]
        lists = db.execute("SELECT count(*) FROM repository_codelist").fetchone()[0]
    return {"lists": str(lists), "code": code,
            "codelist page (5,000 codes)": f"/codelists/{big}/",
            "CSV download (5,000 codes)": f"/codelists/{big}/download/csv/",
            "search by code (page)": f"/search/?code={code}",
            "search by code (API)": f"/api/v1/codelists/?code={code}"}


def main(argv: list[str]) -> str:
    if argv[:1] == ["--generate"]:
        generate(Path(argv[1]))
        return ""
    started = time.perf_counter()
    ensure_database()
    built = time.perf_counter() - started
    workers = 2 * (os.cpu_count() or 1) + 1
    info = targets()
    load_before = os.getloadavg()[0]
    server = start_server(workers)
    rows = []
    try:
        for name, path in info.items():
            if not path.startswith("/"):
                continue
            for _ in range(20):
                get(path)
            alone = sequential(path)
            latencies = load(path)
            rows.append(f"| {name} | {statistics.median(alone) * 1000:.1f} | "
                        f"{statistics.median(latencies) * 1000:.1f} | "
                        f"{percentile(latencies, 0.99) * 1000:.1f} | {len(latencies)} |")
    finally:
        server.terminate()
        server.wait(timeout=30)
    return "\n".join([
        "## web: the online repository under load",
        "",
        f"Shape web-10k: {info['lists']} codelists in {ARTICLES} articles (SQLite), one with "
        f"{BIG:,} codes; gunicorn with {workers} workers on loopback; {CLIENTS} concurrent "
        f"clients (Python threads, keep-alive) x {REQUESTS} requests each, after a warm-up. "
        f"Search code {info['code']} (in the most lists). "
        f"Database built in {built:.0f} s (0 when reused). Client and server share the "
        f"machine's cores, and other work was running: load average {load_before:.1f} "
        f"before, {os.getloadavg()[0]:.1f} after, on {os.cpu_count()} cores. "
        f"*1 client* is the median over 50 sequential requests (service time, no queueing).",
        "",
        "| request | 1 client median ms | 20 clients median ms | 20 clients p99 ms | requests |",
        "|---|---:|---:|---:|---:|",
        *rows,
    ])


if __name__ == "__main__":
    out = main(sys.argv[1:])
    if out:
        print(out)
