"""Generate docs/reference/cli.md from the `codelist` parser's --help texts.

Run with `make docs`.  tests/functional/test_cli_reference.py fails when the committed
page is out of date, so the reference never drifts from the code.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from codelists.cli.main import build_parser  # noqa: E402

TARGET = ROOT / "docs" / "reference" / "cli.md"


def _subcommands(parser: argparse.ArgumentParser):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            yield from action.choices.items()


def _walk(parser: argparse.ArgumentParser, path: list[str], out: list[str]) -> None:
    level = min(len(path) + 1, 6)
    out.append(f"{'#' * level} `{' '.join(path)}`\n")
    parser.formatter_class = lambda prog: argparse.HelpFormatter(prog, width=90)
    out.append("```text\n" + parser.format_help().rstrip() + "\n```\n")
    for name, sub in _subcommands(parser):
        _walk(sub, [*path, name], out)


def render() -> str:
    parser = build_parser()
    parser.prog = "codelist"
    out = [
        "# Command-line reference\n",
        "Generated from `codelist --help` by `make docs` (scripts/gen_cli_reference.py); "
        "do not edit by hand.\n",
        "Exit codes: 0 ok; 1 problems found (validate, lint, check); 2 usage; "
        "3 and above typed errors (see `codelists/errors.py`).\n",
    ]
    _walk(parser, ["codelist"], out)
    return "\n".join(out)


def main(argv: list[str]) -> int:
    cli = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    cli.add_argument("--check", action="store_true",
                     help="only check: exit 1 when the committed page is stale")
    args = cli.parse_args(argv)
    text = render()
    if args.check:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        return 0 if current == text else 1
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    TARGET.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
