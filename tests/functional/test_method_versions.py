"""`version` moves when the code lines change, not when method metadata is recorded (#19)."""

from codelists.cli.main import main
from codelists.codelist.fileformat import load


def version(path) -> int:
    return load(path).meta["version"]


def test_a_working_session_bumps_version_only_for_code_changes(sob_dir, capsys):
    path = str(sob_dir / "sob.codelist")
    start = version(path)
    assert main(["define", path, "--feature", "Shortness of breath", "--box1-sources"]) == 0
    assert version(path) == start  # metadata only
    assert main(["search", "run", path, "--dictionary", str(sob_dir / "dictionary.csv")]) == 0
    assert version(path) == start + 1  # pending lines added
    assert main(["search", "run", path, "--dictionary", str(sob_dir / "dictionary.csv")]) == 0
    assert version(path) == start + 1  # a replay that adds nothing records the run only
    assert main(["screen", path, "201", "--reason", "different-condition",
                 "--note", "apnoea"]) == 0
    assert version(path) == start + 2  # a pending line became excluded
    assert main(["review", "export", path, "--reviewers", "GP1", "GP2", "--format", "csv",
                 "--out", str(sob_dir / "review")]) == 0
    assert version(path) == start + 2  # opening a round changes no code line
    assert main(["screen", path, "--counts"]) == 0
    assert version(path) == start + 2
