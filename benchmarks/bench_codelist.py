"""Benchmarks of the codelist area.

Shapes:

- ``validate-20k``: ``codelist validate`` of a 20,000-code SNOMED CT codelist against a
  store built from the synthetic 20k release (``benchmarks/synthetic_rf2.py``; its
  19,499 concepts, active and inactive, plus 501 well-formed ids it lacks), run as a
  fresh process each time, so interpreter and CLI start-up are included; and the same
  validation in-process, to separate start-up from work.
- ``startup``: ``codelist --help`` as a fresh process.
- ``import-200k``: ``codelist import`` of a 200,000-row CPRD Aurum-shaped list (tab-
  separated: MedCodeId, Term, OriginalReadCode, CleansedReadCode, SnomedCTConceptId,
  SnomedCTDescriptionId, as CPRD publishes them; several columns hold codes, so column
  recognition reads them all) as a fresh process, start-up included; beside it, the
  peer an analyst would use: ``pandas.read_csv`` of the same file into a set of codes,
  also a fresh process; and a 200,000-row OpenCodelists ``code,term`` SNOMED CT
  download (every id's check digit verified).  Target: under 5 s.
- ``real-lists``: import every real codelist in ../shared/data/codelists (OpenCodelists,
  CALIBER), write it as a ``.codelist``, read it back and export it again (OpenCodelists
  CSV, or CSV for CALIBER), all files in one process.

Medians of several runs.  Generated data lives in benchmarks/data/ (git-ignored).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / "data"
STORE = DATA / "codelist-snomed-20k.db"
LIST = DATA / "codelist-20000.codelist"
SHARED = Path(os.environ.get("CODELISTS_SHARED", ROOT.parent / "shared"))


def ensure_store() -> Path:
    if STORE.is_file():
        return STORE
    from benchmarks.synthetic_rf2 import ensure_release
    from codelists.terminology.snomedct.importer import import_release

    return import_release(ensure_release("20k"), STORE)


def ensure_codelist(size: int = 20_000) -> Path:
    """A codelist of ``size`` codes from the store, with their preferred terms."""
    if LIST.is_file():
        return LIST
    from codelists.codelist.fileformat import save
    from codelists.codelist.template import new_codelist
    from codelists.terminology.registry import open_terminology

    terminology = open_terminology(ensure_store())
    rows = terminology.conn.execute("SELECT id FROM concepts ORDER BY id").fetchall()
    codes = [str(r[0]) for r in rows][:size]
    from benchmarks.synthetic_rf2 import sctid

    item = 9_000_000
    while len(codes) < size:  # well-formed ids the store lacks: validate reports them
        codes.append(str(sctid(item, "00")))
        item += 1
    found = terminology.lookup_many(codes)
    cl = new_codelist(LIST, title="Benchmark 20k", today="2026-01-01")
    cl.meta.update(appropriate_use="Benchmarks", misuse="Anything else", licence="CC0-1.0")
    for code in codes:
        concept = found.get(code)
        cl.add_active(code, concept.term if concept else "")
    save(cl, LIST)
    return LIST


def _median(func, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _cli(*argv: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-m", "codelists.cli", *argv], env=env, cwd=ROOT,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)


def _process(argv: tuple[str, ...], repeat: int) -> tuple[float, float]:
    """Median wall time and median CPU time (user + system) of a fresh CLI process."""
    import resource

    walls, cpus = [], []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        _cli(*argv)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def bench_validate(repeat: int) -> list[str]:
    path = ensure_codelist()
    store = ensure_store()
    from codelists.codelist.fileformat import load
    from codelists.codelist.validate import validate
    from codelists.terminology.registry import open_terminology

    cl = load(path)
    n = len(cl.active_codes())
    process, process_cpu = _process(("validate", str(path), "--db", str(store)), repeat)

    def in_process():
        terminology = open_terminology(store)
        validate(load(path), terminology)
        terminology.close()

    inside = _median(in_process, repeat)
    parse_only = _median(lambda: load(path), repeat)
    startup, startup_cpu = _process(("--help",), repeat)
    return [
        f"| validate-20k: `codelist validate` ({n:,} codes, store lookups), fresh process "
        f"| {process:.3f} s | {process_cpu:.3f} s |",
        f"| validate-20k: the same in-process (load + validate) | {inside:.3f} s | |",
        f"| validate-20k: load (parse) only | {parse_only:.3f} s | |",
        f"| startup: `codelist --help`, fresh process | {startup:.3f} s | {startup_cpu:.3f} s |",
    ]


IMPORT_FILE = DATA / "import-aurum-200k.txt"
SNOMED_FILE = DATA / "import-snomed-200k.csv"


def ensure_snomed_file(rows: int = 200_000) -> Path:
    """An OpenCodelists-shaped ``code,term`` download of ``rows`` SNOMED CT ids."""
    if SNOMED_FILE.is_file():
        return SNOMED_FILE
    from benchmarks.synthetic_rf2 import sctid

    lines = ["code,term"] + [f"{sctid(3_000_000 + i, '00')},Synthetic disorder {i}"
                             for i in range(rows)]
    DATA.mkdir(parents=True, exist_ok=True)
    tmp = SNOMED_FILE.with_suffix(".tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tmp.replace(SNOMED_FILE)
    return SNOMED_FILE


def ensure_import_file(rows: int = 200_000) -> Path:
    """A CPRD Aurum-shaped code list of ``rows`` rows (synthetic ids, valid forms)."""
    if IMPORT_FILE.is_file():
        return IMPORT_FILE
    from benchmarks.synthetic_rf2 import sctid

    lines = ["MedCodeId\tTerm\tOriginalReadCode\tCleansedReadCode\tSnomedCTConceptId\t"
             "SnomedCTDescriptionId"]
    alphabet = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
    for i in range(rows):
        description = sctid(1_000_000 + i, "11") if i % 3 else sctid(5_000_000 + i, "01")
        read = "".join(alphabet[(i // 59 ** k) % 59] for k in range(4))
        lines.append(f"{description}\tSynthetic finding number {i} of the benchmark\t{read}"
                     f"\t{read}.00\t{sctid(2_000_000 + i, '00')}\t{description}")
    DATA.mkdir(parents=True, exist_ok=True)
    tmp = IMPORT_FILE.with_suffix(".tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tmp.replace(IMPORT_FILE)
    return IMPORT_FILE


def _python(code: str) -> None:
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)


def bench_import(repeat: int) -> list[str]:
    import tempfile

    path = ensure_import_file()
    rows = sum(1 for _ in path.open()) - 1
    snomed = ensure_snomed_file()
    with tempfile.TemporaryDirectory() as folder:
        out = str(Path(folder) / "out.codelist")
        ours, ours_cpu = _process(("import", str(path), "-o", out, "--force"), repeat)
        assert Path(out).is_file(), "the import failed"
        out2 = str(Path(folder) / "snomed.codelist")
        sct, sct_cpu = _process(("import", str(snomed), "-o", out2, "--force"), repeat)
        assert Path(out2).is_file(), "the import failed"
    script = ("import pandas as pd; d = pd.read_csv(" + repr(str(path)) + ", sep='\\t', "
              "dtype=str); s = set(d['MedCodeId'].str.strip())")
    peer = _median(lambda: _python(script), repeat)
    return [f"| import-200k: `codelist import` of {rows:,} CPRD Aurum rows, fresh process "
            f"| {ours:.3f} s | {ours_cpu:.3f} s |",
            f"| import-200k SNOMED CT: `codelist import` of a {rows:,}-row `code,term` "
            f"download, fresh process | {sct:.3f} s | {sct_cpu:.3f} s |",
            f"| import-200k peer: `pandas.read_csv` of the same file into a set, fresh "
            f"process | {peer:.3f} s | |"]


def real_files() -> list[Path]:
    base = SHARED / "data" / "codelists"
    files = sorted(base.glob("opensafely-*/codelists/*.csv"))
    return files + sorted(base.glob("caliber-chronological-map/*_care/*.csv"))


def round_trip_all(files: list[Path]) -> int:
    from codelists.codelist.fileformat import dumps, parse
    from codelists.formats import export, import_file
    from codelists.formats.table import to_codelist

    codes = 0
    for path in files:
        imported = import_file(path)
        cl = parse(dumps(to_codelist(imported, today="2026-01-01")))
        export(cl, "opencodelists" if "opensafely" in str(path) else "csv")
        codes += len(cl.active_codes())
    return codes


def bench_real(repeat: int) -> list[str]:
    files = real_files()
    codes = round_trip_all(files)  # warm the imports once
    seconds = _median(lambda: round_trip_all(files), repeat)
    return [f"| real-lists: import + write + read + export of all {len(files)} shared "
            f"codelists ({codes:,} codes) | {seconds:.3f} s | |"]


def main(argv: list[str]) -> str:
    repeat = int(argv[0]) if argv else 5
    before = os.getloadavg()[0]
    rows = bench_validate(repeat) + bench_import(max(3, repeat // 2)) + \
        bench_real(max(3, repeat // 2))
    load = f"Load average (1 min) {before:.1f} before and {os.getloadavg()[0]:.1f} after."
    return "\n".join([
        "## codelist", "",
        "The `.codelist` format, validate, and import/export of real codelists "
        "(`benchmarks/bench_codelist.py`). Targets: validate of 20,000 codes with start-up "
        "under 1 s; a 200,000-row import with start-up under 5 s; all shared real codelists "
        "imported and re-exported under 10 s.", "",
        "Wall time is on a shared 2-core machine; CPU time (user + system of the child "
        "process) is less sensitive to other load. " + load, "",
        "| shape | median wall | median CPU |", "|---|---|---|", *rows, ""])


if __name__ == "__main__":
    print(main(sys.argv[1:]))
