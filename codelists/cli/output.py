"""Everything the CLI writes goes through here (the library never prints)."""

from __future__ import annotations

import sys

from codelists.errors import CodelistsError, UserError

#: ``typing.TYPE_CHECKING`` without importing typing (~2 ms of a fresh process's start)
TYPE_CHECKING = False
if TYPE_CHECKING:  # rich is imported lazily: it dominates the CLI's start-up time
    from typing import Any

    from rich.console import Console


def stdout() -> Console:
    # built per call so tests that swap sys.stdout (capsys) see the output
    from rich.console import Console

    return Console(file=sys.stdout, soft_wrap=True, highlight=False)


def stderr() -> Console:
    from rich.console import Console

    return Console(file=sys.stderr, soft_wrap=True, highlight=False)


def print_json(data: Any) -> None:
    import json

    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def print_text(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def error(exc: CodelistsError) -> None:
    text = exc.render() if isinstance(exc, UserError) else str(exc)
    sys.stderr.write(f"error: {text}\n")


def error_text(text: str) -> None:
    sys.stderr.write(f"error: {text}\n")


def warn(text: str) -> None:
    sys.stderr.write(f"warning: {text}\n")


def add_store_options(parser) -> None:
    """--db and --terminology, shared by every command that reads a store."""
    parser.add_argument("--db", metavar="PATH", help="terminology store to use "
                        "(default: CODELISTS_DB, codelists.toml, then the data directory)")
    parser.add_argument("--terminology", "-t", metavar="SYSTEM",
                        help="coding system whose installed store to use (e.g. snomedct)")
