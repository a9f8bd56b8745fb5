"""`codelist define|search`: the development method of Watson et al. 2017 (screen, review
and report live in method_screen.py, method_review.py and method_report.py).

Each command is one library call in :mod:`codelists.method`; results go to stdout (or
``--json``), and the codelist file is saved atomically when a command changes it.
"""

from __future__ import annotations

from pathlib import Path

from codelists.cli import output
from codelists.cli.method_files import file_argument as _file
from codelists.cli.method_files import load as _load
from codelists.cli.method_files import save as _save


def register(subparsers) -> None:
    """Add this group's commands to the `codelist` parser."""
    _define(subparsers)
    _search(subparsers)

# --- define -------------------------------------------------------------------------


def _define(subparsers) -> None:
    p = subparsers.add_parser(
        "define", help="record the a priori definition of the clinical feature (stage 1)",
        description="Record the clinical feature's definition in method.definition: "
                    "name, description, inclusion and exclusion criteria, sources consulted, "
                    "and whether the list is sensitivity- or specificity-driven.")
    _file(p)
    p.add_argument("--feature", help="the clinical feature, e.g. 'Shortness of breath'")
    p.add_argument("--description", help="the definition in a sentence or two")
    p.add_argument("--include", action="append", default=[], metavar="TEXT",
                   help="an inclusion criterion (repeatable)")
    p.add_argument("--exclude", action="append", default=[], metavar="TEXT",
                   help="an exclusion criterion (repeatable)")
    p.add_argument("--source", action="append", default=[], metavar="NAME[|CITATION[|URL]]",
                   help="a source consulted (repeatable)")
    p.add_argument("--box1-sources", action="store_true",
                   help="add the sources of Watson et al. Box 1 (ICPC R02, BMJ Best Practice, "
                        "NICE CKS, ICD-10 R06, MeSH, patient forums, GP colleagues)")
    p.add_argument("--driven", choices=["sensitivity", "specificity"],
                   help="sensitivity-driven (default) or specificity-driven list")
    p.add_argument("--json", action="store_true", help="print the definition as JSON")
    p.set_defaults(func=cmd_define)


def cmd_define(args) -> int:
    from codelists.errors import UsageError
    from codelists.method import block
    from codelists.method.definition import BOX1_SOURCES, Definition, Source

    codelist = _load(args.file)
    old = block.definition(codelist)
    data = old.as_dict() if old else {}
    for key in ("feature", "description", "driven"):
        if getattr(args, key):
            data[key] = getattr(args, key)
    data["inclusion"] = [*data.get("inclusion", []), *args.include]
    data["exclusion"] = [*data.get("exclusion", []), *args.exclude]
    sources = [Source.from_data(s) for s in data.get("sources", [])]
    for text in args.source:
        parts = [*text.split("|"), "", ""]
        sources.append(Source(parts[0].strip(), parts[1].strip(), parts[2].strip()))
    if args.box1_sources:
        sources += [s for s in BOX1_SOURCES if s not in sources]
    data["sources"] = [s.as_dict() for s in sources]
    if not data.get("feature"):
        raise UsageError("the definition needs --feature", hint="e.g. --feature 'Shortness of "
                         "breath'")
    definition = Definition.from_dict(data)
    block.set_definition(codelist, definition)
    _save(codelist)
    if args.json:
        output.print_json(definition.as_dict())
    else:
        output.print_text(f"{args.file}: definition of '{definition.feature}' recorded "
                          f"({len(definition.sources)} sources)")
    return 0


# --- search -------------------------------------------------------------------------


def _search(subparsers) -> None:
    p = subparsers.add_parser("search", help="replay or export the recorded search strategy",
                              description="The search strategy (stage 2) recorded in "
                                          "method.search.")
    sub = p.add_subparsers(dest="search_command", metavar="COMMAND", required=True)
    run = sub.add_parser(
        "run", help="replay the search; add new candidates as pending lines",
        description="Replay method.search over every description of a terminology store "
                    "(or a CSV dictionary) exactly; add each new candidate as a pending line "
                    "tagged source=search:<rules>; report candidates that are new or that "
                    "vanished since the last run; record the run in method.search.last_run.")
    _file(run)
    output.add_store_options(run)
    run.add_argument("--also-db", action="append", metavar="PATH",
                     help="search this store too (repeatable), e.g. an extension's store")
    run.add_argument("--dictionary", action="append", metavar="CSV",
                     help="search a CSV/TSV dictionary (columns code and term/desc) instead "
                          "of a terminology store (repeatable)")
    run.add_argument("--spelling", choices=["on", "off"],
                     help="on: every search term also matches the other British/American "
                          "spellings of its words (oedema/edema, haem/hem); recorded in "
                          "method.search as spelling: true, so later replays match the same")
    run.add_argument("--dry-run", action="store_true", help="report, change nothing")
    run.add_argument("--why", action="store_true",
                     help="list which rule matched which description for every candidate")
    run.add_argument("--json", action="store_true", help="print the result as JSON")
    run.set_defaults(func=cmd_search_run)
    imp = sub.add_parser(
        "import-stata", help="set the search strategy from Box 2 style Stata lines",
        description="Read `gen|replace VAR = 1 if regexm(desc, \"...\") & ...` lines (rules) "
                    "and `drop if regexm(...)` / `replace VAR = 0 if ...` lines (whole-"
                    "description exclusions) from a do-file and record them verbatim as "
                    "method.search; they match exactly what Stata's regexm() matches.")
    _file(imp)
    imp.add_argument("dofile", metavar="DOFILE", help="the Stata do-file ('-' for stdin)")
    imp.set_defaults(func=cmd_search_import_stata)
    syn = sub.add_parser("syntax", help="print the search as Stata or R code",
                         description="Print the recorded search strategy as Stata (regexm / "
                                     "ustrregexm) or R (grepl) code, Box 2 style.")
    _file(syn)
    syn.add_argument("--lang", choices=["stata", "r"], default="stata",
                     help="the language (default: stata)")
    syn.set_defaults(func=cmd_search_syntax)


def _descriptions(args, codelist):
    """(stream, terminology or None, release dict, terminologies to close)."""
    from itertools import chain

    from codelists.method.replay import read_dictionary, store_release
    from codelists.terminology.locate import locate_store
    from codelists.terminology.registry import open_terminology

    streams, releases = [], []
    for name in args.dictionary or []:
        streams.append(read_dictionary(name))
        releases.append({"dictionary": Path(name).name})
    opened = []
    if not args.dictionary or args.db or args.also_db:
        system = args.terminology or codelist.meta.get("terminology")
        paths = [locate_store(args.db, terminology=system), *map(Path, args.also_db or [])]
        for path in paths:
            opened.append(open_terminology(path))
            streams.append(opened[-1].iter_descriptions(include_inactive=True))
            releases.append(store_release(path))
    release = dict(releases[0])
    if len(releases) > 1:
        release["also"] = releases[1:]
    return chain.from_iterable(streams), (opened[0] if opened else None), release, opened


def cmd_search_run(args) -> int:
    from codelists.method.replay import replay

    codelist = _load(args.file)
    if args.spelling:
        from dataclasses import replace

        from codelists.method import block

        block.set_strategy(codelist, replace(block.strategy(codelist),
                                             spelling=args.spelling == "on"))
    stream, terminology, release, opened = _descriptions(args, codelist)
    try:
        outcome = replay(codelist, stream, terminology=terminology, release=release,
                         dry_run=args.dry_run)
    finally:
        for item in opened:
            item.close()
    if not args.dry_run:
        _save(codelist)
    if args.json:
        output.print_json(outcome.as_dict())
        return 0
    _print_search(args, outcome)
    return 0


def _print_search(args, outcome) -> None:
    result, comparison = outcome.result, outcome.comparison
    output.print_text(f"{result.descriptions_scanned} descriptions searched: "
                      f"{len(result.candidates)} candidate codes "
                      f"({len(outcome.added)} added as pending lines)")
    via: dict[str, int] = {}
    for group in outcome.groupings:
        for rule in group.rules:
            via[rule] = via.get(rule, 0) + len(group.offered)
    for rule, count in result.rule_counts().items():
        extra = f" (and {via[rule]} offered for a chapter or block)" if via.get(rule) else ""
        output.print_text(f"  rule {rule}: {count} code{'' if count == 1 else 's'}{extra}")
    for xid, count in result.exclusion_counts().items():
        output.print_text(f"  exclusion {xid}: removed {count['descriptions']} descriptions, "
                          f"{count['codes']} codes")
    if outcome.screened:
        output.print_text(f"  {len(outcome.screened)} new candidate(s) screened out by the "
                          "recorded screening rules")
    for group in outcome.groupings:
        rules = ", ".join(group.rules) or "-"
        what = f"{group.kind} {group.code}" if group.kind else group.code
        if group.offered:
            shown = ", ".join(group.offered[:8]) + (" ..." if len(group.offered) > 8 else "")
            output.print_text(f"  {what} '{group.term}' (rule {rules}) is not a code a list "
                              f"holds: its {len(group.offered)} codes are offered instead "
                              f"({shown})")
        else:
            output.print_text(f"  {what} '{group.term}' (rule {rules}) is not a code this "
                              "codelist can hold: left out")
    if comparison.new and comparison.unchanged or comparison.vanished:
        output.print_text(f"new since the last run: {len(comparison.new)}"
                          + (f" ({', '.join(comparison.new)})" if comparison.new else ""))
        output.print_text(f"vanished since the last run: {len(comparison.vanished)}"
                          + (f" ({', '.join(comparison.vanished)})" if comparison.vanished
                             else ""))
    if args.why:
        for candidate in result.candidates:
            output.print_text(f"{candidate.code}  {candidate.term}")
            for match in candidate.matches:
                output.print_text(f"    rule {match.rule}: {' & '.join(match.terms)} in "
                                  f"'{match.description}'")
            if not candidate.matches:
                output.print_text(f"    {candidate.via}")


def cmd_search_import_stata(args) -> int:
    import sys

    from codelists.errors import InputFileError
    from codelists.method import block
    from codelists.method.strategy import strategy_from_do_file

    codelist = _load(args.file)
    if args.dofile == "-":
        text = sys.stdin.read()
    else:
        try:
            text = Path(args.dofile).read_text(encoding="utf-8")
        except OSError as exc:
            raise InputFileError(f"cannot read do-file: {exc.strerror}", path=args.dofile) from exc
    system = str(codelist.meta.get("terminology") or "")
    strategy = strategy_from_do_file(text, systems=(system,) if system else ())
    block.set_strategy(codelist, strategy)
    _save(codelist)
    output.print_text(f"{args.file}: search strategy of {len(strategy.rules)} rules and "
                      f"{len(strategy.exclusions)} exclusions recorded")
    return 0


def cmd_search_syntax(args) -> int:
    from codelists.method import block, syntax
    from codelists.terminology.store import tool_version

    codelist = _load(args.file)
    output.print_text(syntax.render(block.strategy(codelist), args.lang, title=codelist.title,
                                    version=tool_version()).rstrip())
    return 0
