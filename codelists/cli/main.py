"""The ``codelist`` command: a thin shell over the library.

``main(argv) -> int`` is callable from tests.  Each command group lives in its own module
under ``codelists.cli`` exposing ``register(subparsers)``; each command sets ``func`` to a
callable taking the parsed arguments and returning an exit code.  Errors map to exit
codes in one place (:func:`codelists.errors.exit_code_for`).
"""

from __future__ import annotations

import argparse
import importlib
import sys

from codelists.cli import output
from codelists.errors import CodelistsError, exit_code_for

#: command-group modules, in the order their commands appear in --help
GROUPS = [
    "terminology",
    "ecl",
    "codelist_commands",
    "method",
    "frequency",
    "serve",
]


def build_parser() -> argparse.ArgumentParser:
    from codelists.terminology.store import tool_version

    parser = argparse.ArgumentParser(
        prog="codelist",
        description="Build, review, validate and publish clinical codelists.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"codelist {tool_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in GROUPS:
        importlib.import_module(f"codelists.cli.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help (0) or a usage error (2)
        return int(exc.code or 0)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(func(args) or 0)
    except CodelistsError as exc:
        output.error(exc)
        return exit_code_for(exc)
    except KeyboardInterrupt:
        output.error_text("interrupted")
        return 130
    except BrokenPipeError:
        return 0


def run() -> None:
    sys.exit(main())


if __name__ == "__main__":
    run()
