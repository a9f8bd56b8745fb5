"""What the method commands print is for people: no Python reprs, agreement explained."""

import re

from codelists.cli.main import main
from tests.functional.test_method_cli import develop

REPR = re.compile(r"[\[{]'|'[\]}]|\{'|': |None\b|True\b|False\b|<[a-z_.]+ object")


def printed(capsys, *argv) -> str:
    capsys.readouterr()
    assert main(list(argv)) == 0
    return capsys.readouterr().out


def test_method_commands_print_no_python_reprs(sob_dir, capsys, fill_sheet):
    path = develop(sob_dir, capsys, fill_sheet)
    outputs = {
        "agreement": printed(capsys, "review", "agreement", path),
        "consensus": printed(capsys, "review", "consensus", path),
        "screen": printed(capsys, "screen", path, "--counts"),
        "search": printed(capsys, "search", "run", path, "--dictionary",
                          str(sob_dir / "dictionary.csv"), "--why", "--dry-run"),
        "define": printed(capsys, "define", path, "--feature", "Shortness of breath"),
        "report": printed(capsys, "report", path, "--out", str(sob_dir / "report")),
    }
    for name, text in outputs.items():
        assert text.strip(), name
        found = REPR.search(text)
        assert found is None, f"{name} prints a Python repr: {found.group(0)!r} in {text}"
    agreement = outputs["agreement"]
    assert "raw agreement         89.8%" in agreement
    assert re.search(r"PABAK\s+0\.847 \(almost perfect", agreement)
    assert "kappa paradox" in agreement
    assert "included codes by uncertainty level (0: 44, 1: 3, 2: 2)" in outputs["consensus"]
