"""Tutorials run as written in an empty folder with only the installed package (#19).

Every ```sh block of a tutorial runs in order in one bash session in an empty folder (its
own data directory, no CODELISTS_DB, no ../shared); each line of a ```text block that
follows a command block must appear in that block's output.  The shortness-of-breath
tutorial and the README tour have their own tests (test_method_tutorial.py,
test_readme_tour.py), which run the same way.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.docs_blocks import MARK, blocks

DOCS = Path(__file__).resolve().parents[2] / "docs" / "tutorials"
TUTORIALS = ["codelist-first-codelist.md", "frequency-first-check.md",
             "terminology-first-steps.md"]


@pytest.mark.slow
@pytest.mark.parametrize("name", TUTORIALS)
def test_tutorial_runs_as_written_in_an_empty_folder(name, tmp_path):
    text = (DOCS / name).read_text(encoding="utf-8")
    steps = blocks(text)
    assert steps, f"{name} has no ```sh block"
    assert not [cmd for cmd, _ in steps if "../shared" in cmd or "tests/data" in cmd]
    script = "set -euo pipefail\n" + "\n".join(f"echo '{MARK.format(i)}'\n{cmd}"
                                               for i, (cmd, _) in enumerate(steps))
    env = dict(os.environ, CODELISTS_DATA_DIR=str(tmp_path / "data"),
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    for name_ in ("CODELISTS_DB", "CODELISTS_SHARED", "CODELISTS_REGISTRY"):
        env.pop(name_, None)
    work = tmp_path / "empty"
    work.mkdir()
    done = subprocess.run(["bash", "-c", script], cwd=work, env=env, text=True,
                          capture_output=True, timeout=600)
    assert done.returncode == 0, done.stderr
    outputs = re.split(r"### tutorial block \d+ ###\n", done.stdout)[1:]
    assert len(outputs) == len(steps)
    for (command, expected), output in zip(steps, outputs, strict=True):
        for line in expected or []:
            assert line in output.splitlines(), f"{line!r} missing after:\n{command}\n{output}"
