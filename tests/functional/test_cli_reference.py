"""The generated CLI reference matches the parser (run `make docs` after changing --help)."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _generator():
    spec = importlib.util.spec_from_file_location(
        "gen_cli_reference", ROOT / "scripts" / "gen_cli_reference.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cli_reference_is_up_to_date():
    expected = _generator().render()
    committed = (ROOT / "docs" / "reference" / "cli.md").read_text(encoding="utf-8")
    assert committed == expected, "docs/reference/cli.md is stale: run `make docs`"


def test_every_command_has_help_text():
    import argparse

    from codelists.cli.main import build_parser

    def walk(parser, path):
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                helps = {a.dest: a.help for a in action._choices_actions}
                for name, sub in action.choices.items():
                    assert helps.get(name), f"`{' '.join([*path, name])}` has no help text"
                    walk(sub, [*path, name])

    walk(build_parser(), ["codelist"])


def test_main_returns_usage_code_without_a_command(capsys):
    from codelists.cli.main import main

    assert main([]) == 2
    assert main(["--help"]) == 0
    assert "usage: codelist" in capsys.readouterr().out
