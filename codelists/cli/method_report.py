"""`codelist report`: the methods report (Markdown, HTML, flow diagram, badge)."""

from __future__ import annotations

from pathlib import Path

from codelists.cli import output
from codelists.cli.method_files import file_argument as _file
from codelists.cli.method_files import load as _load


def register(subparsers) -> None:
    """Add `report` to the `codelist` parser."""
    _report(subparsers)


def _report(subparsers) -> None:
    p = subparsers.add_parser(
        "report", help="write the methods report (Markdown, HTML, flow diagram, badge)",
        description="Write the methods report: definition, sources, exact search syntax, "
                    "counts at every stage, exclusion reasons, Delphi results and agreement, "
                    "flow diagram (SVG and PNG) and quality badge.")
    _file(p)
    p.add_argument("--out", metavar="DIR",
                   help="output folder (default: <name>-report/ beside the file)")
    p.add_argument("--json", action="store_true", help="print the report's numbers as JSON")
    p.set_defaults(func=cmd_report)


def cmd_report(args) -> int:
    from codelists.method import report
    from codelists.terminology.store import tool_version

    codelist = _load(args.file)
    path = Path(args.file)
    folder = Path(args.out) if args.out else path.resolve().parent / f"{path.stem}-report"
    files = report.write_report(codelist, folder, version=tool_version())
    if args.json:
        output.print_json({**report.summary(codelist),
                           "files": {k: str(v) for k, v in files.items()}})
        return 0
    badge = report.assess(codelist)
    output.print_text(f"quality badge: {badge.score}/7 ({badge.level})")
    for path in files.values():
        output.print_text(f"  {path}")
    return 0
