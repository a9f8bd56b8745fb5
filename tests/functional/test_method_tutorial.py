"""The shortness-of-breath tutorial runs as written and prints what it shows.

Every ```sh block of docs/tutorials/method-shortness-of-breath.md runs in order in one
bash session in an empty folder; each line of the ```text block that follows a command
block must appear in that block's output (lines with paths or timings excepted).
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from codelists.codelist.fileformat import load
from tests.docs_blocks import MARK, blocks

TUTORIAL = Path(__file__).resolve().parents[2] / "docs" / "tutorials" / \
    "method-shortness-of-breath.md"


@pytest.mark.slow
def test_tutorial_runs_as_written(tmp_path):
    steps = blocks(TUTORIAL.read_text())
    script = "set -e\n" + "\n".join(f"echo '{MARK.format(i)}'\n{cmd}"
                                    for i, (cmd, _) in enumerate(steps))
    env = dict(os.environ, CODELISTS_DATA_DIR=str(tmp_path / "data"),
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    env.pop("CODELISTS_DB", None)
    done = subprocess.run(["bash", "-c", script], cwd=tmp_path, env=env, text=True,
                          capture_output=True, timeout=600)
    assert done.returncode == 0, done.stderr
    outputs = re.split(r"### tutorial block \d+ ###\n", done.stdout)[1:]
    assert len(outputs) == len(steps)
    for (command, expected), output in zip(steps, outputs, strict=True):
        for line in expected or []:
            if "/..." in line or "~/" in line or line.startswith("Imported "):
                continue
            assert line in output.splitlines(), f"{line!r} missing after:\n{command}"
    codelist = load(tmp_path / "sob.codelist")
    assert len(codelist.active_codes()) == 6
    assert codelist.line_for("J95.87").tags["uncertainty"] == "1"
    assert (tmp_path / "sob-report" / "report.html").is_file()
