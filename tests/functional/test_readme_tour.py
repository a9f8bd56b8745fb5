"""The README's five-minute tour runs as written (its ```sh blocks, in an empty folder)."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.mark.slow
def test_readme_tour_runs_as_written(tmp_path):
    text = README.read_text(encoding="utf-8")
    tour = text[text.index("## A five-minute tour"):]
    blocks = re.findall(r"```sh\n(.*?)```", tour, re.S)
    assert blocks, "the tour has no ```sh block"
    env = dict(os.environ, CODELISTS_DATA_DIR=str(tmp_path / "data"),
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    env.pop("CODELISTS_DB", None)
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", "\n".join(blocks)], cwd=tmp_path,
                          env=env, text=True, capture_output=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "R06.02\tShortness of breath" in done.stdout
    assert '"code": "R06.02"' in (tmp_path / "R06.02.json").read_text()
    assert (tmp_path / "codelists" / "codelists.json").is_file()
    assert '"resourceType": "ValueSet"' in (tmp_path / "breathlessness.json").read_text()
