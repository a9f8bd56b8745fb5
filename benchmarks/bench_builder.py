"""Benchmark of the hierarchy builder on the 370k-concept synthetic SNOMED CT release.

Shape ``builder-20k``: a draft whose one search (ECL ``<< C``, C the concept with the
number of descendants nearest 20,000) finds about 24,000 concepts.  Measured through the
site's own views with Django's test client (SQLite database, the store found through
``CODELISTS_DB`` as the site finds it), server time only:

* **first tree**: the draft page right after the search (workspace built from the store:
  matches, descendants, parents, terms; statuses; the first levels of the tree drawn);
* **click**: an include or exclude posted as the page's script posts it, answered with
  the statuses that changed (each click a new set of decisions, so nothing is reused);
* the same resolution with the library's general ``resolve`` walking the store's
  ``parents()``, the path without the builder's in-memory workspace, for comparison.

Medians of several runs; the machine's load average is printed with the figures.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RUNS, CLICKS = 5, 12


def _target(store: Path) -> tuple[str, int]:
    """The concept whose descendant count is nearest 20,000 (read once, kept)."""
    import sqlite3

    cache = HERE / "data" / "builder-20k-concept.txt"
    if cache.is_file():
        code, count = cache.read_text().split()
        return code, int(count)
    conn = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    code, count = conn.execute(
        "SELECT ancestor_id, count(*) AS n FROM closure GROUP BY ancestor_id "
        "ORDER BY abs(count(*) - 20000) LIMIT 1").fetchone()
    conn.close()
    cache.write_text(f"{code} {count}\n")
    return str(code), count


def _setup(store: Path, folder: Path):
    os.environ["CODELISTS_DB"] = str(store)
    os.environ["CODELISTS_WEB_DB"] = str(folder / "builder.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webapp.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:.0f} ms"


def run(store: Path) -> list[tuple[str, str, str]]:
    from django.contrib.auth.models import User
    from django.test import Client
    from django.urls import reverse

    from codelists.codelist.definition import Rule, resolve
    from webapp.builder import actions, session

    code, count = _target(store)
    user = User.objects.create_user("bench", password="not-used-bench-0123")
    client = Client()
    client.force_login(user)
    draft = actions.start_draft(user, title="Bench", coding_system="snomedct")
    actions.add_search(user, draft, "ecl", f"<< {code}")
    page = reverse("builder:draft", args=[draft.pk])
    first, first_cpu = [], []
    for _ in range(RUNS):
        session._spaces.clear()  # a search just made: nothing built yet
        start, cpu = time.perf_counter(), time.process_time()
        answer = client.get(page)
        first.append(time.perf_counter() - start)
        first_cpu.append(time.process_time() - cpu)
        assert answer.status_code == 200
    space = session.workspace(draft)
    size = len(space.codes)
    kids = list(space.tree().kids(code))
    decide = reverse("builder:decide", args=[draft.pk])
    clicks, clicks_cpu = [], []
    for i in range(CLICKS):
        target, choice = ((code, "include") if i == 0 else
                          (kids[i % len(kids)], "exclude" if i % 2 else "include"))
        start, cpu = time.perf_counter(), time.process_time()
        answer = client.post(decide, {"code": target, "decision": choice},
                             HTTP_ACCEPT="application/json")
        clicks.append(time.perf_counter() - start)
        clicks_cpu.append(time.process_time() - cpu)
        assert answer.status_code == 200, answer.content
    draft.refresh_from_db()
    rules = session.rules_of(draft)
    terminology = session.terminology(draft)
    general = []
    for _ in range(3):
        start = time.perf_counter()
        resolve(rules, space.codes, terminology)
        general.append(time.perf_counter() - start)
    inner = []
    for i in range(3):
        start = time.perf_counter()
        space.statuses(rules + (Rule(kids[i], True),))
        inner.append(time.perf_counter() - start)
    shape = f"builder-20k: << {code} ({size:,} concepts; {count:,} closure rows)"
    return [
        (shape, "first tree (draft page after the search)", _ms(first), _ms(first_cpu)),
        (shape, f"include/exclude click ({CLICKS} clicks)", _ms(clicks), _ms(clicks_cpu)),
        (shape, "statuses: builder workspace (resolve_below in memory)", _ms(inner), ""),
        (shape, "statuses: library resolve over the store's parents()", _ms(general), ""),
    ]


def main(argv: list[str]) -> str:
    sys.path.insert(0, str(HERE.parent))
    from benchmarks.bench_ecl import ensure_store

    store = ensure_store("370k")
    with tempfile.TemporaryDirectory() as folder:
        _setup(store, Path(folder))
        rows = run(store)
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    lines = ["## Builder", "",
             "The hierarchy builder on the 370k-concept synthetic SNOMED CT release "
             "(`benchmarks/bench_builder.py`): server time through the site's views, "
             f"medians. Load average at the end of the run: {load} (2 cores shared with "
             "other work: figures on an idle machine are lower).", "",
             "The CPU column is the server process's CPU time for the same requests: on a "
             "machine shared by several jobs it is closer to what an idle server needs.", "",
             "| shape | measure | median (wall) | median (CPU) |", "|---|---|---|---|"]
    lines += [f"| {shape} | {what} | {wall} | {cpu} |" for shape, what, wall, cpu in rows]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(main(sys.argv[1:]))
