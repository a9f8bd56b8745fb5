"""Benchmarks of moving codelists to a new terminology release (`update`, `upgrade-report`).

Shapes, on the synthetic 370k-concept release (benchmarks/synthetic_rf2.py) and its
successor (benchmarks/synthetic_successor.py: about 1,850 concepts each retired with
history, added, moved and renamed):

- ``upgrade-report-200``: ``upgrade_report`` of a study of 200 SNOMED CT codelists of
  mixed sizes (10 to 50,000 codes, log-spread), each defined as an OR of ``<< X``
  subtrees and expanded on the first release, against the successor's store: read every file, evaluate every
  definition, look every code up, find inactivations, history and changed terms.
- ``update-50k``: ``plan_update`` + ``apply_update`` + save of a list of just over
  50,000 codes (an OR of subtrees; the CLI's ``codelist update`` minus start-up), and the
  same through the CLI as a fresh process.

No peer tool moves a codelist between releases (OpenCodelists does it in its web app,
per list, with no command line), so there is no side-by-side figure.  Medians of several
runs; the machine is shared (load average recorded with the figures).
"""

from __future__ import annotations

import bisect
import math
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
STUDY = DATA / "upgrade-study-370k-mixed"
SUCCESSOR_STORE = DATA / "upgrade-snomed-370k-successor.db"
FIFTY = DATA / "upgrade-50k.codelist"


def successor_store() -> Path:
    from benchmarks.synthetic_successor import ensure_successor
    from codelists.terminology.snomedct.importer import import_release

    if not SUCCESSOR_STORE.is_file():
        import_release(ensure_successor("370k"), SUCCESSOR_STORE)
    return SUCCESSOR_STORE


def _targets(count: int = 200, low: int = 10, high: int = 50_000) -> list[int]:
    step = (math.log(high) - math.log(low)) / (count - 1)
    return [round(math.exp(math.log(low) + i * step)) for i in range(count)]


def _subtree_sizes(store) -> list[tuple[int, int]]:
    """(descendants-or-self, concept) for every concept with descendants, ascending."""
    sizes = dict(store.conn.execute(
        "SELECT ancestor_id, count(*) + 1 FROM closure GROUP BY ancestor_id"))
    for concept, size in store.conn.execute("SELECT ancestor_id, size FROM descendant_sets"):
        sizes[concept] = size + 1  # stored as one blob, not closure rows
    sizes.pop(138875005, None)  # the root
    return sorted((size, concept) for concept, size in sizes.items())


def _definitions(store) -> list[str]:
    """200 ECL definitions whose expansions are log-spread from 10 to 50,000 codes: each
    an OR of subtrees, chosen (seeded) near the largest that still fits the target."""
    by_size = _subtree_sizes(store)
    sizes = [s for s, _ in by_size]
    rng = random.Random(15)
    out = []
    for target in _targets():
        parts, remaining = [], target
        while remaining >= max(5, target // 20) and len(parts) < 12:
            top = bisect.bisect_right(sizes, remaining) - 1
            if top < 0:
                break
            size, concept = by_size[rng.randint(max(0, top - 40), top)]
            if concept in parts:
                continue
            parts.append(concept)
            remaining -= size
        out.append(" OR ".join(f"<< {c}" for c in parts))
    return out


def ensure_study(store) -> Path:
    """The 200 codelists, written once (git-ignored under benchmarks/data)."""
    if (STUDY / ".complete").is_file():
        return STUDY
    from codelists.codelist.definition import Definition, expand
    from codelists.codelist.fileformat import save
    from codelists.codelist.template import new_codelist

    tmp = STUDY.with_name(STUDY.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for n, ecl in enumerate(_definitions(store)):
        definition = Definition(ecl=ecl)
        codes = sorted(expand(definition, store), key=int)
        terms = store.lookup_many(codes)
        cl = new_codelist(tmp / f"list-{n:03d}.codelist", title=f"Synthetic list {n}",
                          today="2026-01-01")
        cl.meta["snomed_release"] = "20250101"
        cl.definition = definition
        for c in codes:
            cl.add_active(c, terms[c].term)
        save(cl, tmp / f"list-{n:03d}.codelist")
    (tmp / ".complete").write_text("200 codelists\n")
    os.replace(tmp, STUDY)
    return STUDY


def ensure_fifty_thousand(store) -> Path:
    """A list of at least 50,000 codes defined as an OR of subtrees (actual expansion
    checked as parts are added, since subtrees overlap)."""
    if FIFTY.is_file():
        return FIFTY
    from codelists.codelist.definition import Definition, expand
    from codelists.codelist.fileformat import save
    from codelists.codelist.template import new_codelist

    by_size = [x for x in _subtree_sizes(store) if x[0] <= 40_000]
    parts: list[int] = []
    codes: set[str] = set()
    while len(codes) < 50_000:
        remaining = 50_000 - len(codes)
        fits = [c for s, c in by_size if s <= max(remaining, 50) and c not in parts]
        parts.append(fits[-1])
        definition = Definition(ecl=" OR ".join(f"<< {c}" for c in parts))
        codes = expand(definition, store)
    terms = store.lookup_many(sorted(codes))
    cl = new_codelist(FIFTY, title="Synthetic 50k", today="2026-01-01")
    cl.meta["snomed_release"] = "20250101"
    cl.definition = definition
    for c in sorted(codes, key=int):
        cl.add_active(c, terms[c].term)
    save(cl, FIFTY)
    return FIFTY


def _median(func, repeat: int, setup=None) -> tuple[float, float, object]:
    """Median wall time, median CPU time of this process, and the last result
    (``setup()``, untimed, before each run)."""
    times, cpu, result = [], [], None
    for _ in range(repeat):
        if setup is not None:
            setup()
        start, start_cpu = time.perf_counter(), time.process_time()
        result = func()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(times), statistics.median(cpu), result


def _commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE,
                              capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main(argv: list[str]) -> str:
    from benchmarks.bench_ecl import ensure_store
    from codelists.codelist.fileformat import load, paused_collection, save
    from codelists.codelist.upgrade import apply_update, plan_update
    from codelists.codelist.upgrade_report import upgrade_report
    from codelists.terminology.registry import open_terminology

    first = open_terminology(ensure_store("370k"))
    study = ensure_study(first)
    big = ensure_fifty_thousand(first)
    first.close()
    new = open_terminology(successor_store())
    load_before = os.getloadavg()
    report_time, report_cpu, report = _median(lambda: upgrade_report(study, new), 5)

    def each_alone():  # every list planned on its own: the store asked per list
        with paused_collection():
            return [plan_update(load(p), new) for p in sorted(study.glob("*.codelist"))]

    alone_time, alone_cpu, alone = _median(each_alone, 3)
    assert [p.as_dict() for p in alone] == [p.as_dict() for p in report.plans]
    actives = [load(p).active_codes() for p in study.glob("*.codelist")]
    sizes = [len(codes) for codes in actives]
    distinct = len({c for codes in actives for c in codes})
    work = DATA / "upgrade-50k-work.codelist"

    saves = []

    def update_once():
        cl = load(work)
        plan = plan_update(cl, new)
        apply_update(cl, plan, today="2026-06-01")
        start = time.perf_counter()
        save(cl, work)  # atomic: temporary file, fsync, rename, fsync of the folder
        saves.append(time.perf_counter() - start)
        return plan

    update_time, update_cpu, plan = _median(update_once, 5,
                                            lambda: shutil.copyfile(big, work))
    report_cli = []
    for _ in range(3):
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "codelists.cli", "upgrade-report",
                               str(study), "--release", str(SUCCESSOR_STORE), "--json"],
                              capture_output=True)
        report_cli.append(time.perf_counter() - start)
        assert done.returncode == 1, done.stderr  # decisions needed
    cli_times = []
    for _ in range(5):
        shutil.copyfile(big, work)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "codelists.cli", "update", str(work),
                        "--release", str(SUCCESSOR_STORE)], check=True,
                       capture_output=True)
        cli_times.append(time.perf_counter() - start)
    load_after = os.getloadavg()
    new.close()
    listed = len(load(big).active_codes())
    totals = report.totals()
    return "\n".join([
        "## Upgrade (`update`, `upgrade-report`)",
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} at commit "
        f"{_commit()}. Synthetic 370k release (20250101) and its successor (20250401, from "
        "`benchmarks/synthetic_successor.py`). Load average "
        f"{load_before[0]:.1f} before, {load_after[0]:.1f} after (2 shared cores; "
        "other engineers' jobs running).",
        "",
        "| shape | what | median wall | median CPU |",
        "|---|---|---|---|",
        f"| upgrade-report-200 | 200 codelists of {min(sizes):,} to {max(sizes):,} codes "
        f"({sum(sizes):,} in all); changes found: "
        + ", ".join(f"{k} {v}" for k, v in totals.items() if v)
        + f"; {sum(p.needs_decision for p in report.plans)} lists need a decision "
        f"| {report_time:.2f} s | {report_cpu:.2f} s |",
        f"| upgrade-report-200 (CLI) | `codelist upgrade-report STUDY --release STORE "
        f"--json` as a fresh process | {statistics.median(report_cli):.2f} s | |",
        f"| upgrade-report-200, unshared | the same 200 plans (identical), each list "
        f"planned alone: the store asked per list, every definition evaluated per list "
        f"| {alone_time:.2f} s | {alone_cpu:.2f} s |",
        f"| update-50k | plan + apply + save of the {listed:,}-code list "
        f"({len(plan.changes)} changes); of which the atomic save (fsync) "
        f"{statistics.median(saves):.2f} s | {update_time:.2f} s | {update_cpu:.2f} s |",
        f"| update-50k (CLI) | `codelist update` as a fresh process | "
        f"{statistics.median(cli_times):.2f} s | |",
        "",
        "Targets (issue 15): upgrade-report of 200 lists < 10 s; update of a 50,000-code "
        "list < 2 s. The study report shares the store's answers between lists "
        "(`codelists/codelist/release_facts.py`): the 200 lists write "
        f"{sum(sizes):,} codes, {distinct:,} distinct, each looked up once. CPU is this process's own time, less distorted by the shared "
        "machine than wall time. No peer tool does this from a command line, so there is "
        "no side-by-side figure.",
    ])


if __name__ == "__main__":
    print(main(sys.argv[1:]))
