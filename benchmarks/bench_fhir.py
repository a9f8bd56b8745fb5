"""The FHIR terminology service over HTTP on the 370k-concept synthetic SNOMED CT release.

    .venv/bin/python -m benchmarks fhir
    .venv/bin/python -m benchmarks.bench_fhir --seconds 10      # a shorter load run

The site runs as `codelist serve --production` runs it (gunicorn, 2 x cores + 1 sync
workers, debug off, no API rate limit so one address may send thousands of requests) on
loopback, with ``CODELISTS_DB`` naming the benchmark store; a Python client measures:

* ``CodeSystem/$lookup`` of random concepts (200 requests, one at a time);
* ``CodeSystem/$subsumes`` of random (ancestor, descendant) and unrelated pairs (200);
* ``ValueSet/$expand`` of ``ecl/<< 404684003`` (112,792 members), first page of 1,000
  (30 requests; the first one evaluates the expression, later pages reuse it), and the
  same with ``filter=chronic`` (15 requests; sct-py has no ECL description filter);
* 20 concurrent clients on ``$lookup`` for 60 s: requests, errors, median and p99.

Beside each HTTP figure: the same library call in process (what the view adds is HTTP,
Django and JSON) and the peer, sct-py (the Rust ``sct`` engine's binding) in its best
configuration (its database with the transitive-closure table, benchmarks/sct_peer.py),
interleaved call for call.  No FHIR server peer is installable here (Snowstorm,
Ontoserver and Hermes are JVM servers; ``sct serve`` is a Rust binary), so the peer is
in-process only.  The machine is shared: the load average is recorded with the figures.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SCT = "http://snomed.info/sct"
BIG = 404684003  # the largest subtree: 112,792 members
PAGE = 1000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(store: Path, port: int, folder: Path) -> subprocess.Popen:
    env = dict(os.environ, CODELISTS_DB=str(store), CODELISTS_DATA_DIR=str(folder / "none"),
               CODELISTS_WEB_DB=str(folder / "web.sqlite3"), CODELISTS_DEBUG="0",
               CODELISTS_API_RATE_ANON="off", CODELISTS_API_RATE_USER="off",
               CODELISTS_SECRET_KEY="bench-" + "x" * 50, CODELISTS_SECURE_COOKIES="0",
               CODELISTS_STATIC_ROOT=str(folder / "static"),
               # production's own checks: named hosts, a real mail backend (none is sent)
               CODELISTS_ALLOWED_HOSTS="127.0.0.1,localhost",
               CODELISTS_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
               DJANGO_SETTINGS_MODULE="webapp.settings")
    for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
        subprocess.run([sys.executable, "-m", "webapp.manage", *command, "-v", "0"],
                       env=env, check=True, cwd=ROOT)
    workers = 2 * (os.cpu_count() or 1) + 1
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "webapp.wsgi:application", "--bind",
         f"127.0.0.1:{port}", "--workers", str(workers), "--log-level", "warning"],
        env=env, cwd=ROOT)
    for _ in range(150):
        try:
            get(port, "/fhir/metadata")
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("gunicorn did not start")


def get(port: int, path: str, params: dict | None = None) -> dict:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        conn.request("GET", path + query, headers={"Accept": "application/fhir+json"})
        response = conn.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"GET {path}: {response.status} {body[:200]!r}")
        return json.loads(body)
    finally:
        conn.close()


def timed(call) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def sample(store: Path, n: int, seed: int = 7) -> tuple[list[str], list[tuple[str, str]]]:
    """Random active concepts, and pairs: half (ancestor, descendant), half unrelated."""
    import sqlite3

    rng = random.Random(seed)
    conn = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    ids = [r[0] for r in conn.execute("SELECT id FROM concepts WHERE active = 1")]
    codes = [str(i) for i in rng.sample(ids, n)]
    pairs = []
    for code in rng.sample(ids, n):
        row = conn.execute("SELECT ancestor_id FROM closure WHERE descendant_id = ? "
                           "ORDER BY random() LIMIT 1", (code,)).fetchone()
        pairs.append((str(row[0]), str(code)) if row and len(pairs) % 2 == 0
                     else (str(code), str(rng.choice(ids))))
    conn.close()
    return codes, pairs


def interleaved(calls: dict[str, callable], items: list) -> dict[str, list[float]]:
    """Each item through every call in turn (order rotating), so all see the same load."""
    times: dict[str, list[float]] = {name: [] for name in calls}
    names = list(calls)
    for i, item in enumerate(items):
        order = names[i % len(names):] + names[:i % len(names)]
        for name in order:
            times[name].append(timed(lambda c=calls[name], x=item: c(x)))
    return times


def concurrent(port: int, codes: list[str], clients: int, seconds: float) -> dict:
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(k: int) -> None:
        rng = random.Random(k)
        mine, bad = [], []
        while time.monotonic() < stop:
            code = rng.choice(codes)
            try:
                mine.append(timed(lambda c=code: get(port, "/fhir/CodeSystem/$lookup",
                                                     {"system": SCT, "code": c})))
            except Exception as exc:  # every failure counts as an error
                bad.append(repr(exc)[:120])
        with lock:
            latencies.extend(mine)
            errors.extend(bad)

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ordered = sorted(latencies)
    return {"requests": len(latencies), "errors": len(errors), "first_error": errors[:1],
            "median": statistics.median(ordered) if ordered else 0.0,
            "p99": ordered[int(0.99 * (len(ordered) - 1))] if ordered else 0.0}


def ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:.1f}"


def run(seconds: float, clients: int) -> str:
    import sct_py

    from benchmarks.bench_ecl import ensure_store
    from benchmarks.sct_peer import closure_in_use, ensure_sct_db
    from codelists.ecl.expansion import expand
    from codelists.terminology.registry import open_terminology
    from codelists.terminology.subsumption import relation

    store = ensure_store("370k")
    sct_path = ensure_sct_db(store)
    peer = sct_py.Snomed(str(sct_path))
    if not closure_in_use(sct_path):
        raise RuntimeError("sct would not use its closure table: the peer is not at its best")
    ours = open_terminology(store)
    codes, pairs = sample(store, 200)
    port = free_port()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as folder:
        server = start_server(store, port, Path(folder))
        try:
            for code in codes[:100]:  # warm every worker
                get(port, "/fhir/CodeSystem/$lookup", {"system": SCT, "code": code})
            lookup = interleaved({
                "http": lambda c: get(port, "/fhir/CodeSystem/$lookup",
                                      {"system": SCT, "code": c}),
                "library": lambda c: (ours.lookup(c), ours.parents(c)),
                "peer": lambda c: peer.concept(c),
            }, codes)
            subsumes = interleaved({
                "http": lambda p: get(port, "/fhir/CodeSystem/$subsumes",
                                      {"system": SCT, "codeA": p[0], "codeB": p[1]}),
                "library": lambda p: relation(ours, *p),
                "peer": lambda p: peer.subsumes(*p),
            }, pairs)
            url = f"{SCT}?fhir_vs=ecl/<< {BIG}"
            first = timed(lambda: get(port, "/fhir/ValueSet/$expand",
                                      {"url": url, "count": PAGE}))
            answer = get(port, "/fhir/ValueSet/$expand", {"url": url, "count": PAGE})
            total = answer["expansion"]["total"]
            expands = interleaved({
                "http": lambda _: get(port, "/fhir/ValueSet/$expand",
                                      {"url": url, "count": PAGE}),
                "library": lambda _: expand(f"<< {BIG}", ours, count=PAGE),
                "peer": lambda _: sorted(peer.expand(f"<< {BIG}"), key=int)[:PAGE],
            }, list(range(30)))
            filtered = interleaved({
                "http": lambda _: get(port, "/fhir/ValueSet/$expand",
                                      {"url": url, "count": PAGE, "filter": "chronic"}),
                "library": lambda _: expand(f"<< {BIG}", ours, count=PAGE,
                                            text_filter="chronic"),
            }, list(range(15)))
            load = concurrent(port, codes, clients, seconds)
        finally:
            server.terminate()
            server.wait(timeout=30)
            ours.close()
            peer.close()
    load_after = os.getloadavg()
    rows = [
        ("CodeSystem/$lookup (200 random concepts)", lookup, "5"),
        ("CodeSystem/$subsumes (200 pairs, half related)", subsumes, "5"),
        (f"ValueSet/$expand ecl/<< {BIG} ({total:,} members), first {PAGE:,}", expands,
         "100"),
        (f"the same with filter=chronic, first {PAGE:,}", filtered, "-"),
    ]
    return "\n".join([
        "## fhir: the FHIR terminology service over HTTP",
        "",
        "370k-concept synthetic release (benchmarks/synthetic_rf2.py); gunicorn with "
        f"{2 * (os.cpu_count() or 1) + 1} sync workers on loopback, as `codelist serve "
        "--production`; one client, one request at a time (a new connection each), "
        "interleaved with the same library call in process and with the peer sct-py "
        "(in process, its closure table in use). Medians in ms. The machine is shared "
        f"by other work: load average {load_before[0]:.1f} before, {load_after[0]:.1f} "
        f"after, on {os.cpu_count()} cores. The first $expand (which evaluates the "
        f"expression; later pages reuse it) took {first * 1000:.0f} ms.",
        "",
        "| operation | HTTP median | target | library in process | sct-py in process |",
        "|---|---:|---:|---:|---:|",
        *[f"| {name} | {ms(t['http'])} | {'≤ ' + target if target != '-' else ''} | "
          f"{ms(t['library'])} | {ms(t['peer']) if 'peer' in t else 'not supported'} |"
          for name, t, target in rows],
        "",
        f"{clients} concurrent clients on $lookup for {seconds:.0f} s: "
        f"{load['requests']:,} requests, **{load['errors']} errors**, median "
        f"{load['median'] * 1000:.1f} ms, p99 {load['p99'] * 1000:.1f} ms "
        f"({load['requests'] / seconds:.0f} requests/s)"
        + (f"; first error {load['first_error'][0]}" if load["first_error"] else "") + ".",
    ])


def main(argv: list[str]) -> str:
    parser = argparse.ArgumentParser(prog="bench_fhir")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=20)
    args = parser.parse_args(argv)
    return run(args.seconds, args.clients)


if __name__ == "__main__":
    print(main(sys.argv[1:]))
