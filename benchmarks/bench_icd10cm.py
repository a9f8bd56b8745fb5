"""Benchmarks of the ICD-10-CM store (the demo terminology).

Shapes:

- ``import``: import the CDC tabular XML shipped in ``simple-icd-10-cm`` (98k codes
  with seventh-character extensions, 111k descriptions, closure, FTS5 index) into a new
  store; median of 3 runs.  Target: at most 30 s.
- ``search``: ranked full-text search with prefix matching (``Terminology.search``,
  limit 50) for 300 queries: 200 single words and 100 two-word prefixes (the first
  four letters of the second word) drawn deterministically from the store's own terms;
  p50 and p95.  Target: p50 under 5 ms.
- ``lookup``: ``lookup`` of 2,000 codes written undotted (normalised first); p50.
- ``regex``: ``search_regex`` of ``fracture.*femur`` over every description; median of 3.
- ``descendants``: ``descendants`` of every chapter and block; p50.
"""

from __future__ import annotations

import random
import statistics
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def bench_import(runs: int = 3) -> tuple[list[float], Path]:
    from codelists.terminology.icd10cm.importer import import_release

    DATA.mkdir(parents=True, exist_ok=True)
    target = DATA / "icd10cm.db"
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        import_release(None, target)
        times.append(time.perf_counter() - started)
    return times, target


def queries(terminology, count_words: int = 200, count_pairs: int = 100) -> list[str]:
    rng = random.Random(20260401)
    words = sorted({w.lower() for _, term, _, _ in terminology.iter_descriptions()
                    for w in term.replace(",", " ").split() if len(w) > 3 and w.isalpha()})
    single = rng.sample(words, count_words)
    pairs = [f"{rng.choice(words)} {rng.choice(words)[:4]}" for _ in range(count_pairs)]
    return single + pairs


def timed(calls) -> list[float]:
    out = []
    for call in calls:
        started = time.perf_counter()
        call()
        out.append(time.perf_counter() - started)
    return out


def main(argv: list[str]) -> str:
    from codelists.terminology.registry import open_terminology

    import_times, store = bench_import()
    with open_terminology(store) as t:
        qs = queries(t)
        t.search("warmup")
        search = timed([lambda q=q: t.search(q, limit=50) for q in qs])
        codes = [c.replace(".", "") for c in t.all_codes() if "." in c]
        sample = random.Random(7).sample(codes, 2000)
        lookup = timed([lambda c=c: t.lookup(c) for c in sample])
        regex = timed([lambda: t.search_regex(r"fracture.*femur", limit=None)] * 3)
        tops = [c for c in t.all_codes() if t.lookup(c).kind in ("chapter", "block")]
        descend = timed([lambda c=c: t.descendants(c) for c in tops])
        counts = (t.count(), sum(1 for _ in t.iter_descriptions()))
    rows = [
        ("import (98k codes, closure, FTS5)", f"{statistics.median(import_times):.1f} s",
         "≤ 30 s"),
        ("search p50 (300 queries, limit 50)", _ms(statistics.median(search)), "< 5 ms"),
        ("search p95", _ms(_percentile(search, 0.95)), ""),
        ("lookup p50 (undotted codes)", _ms(statistics.median(lookup)), ""),
        ("regex `fracture.*femur` over every description",
         _ms(statistics.median(regex)), ""),
        (f"descendants p50 ({len(tops)} chapters and blocks)",
         _ms(statistics.median(descend)), ""),
    ]
    lines = ["## ICD-10-CM (demo terminology)", "",
             f"Store: {counts[0]:,} codes, {counts[1]:,} descriptions, from the CDC tabular "
             "XML in `simple-icd-10-cm` (`benchmarks/bench_icd10cm.py`).", "",
             "| shape | median | target |", "|---|---:|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(main([]))
