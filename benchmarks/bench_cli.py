"""The command line as users run it: whole-process ``codelist ecl expand`` beside sct-py.

    .venv/bin/python -m benchmarks cli
    .venv/bin/python -m benchmarks.bench_cli --runs 21

Each run is a fresh process, output to /dev/null: ``codelist ecl expand EXPR --db STORE``
(the console script, ids one per line, ascending) against a Python script calling sct-py
in its best configuration (``Snomed(db).expand(EXPR)`` over the same release with its
closure table, ``benchmarks/sct_peer.py``; ids printed one per line), alternating, on the
shapes of ``benchmarks/bench_ecl.py`` (concepts chosen from the store the same way).  Wall
and CPU medians (CPU: user + system of the child process); the machine is shared, so the
load average is recorded and CPU is the steadier figure.  Both outputs are compared once
per shape.  The project's modules are compiled first, as an installed wheel or ``make
setup`` leaves them (``PYTHONDONTWRITEBYTECODE``, set on some machines, would otherwise
make every run compile what changed since the last ``.pyc``).
"""

from __future__ import annotations

import argparse
import compileall
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.bench_ecl import (
    FINDING,
    FINDING_SITE,
    MORPHOLOGY,
    choose_concepts,
    commit,
    ensure_store,
    load,
)

SCT_SCRIPT = ("import sys, sct_py\n"
              "ids = sct_py.Snomed(sys.argv[1]).expand(sys.argv[2])\n"
              "sys.stdout.write('\\n'.join(ids) + '\\n')\n")


def shapes(c: dict[str, int]) -> list[tuple[str, str]]:
    return [
        ("<< largest subtree", f"<< {c['largest']}"),
        ("<< ~1k", f"<< {c['1k']}"),
        ("<! ~200 children", f"<! {c['parent~200']}"),
        ("^ refset", f"^ {c['refset']}"),
        ("<<A MINUS <<B", f"<< {c['largest']} MINUS << {c['inside']}"),
        ("(<<A OR <<B) AND ^R", f"(<< {c['largest']} OR << {c['100k']}) AND ^ {c['refset']}"),
        ("attribute refinement", f"< {FINDING} : {FINDING_SITE} = << {c['body']}"),
        ("grouped refinement (the grammar: lark)",
         f"< {FINDING} : [1..2] {{ {FINDING_SITE} = << {c['body']}, {MORPHOLOGY} = * }}"),
    ]


def run(argv: list[str], env: dict | None = None) -> tuple[float, float]:
    """(wall s, CPU s) of one fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _output(argv: list[str], env: dict | None = None) -> list[str] | None:
    done = subprocess.run(argv, capture_output=True, text=True, env=env)
    return sorted(done.stdout.split()) if done.returncode == 0 else None


def _compare(ours: list[str], sct: list[str] | None, runs: int,
             env: dict | None = None) -> tuple[str, str]:
    """One shape's table cells: the timings and whether the outputs agree (``env``: the
    environment of our command)."""
    run(ours, env)  # warm the page cache
    if sct is None:
        times = [run(ours, env) for _ in range(runs)]
        return (f"(sct-py refuses) | {statistics.median(t[0] for t in times):.3f} s | | "
                f"{statistics.median(t[1] for t in times):.3f} s", "")
    run(sct)
    times: dict[str, list[tuple[float, float]]] = {"sct": [], "ours": []}
    for r in range(runs):
        order = (("sct", sct), ("ours", ours)) if r % 2 == 0 else (("ours", ours), ("sct", sct))
        for key, argv in order:
            times[key].append(run(argv, env if key == "ours" else None))
    wall = {k: statistics.median(t[0] for t in v) for k, v in times.items()}
    cpu = {k: statistics.median(t[1] for t in v) for k, v in times.items()}
    agree = "yes" if _output(ours, env) == _output(sct) else "**no**"
    return (f"{wall['sct']:.3f} s | {wall['ours']:.3f} s | {wall['ours'] / wall['sct']:.2f}x | "
            f"{cpu['sct']:.3f} s / {cpu['ours']:.3f} s ({cpu['ours'] / cpu['sct']:.2f}x)", agree)


def _imports(store: Path, expression: str) -> int:
    """How many modules ``codelist ecl expand`` has loaded when it is done (what the
    console script runs: ``codelists.cli.main.main``)."""
    code = ("import sys\nfrom codelists.cli.main import main\nmain(sys.argv[1:])\n"
            "sys.stderr.write(str(len(sys.modules)))\n")
    done = subprocess.run([sys.executable, "-c", code, "ecl", "expand", expression,
                           "--db", str(store)], capture_output=True, text=True, check=True)
    return int(done.stderr.strip().splitlines()[-1])


def main(argv: list[str]) -> str:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15, help="fresh processes per shape")
    args = parser.parse_args(argv)
    import sqlite3

    from benchmarks.sct_peer import ensure_sct_db

    compileall.compile_dir(Path(__file__).resolve().parents[1] / "codelists", quiet=1)
    store = ensure_store("370k")
    sct_db = ensure_sct_db(store)
    conn = sqlite3.connect(store)
    concepts = choose_concepts(conn)
    conn.close()
    codelist = str(Path(sys.executable).with_name("codelist"))
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    lines = ["## The command line (whole process) side by side with an sct-py script", "",
             f"Measured {started}, commit {commit()}, 370k-concept synthetic release, on the "
             f"shared 2-core machine (load average at the start: {load()}; other engineers' "
             "work was running: wall times vary with it, CPU times much less). A fresh "
             f"process per run, {args.runs} runs each, alternating: `codelist ecl expand "
             "EXPR --db STORE` against `python -c` running a script that calls sct-py with "
             "its closure table (`Snomed(db).expand(EXPR)`) and prints the ids; output to "
             "/dev/null; medians. CPU is user + system time of the process. *agree*: both "
             "printed the same ids.", "",
             "| shape | expression | sct-py script | `codelist ecl expand` | ratio (wall) | "
             "CPU sct-py / ours (ratio) | agree |", "|---|---|---:|---:|---:|---:|---|"]
    for name, expression in shapes(concepts):
        ours = [codelist, "ecl", "expand", expression, "--db", str(store)]
        sct = [sys.executable, "-c", SCT_SCRIPT, str(sct_db), expression]
        refused = subprocess.run(sct, capture_output=True).returncode != 0
        cells, agree = _compare(ours, None if refused else sct, args.runs)
        lines.append(f"| {name} | `{expression}` | {cells} | {agree} |")
    # the store named the way most users name it: CODELISTS_DB (or codelists.toml)
    expression = f"<! {concepts['parent~200']}"
    cells, agree = _compare([codelist, "ecl", "expand", expression],
                            [sys.executable, "-c", SCT_SCRIPT, str(sct_db), expression],
                            args.runs, env=dict(os.environ, CODELISTS_DB=str(store)))
    lines.append(f"| <! ~200 children, store from `CODELISTS_DB` (no `--db`) | "
                 f"`{expression}` | {cells} | {agree} |")
    lines += ["", f"Load average at the end: {load()}.", ""]
    for label, command in (("`codelist --help`", [codelist, "--help"]),
                           ("`python -c pass` (the interpreter alone, for scale)",
                            [sys.executable, "-c", "pass"]),
                           ("`python -c 'import sct_py'`", [sys.executable, "-c",
                                                             "import sct_py"])):
        times = [run(command) for _ in range(args.runs)]
        lines.append(f"- {label}: {statistics.median(t[0] for t in times):.3f} s wall, "
                     f"{statistics.median(t[1] for t in times):.3f} s CPU.")
    simple = _imports(store, f"<< {concepts['largest']}")
    bare = int(subprocess.run([sys.executable, "-c", "import sys; print(len(sys.modules))"],
                              capture_output=True, text=True, check=True).stdout)
    lines += [f"- Modules loaded by `codelist ecl expand '<< {concepts['largest']}'`: {simple} "
              f"(the interpreter alone: {bare}): no argparse, lark, re, json, pathlib, "
              "dataclasses or typing (tests/functional/test_cli_startup.py).", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.stdout.write(main(sys.argv[1:]))
