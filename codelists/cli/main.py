"""The ``codelist`` command: a thin shell over the library.

``main(argv) -> int`` is callable from tests.  Errors map to exit codes in one place
(:func:`codelists.errors.exit_code_for`).

Adding a command (the one pattern every command group follows):

1. write ``codelists/cli/<group>.py`` with ``register(subparsers)``, which adds the group's
   top-level command(s) with ``subparsers.add_parser(name, help=...)`` and sets ``func``
   on each (a callable taking the parsed arguments and returning an exit code);
2. list each top-level command it adds in :data:`COMMANDS` below, with the module and the
   same one-line help (tests/functional/test_cli_startup.py checks they agree).

Start-up stays fast because only the module of the command being run is imported:
``codelist --help`` imports none of them (the listing comes from :data:`COMMANDS`), and
``codelist ecl expand ...`` imports ``codelists.cli.ecl`` alone.  Keep a group module's
top level light too: import the library (lark, duckdb, pandas, rich, ...) inside the
functions that use it.  A group module may also define ``quick_forms()``: the plain forms
of its commands that :mod:`codelists.cli.quick_args` reads without building the argparse
parser at all (for commands whose whole run takes milliseconds).
"""

from __future__ import annotations

import sys

#: every top-level command, in --help order: name -> (module under codelists.cli that
#: registers it, its one-line help).  A module's commands are listed together.
COMMANDS: dict[str, tuple[str, str]] = {
    "terminology": ("terminology", "import terminology releases; look codes up; search"),
    "ecl": ("ecl", "expand, check and explain SNOMED CT ECL (2.2) expressions"),
    "new": ("codelist_commands", "scaffold a new .codelist file with every required field"),
    "add": ("codelist_commands", "add codes (terms from the terminology store)"),
    "remove": ("codelist_commands", "move codes to excluded lines (kept for the audit trail)"),
    "validate": ("codelist_commands", "check codelists (CI-ready: exit 1 on errors)"),
    "stats": ("codelist_commands", "counts, tags, hierarchy breakdown and release age"),
    "diff": ("codelist_commands",
             "compare two codelists (added, removed, excluded, term changed)"),
    "include": ("codelist_commands", "add (or --remove) includes: references"),
    "resolve": ("codelist_commands", "flatten includes into a standalone codelist"),
    "lint": ("codelist_commands", "find risky codes: negation, history, screening, scope, ..."),
    "import": ("codelist_commands", "make a .codelist from a foreign file"),
    "export": ("codelist_commands", "write a codelist in another format"),
    "lock": ("codelist_commands",
             "write a manifest of content hashes (OpenSAFELY codelists.json)"),
    "check": ("codelist_commands", "exit 1 when a locked file drifted (for CI)"),
    "pull": ("pull", "download the codelists of codelists.txt (OpenCodelists or our site)"),
    "definition": ("upgrade", "show a codelist's definition, or infer one"),
    "update": ("upgrade", "move a codelist to another terminology release"),
    "upgrade-report": ("upgrade", "what a release does to every codelist of a study"),
    "convert": ("convert",
                "convert a codelist to another coding system through the installed maps"),
    "define": ("method", "record the a priori definition of the clinical feature (stage 1)"),
    "search": ("method", "replay or export the recorded search strategy"),
    "screen": ("method_screen", "exclude clearly inappropriate candidates with a reason"),
    "review": ("method_review", "the Delphi review: sheets, rounds, consensus"),
    "report": ("method_report", "write the methods report (Markdown, HTML, flow diagram, badge)"),
    "suggest": ("suggest", "propose codes the search missed (hierarchy, terminology, "
                "meaning, patient data)"),
    "frequency": ("frequency", "code usage in patient data (or national counts) with a "
                  "sensitivity analysis and disclosure control"),
    "serve": ("serve", "run the online codelist repository (web app)"),
}

DESCRIPTION = "Build, review, validate and publish clinical codelists."


def _version_action(argparse):
    class Version(argparse.Action):
        """``--version``: reads the installed version only when asked."""

        def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS,
                     help="show program's version number and exit"):
            super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

        def __call__(self, parser, namespace, values, option_string=None):
            from codelists.terminology.store import tool_version

            sys.stdout.write(f"codelist {tool_version()}\n")
            parser.exit()

    return Version


def _command_of(argv: list[str]) -> str | None:
    """The top-level command named in ``argv`` (the first word not an option)."""
    for word in argv:
        if word == "--":
            return None
        if not word.startswith("-"):
            return word if word in COMMANDS else None
    return None


def build_parser(command: str | None = None, *, full: bool = True):
    """The ``codelist`` parser (an ``argparse.ArgumentParser``).  ``full`` registers every
    group (the reference docs and tests use it); otherwise only the group of ``command``
    is imported and the other commands are placeholders carrying their one-line help."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="codelist", description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action=_version_action(argparse))
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    wanted = COMMANDS[command][0] if command in COMMANDS else None
    done: set[str] = set()
    for name, (module, help_) in COMMANDS.items():
        if module in done:
            continue
        if full or module == wanted:
            group_module(module).register(sub)
            done.add(module)
        else:
            sub.add_parser(name, help=help_, add_help=False)
    return parser


def group_module(name: str):
    """The module ``codelists.cli.<name>`` (imported with ``__import__``: the importlib
    package would cost every command ~0.4 ms)."""
    qualified = f"codelists.cli.{name}"
    __import__(qualified)
    return sys.modules[qualified]


def read_quickly(argv: list[str], command: str | None):
    """The arguments of a plain command line of a group with ``quick_forms()`` (see
    :mod:`codelists.cli.quick_args`), or None: argparse reads it."""
    if command is None:
        return None
    module = group_module(COMMANDS[command][0])
    forms = getattr(module, "quick_forms", None)
    if forms is None:
        return None
    from codelists.cli.quick_args import read

    return read(argv, forms())


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    command = _command_of(argv)
    args = read_quickly(argv, command)
    if args is None:
        parser = build_parser(command, full=False)
        try:
            args = parser.parse_args(argv)
        except SystemExit as exc:  # argparse: --help (0) or a usage error (2)
            return int(exc.code or 0)
        if getattr(args, "func", None) is None:
            parser.print_help(sys.stderr)
            return 2
    func = args.func
    from codelists.errors import CodelistsError, exit_code_for

    try:
        return int(func(args) or 0)
    except CodelistsError as exc:
        from codelists.cli import output

        output.error(exc)
        return exit_code_for(exc)
    except KeyboardInterrupt:
        sys.stderr.write("error: interrupted\n")
        return 130
    except BrokenPipeError:
        return 0


def run() -> None:
    sys.exit(main())


if __name__ == "__main__":
    run()
