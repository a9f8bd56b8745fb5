"""Where one machine stops: a 2M-concept synthetic SNOMED CT release (an International-size
core plus a national extension and a drug extension's worth of concepts).

    .venv/bin/python -m benchmarks scale
    .venv/bin/python -m benchmarks.bench_scale --size 2m --repeat 15

The release comes from :mod:`benchmarks.synthetic_rf2` (size ``2m``); it is imported once
in a fresh process (wall and CPU time, peak RSS, store size; the figures are kept beside
the store so a later run reports them without importing again), then ``<<`` of the largest
hierarchy (as ``list[str]`` and as ``frozenset[int]``), a ``MINUS`` of two large subtrees, a
concept lookup and two-word search are timed on the store.  Medians; the load average is
recorded, since the machine is shared.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

from benchmarks.bench_ecl import commit, load, ms, p95
from benchmarks.bench_terminology import run_import
from benchmarks.synthetic_rf2 import DATA, ROOTS, SITES, SUFFIXES, ensure_release

FINDING, PROCEDURE = 404684003, 71388002


def _cpu(stage) -> float:
    """A stage's CPU seconds (bench_terminology records wall, CPU and RSS per stage; older
    records hold the CPU seconds alone)."""
    return stage["cpu"] if isinstance(stage, dict) else stage


def ensure_import(size: str) -> tuple[Path, dict]:
    """The store of the release, imported once; its import figures."""
    release = ensure_release(size)
    store = DATA / f"store-{size}.db"
    figures = store.with_suffix(".import.json")
    if store.is_file() and figures.is_file():
        return store, json.loads(figures.read_text(encoding="utf-8"))
    result = run_import(release, store)
    result["load"] = load()
    figures.write_text(json.dumps(result), encoding="utf-8")
    return store, result


def timed(func, repeat: int) -> dict[str, float]:
    func()
    wall, cpu = [], []
    for _ in range(repeat):
        c0, t0 = time.process_time(), time.perf_counter()
        func()
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    return {"median": statistics.median(wall), "p95": p95(wall),
            "cpu": statistics.median(cpu)}


def bench_queries(store: Path, repeat: int) -> list[tuple[str, str, dict]]:
    from codelists.ecl import evaluate
    from codelists.terminology.snomedct.terminology import SnomedTerminology

    rows = []
    with SnomedTerminology.open(store) as t:
        inside = t.conn.execute(
            "SELECT d.ancestor_id FROM descendant_sets d JOIN closure c ON c.ancestor_id = "
            "? AND c.descendant_id = d.ancestor_id ORDER BY d.size DESC LIMIT 1",
            (FINDING,)).fetchone()[0]
        for label, expression in (
                ("<< largest hierarchy", f"<< {FINDING}"),
                ("<< second hierarchy", f"<< {PROCEDURE}"),
                ("<<A MINUS <<B", f"<< {FINDING} MINUS << {inside}")):
            count = len(evaluate(expression, t))
            rows.append((f"{label} as `list[str]`", f"`{expression}` ({count:,} ids)",
                         timed(lambda e=expression: evaluate(e, t).codes(), repeat)))
            rows.append((f"{label} as `frozenset[int]`", f"`{expression}`",
                         timed(lambda e=expression: evaluate(e, t).ids, repeat)))
        ids = [str(r[0]) for r in t.conn.execute(
            "SELECT id FROM concepts ORDER BY id LIMIT 2000 OFFSET 500000")]
        rows.append(("concept lookup", "2,000 ids, per lookup", _per(
            timed(lambda: [t.lookup(c) for c in ids], max(3, repeat // 3)), len(ids))))
        rng = random.Random(42)
        queries = [f"{rng.choice(ROOTS)}{rng.choice(SUFFIXES)} {rng.choice(SITES)}"
                   for _ in range(40)]
        rows.append(("search, two whole words, limit 20", "40 queries, per query", _per(
            timed(lambda: [t.search(q, limit=20) for q in queries], max(3, repeat // 3)),
            len(queries))))
    return rows


def _per(t: dict[str, float], n: int) -> dict[str, float]:
    return {k: v / n for k, v in t.items()}


def main(argv: list[str]) -> str:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="2m")
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args(argv)
    store, imported = ensure_import(args.size)
    rows = bench_queries(store, args.repeat)
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    lines = [f"## Scale: a {args.size}-concept release on one machine", "",
             "Synthetic release `benchmarks/synthetic_rf2.py` size "
             f"`{args.size}` (a national extension plus a drug extension on top of an "
             "International-size core); 2 cores and 24 GB, shared with other work.", "",
             f"Import (one run, fresh process; load average then: {imported.get('load', '?')}"
             f"): {imported['seconds']:.0f} s wall, {imported['cpu_seconds']:.0f} s CPU, peak "
             f"RSS {imported['max_rss_mb']:.0f} MB, store {imported['store_mb']:.0f} MB. CPU "
             "by stage: " + ", ".join(f"{k} {_cpu(v):.0f} s" for k, v in imported["stages"].items())
             + ".", "",
             f"Queries measured {started}, commit {commit()}, load average {load()}; median "
             f"of {args.repeat} after a warm-up (p95 in brackets):", "",
             "| query | what | median | CPU |", "|---|---|---:|---:|"]
    for label, what, t in rows:
        lines.append(f"| {label} | {what} | {ms(t['median'])} ({ms(t['p95'])}) | "
                     f"{ms(t['cpu'])} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(main(sys.argv[1:]))
