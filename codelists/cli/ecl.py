"""`codelist ecl ...`: expand, check and explain SNOMED CT ECL expressions.

Each command is one library call (codelists.ecl.evaluate / check / explain); this module
only reads arguments and writes output.
"""

from __future__ import annotations

import sys

from codelists.cli import output
from codelists.errors import ECLSyntaxError, StoreNotFoundError

HELP = "expand, check and explain SNOMED CT ECL (2.2) expressions"


def register(subparsers) -> None:
    """Add `codelist ecl` and its commands."""
    import argparse

    parser = subparsers.add_parser(
        "ecl", help=HELP, description=HELP[0].upper() + HELP[1:] + ".",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Examples:\n  codelist ecl expand '<< 73211009 |Diabetes mellitus|' --terms\n"
        "  echo '< 404684003 : 363698007 = << 39057004' | codelist ecl expand -\n"
        "  codelist ecl check '<< 73211009 OR << 46635009 AND << 1'\n"
        "See docs/reference/ecl-conformance.md for the features supported.",
    )
    sub = parser.add_subparsers(dest="ecl_command", metavar="COMMAND")
    parser.set_defaults(func=lambda args: _usage(parser))

    p = sub.add_parser("expand", help="the concepts an expression matches",
                       description="Evaluate EXPR over a SNOMED CT store and print the "
                       "matching concept ids (sorted), one per line.  An expression selecting "
                       "refset fields that are not one field of component ids "
                       "(`^ [referencedComponentId, mapTarget] 447562003`) prints the distinct "
                       "rows of those fields instead, with a header line.")
    _expression_argument(p)
    p.add_argument("--terms", action="store_true", help="print each id with its preferred term")
    form = p.add_mutually_exclusive_group()
    form.add_argument("--json", action="store_true", help="write JSON (ids, terms, warnings)")
    form.add_argument("--csv", action="store_true", help="write CSV with columns id,term")
    output.add_store_options(p)
    p.set_defaults(func=run_expand)

    p = sub.add_parser("check", help="parse an expression and report problems",
                       description="Parse EXPR, print its canonical form and report problems: "
                       "syntax errors (with line, column and what was expected) and, when a "
                       "store is available, unknown concept ids and display terms that are not "
                       "a description of their concept.  Exit code 1 when problems are found.")
    _expression_argument(p)
    p.add_argument("--json", action="store_true", help="write JSON instead of text")
    output.add_store_options(p)
    p.set_defaults(func=run_check)

    p = sub.add_parser("explain", help="the evaluation plan with the count of each step",
                       description="Compile EXPR and print each step of the plan (one per "
                       "sub-expression) with the number of concepts it yields.")
    _expression_argument(p)
    p.add_argument("--sql", action="store_true", help="also print the SQL of each step")
    p.add_argument("--json", action="store_true", help="write JSON instead of text")
    output.add_store_options(p)
    p.set_defaults(func=run_explain)


def _usage(parser) -> int:
    parser.print_help()
    return 2


def _expression_argument(p) -> None:
    p.add_argument("expression", metavar="EXPR",
                   help="the ECL expression (quote it for the shell); '-' reads it from stdin")


def _read_expression(args) -> str:
    return sys.stdin.read() if args.expression == "-" else args.expression


def _open_store(args, *, required: bool = True):
    from codelists.terminology.locate import locate_store_text  # (no pathlib: start-up)
    from codelists.terminology.store import Store

    try:
        path = locate_store_text(args.db, terminology=args.terminology or "snomedct")
    except StoreNotFoundError:
        if required:
            raise
        return None
    return Store.open(path, terminology="snomedct")


def _warn_all(warnings) -> None:
    for text in warnings:
        output.warn(text)


def run_expand(args) -> int:
    from codelists.ecl import evaluate
    from codelists.ecl.evaluate import preferred_terms

    expression = _read_expression(args)
    with _open_store(args) as store:
        result = evaluate(expression, store, rows=True)
        if result.columns:
            return _print_rows(result, args)
        if not (args.terms or args.json or args.csv):  # ids only: strings straight out
            _warn_all(result.warnings)
            codes = result.codes()
            if codes:
                output.print_text("\n".join(codes))
            return 0
        ids = list(result)  # ascending
        terms = preferred_terms(ids, store)
    if args.json:
        output.print_json({
            "expression": expression.strip(), "count": len(ids),
            "concepts": [{"id": str(i), "term": terms.get(i, "")} for i in ids],
            "warnings": list(result.warnings),
            "unknown": [str(i) for i in result.unknown],
        })
        return 0
    _warn_all(result.warnings)
    if args.csv:
        import csv

        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(["id", "term"])
        for i in ids:
            writer.writerow([i, _safe_cell(terms.get(i, ""))])
        return 0
    lines = [f"{i}\t{terms.get(i, '')}" if args.terms else str(i) for i in ids]
    if lines:
        output.print_text("\n".join(lines))
    return 0


def _print_rows(result, args) -> int:
    """``^ [fields] ...``: the distinct values of the selected member fields, a row each."""
    _warn_all(result.warnings)
    rows = sorted(result.rows, key=lambda r: tuple(str(v) for v in r))
    if args.json:
        output.print_json({"columns": list(result.columns),
                           "rows": [[None if v is None else str(v) for v in r] for r in rows],
                           "warnings": list(result.warnings)})
        return 0
    if args.csv:
        import csv

        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(result.columns)
        writer.writerows([_safe_cell("" if v is None else str(v)) for v in r] for r in rows)
        return 0
    lines = ["\t".join(result.columns)]
    lines += ["\t".join("" if v is None else str(v) for v in r) for r in rows]
    output.print_text("\n".join(lines))
    return 0


def _safe_cell(text: str) -> str:
    """Neutralise a cell a spreadsheet would run as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def run_check(args) -> int:
    from codelists.ecl import check

    expression = _read_expression(args)
    store = _open_store(args, required=False)
    try:
        canonical, warnings = check(expression, store)
    except ECLSyntaxError as exc:
        if args.json:
            output.print_json({"valid": False, "error": exc.message, "line": exc.line,
                               "column": exc.column, "text": exc.text,
                               "expected": exc.expected})
        else:
            output.error(exc)
        return 1
    finally:
        if store is not None:
            store.close()
    if args.json:
        output.print_json({"valid": True, "canonical": canonical, "warnings": warnings})
    else:
        _warn_all(warnings)
        output.print_text(canonical)
    return 1 if warnings else 0


def run_explain(args) -> int:
    from codelists.ecl import explain

    expression = _read_expression(args)
    with _open_store(args) as store:
        steps = explain(expression, store)
    if args.json:
        output.print_json([{"step": s.name, "expression": s.label, "count": s.count,
                            **({"sql": s.sql} if args.sql else {})} for s in steps])
        return 0
    width = max(len(f"{s.count:,}") for s in steps)
    for s in steps:
        output.print_text(f"{s.name:>4}  {s.count:>{width},}  {s.label or '(intermediate)'}")
        if args.sql:
            output.print_text(f"      {s.sql}")
    return 0


def quick_forms() -> list:
    """The plain forms of `codelist ecl ...` that main() reads without building the
    argparse parser (codelists.cli.quick_args); they must match ``register``."""
    from codelists.cli.quick_args import Form

    store = {"--db": "db", "--terminology": "terminology", "-t": "terminology"}

    def form(name, func, flags, exclusive=()):
        return Form(("ecl", name), {"command": "ecl", "ecl_command": name}, func,
                    "expression", options=store, flags=flags, exclusive=exclusive)

    return [form("expand", run_expand, {"--terms": "terms", "--json": "json", "--csv": "csv"},
                 exclusive=("json", "csv")),
            form("check", run_check, {"--json": "json"}),
            form("explain", run_explain, {"--sql": "sql", "--json": "json"})]
