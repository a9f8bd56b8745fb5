"""Benchmarks of the development method: the Box 2 search and the review sheets.

* **Box 2 search**: the 16 Stata rules of tests/data/method-sob/sob.codelist (some AND
  pairs) over every description of the synthetic 370k-concept SNOMED CT release
  (benchmarks/synthetic_rf2.py, imported with the SNOMED CT importer into
  benchmarks/data/).  Our combined pass (one lower-cased text, literal prefilter per rule,
  exact patterns only on prefiltered descriptions) beside applying the rules one by one
  with pandas ``str.contains`` and with a plain ``re`` loop.  All three must find the same
  descriptions.
* **Review sheets**: export 20 reviewers' sheets (100 codes each) and import them back,
  Excel and CSV.
"""

from __future__ import annotations

import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
FIXTURE = ROOT / "tests" / "data" / "method-sob" / "sob.codelist"
STORE = HERE / "data" / "method-snomed-370k.db"


def _median(func, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def ensure_store() -> Path:
    if STORE.is_file():
        return STORE
    from benchmarks.synthetic_rf2 import ensure_release
    from codelists.terminology.snomedct.importer import import_release

    return import_release(ensure_release("370k"), STORE)


def box2_strategy():
    from codelists.codelist.fileformat import load
    from codelists.method import block

    return block.strategy(load(FIXTURE))


def load_descriptions() -> list[tuple]:
    from codelists.terminology.registry import open_terminology

    terminology = open_terminology(ensure_store())
    try:
        return list(terminology.iter_descriptions())
    finally:
        terminology.close()


def ours(strategy, texts):
    """Indices any rule matched (before exclusions, as the baselines have none) and
    the number still matched after the strategy's exclusion."""
    from codelists.method.matcher import scan

    verdicts = scan(strategy, texts)
    return set(verdicts), sum(1 for v in verdicts.values() if v.matched)


def _python_patterns(strategy):
    from codelists.method.matcher import term_pattern

    return [[re.compile(term_pattern(t), 0 if t.case_sensitive else re.IGNORECASE)
             for t in rule.all_of] for rule in strategy.rules]


def pandas_one_by_one(strategy, texts):
    import pandas as pd

    from codelists.method.matcher import term_pattern

    series = pd.Series(texts, dtype=object)
    found = pd.Series(False, index=series.index)
    for rule in strategy.rules:
        hit = pd.Series(True, index=series.index)
        for term in rule.all_of:
            hit &= series.str.contains(term_pattern(term), case=term.case_sensitive,
                                       regex=True)
        found |= hit
    return set(found[found].index)


def re_loop(strategy, texts):
    rules = _python_patterns(strategy)
    found = set()
    for rule in rules:
        for i, text in enumerate(texts):
            if all(p.search(text) for p in rule):
                found.add(i)
    return found


def fixture_texts() -> list[str]:
    """The 92 descriptions of tests/data/method-sob (78 candidates), mixed in so that
    the synthetic release (whose words never mention breath) has matches."""
    import csv

    with (FIXTURE.parent / "dictionary.csv").open(newline="") as handle:
        return [row["readterm"] for row in csv.DictReader(handle)]


def bench_search(repeat: int = 5) -> list[str]:
    ensure_store()
    start = time.perf_counter()
    descriptions = load_descriptions()
    load_time = time.perf_counter() - start
    texts = [d[1] for d in descriptions]
    extra = fixture_texts()
    step = max(1, len(texts) // len(extra))
    for offset, text in enumerate(extra):  # spread through the release
        texts.insert(offset * (step + 1), text)
    strategy = box2_strategy()
    t_ours, (a, kept) = _median(lambda: ours(strategy, texts), repeat)
    t_pandas, b = _median(lambda: pandas_one_by_one(strategy, texts), 1)
    t_loop, c = _median(lambda: re_loop(strategy, texts), 1)
    if not (a == b == c):
        raise AssertionError(f"the three searches disagree: {len(a)}, {len(b)}, {len(c)}")
    return [
        f"Box 2 search: {len(strategy.rules)} Stata rules "
        f"({sum(len(r.all_of) > 1 for r in strategy.rules)} AND pairs) over "
        f"{len(texts):,} descriptions (every active description of the synthetic "
        f"370k-concept release, plus the {len(extra)} of tests/data/method-sob); "
        f"{len(a):,} descriptions match a rule ({kept} after the strategy's occurrence "
        f"exclusion, which only codelists applies). Reading the descriptions from the store "
        f"(`iter_descriptions`) took {load_time:.1f} s and is not included below.",
        "",
        "| method | median |",
        "|---|---|",
        f"| codelists (`method.matcher.scan`: one pass, literal prefilter; median of "
        f"{repeat}) | {t_ours:.2f} s |",
        f"| pandas `str.contains`, rule by rule (1 run) | {t_pandas:.2f} s |",
        f"| plain Python `re` loop, rule by rule (1 run) | {t_loop:.2f} s |",
    ]


def bench_sheets(repeat: int = 3, reviewers: int = 20, codes: int = 100) -> list[str]:
    from codelists.method import sheets
    from codelists.method.delphi import make_sheets, new_round

    code_list = [str(100000 + i) for i in range(codes)]
    terms = {c: f"Synthetic term number {c} with some words" for c in code_list}
    names = [f"Reviewer {i + 1}" for i in range(reviewers)]
    rows = ["| format | export + import (median of 3) |", "|---|---|"]
    for extension in ("xlsx", "csv"):
        def cycle(extension=extension):
            rnd = new_round("bench", [], code_list, names)
            with tempfile.TemporaryDirectory() as folder:
                batch = make_sheets("bench", rnd, terms, title="Benchmark")
                for sheet in batch:
                    for row in sheet.rows:
                        row.rating = 1
                paths = sheets.write_sheets(batch, folder, extension)
                pairs = [(sheets.read_sheet(p), p) for p in paths]
                sheets.check_sheets(pairs, "bench", rnd)
                sheets.apply_sheets(rnd, [s for s, _ in pairs])
            return rnd
        elapsed, rnd = _median(cycle, repeat)
        assert len(rnd.ratings) == reviewers
        rows.append(f"| {extension} | {elapsed:.2f} s |")
    return [f"Review sheets: export {reviewers} reviewers' sheets of {codes} codes, read "
            "them back, check and record them.", "", *rows]


def main(argv: list[str]) -> str:
    sys.path.insert(0, str(ROOT))
    import os

    parts = ["## method", "",
             f"Load average when the run started: {os.getloadavg()[0]:.1f} on "
             f"{os.cpu_count()} cores (the machine is shared; figures scale with load).", ""]
    if "--sheets-only" not in argv:
        parts += bench_search()
        parts.append("")
    parts += bench_sheets()
    return "\n".join(parts) + "\n"


if __name__ == "__main__":
    sys.stdout.write(main(sys.argv[1:]))
