"""`codelist define|search|screen|review|report`: the development method of Watson et al. 2017.

Each command is one library call in :mod:`codelists.method`; results go to stdout (or
``--json``), and the codelist file is saved atomically when a command changes it.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from codelists.cli import output

EPILOG_REVIEW = """Ratings: 1 include (the code means the feature), 2 unsure, 3 exclude.
Workflow: export -> reviewers fill in their sheets -> import -> (feedback -> import)* ->
consensus."""


def register(subparsers) -> None:
    """Add this group's commands to the `codelist` parser."""
    _define(subparsers)
    _search(subparsers)
    _screen(subparsers)
    _review(subparsers)
    _report(subparsers)


def _file(parser) -> None:
    parser.add_argument("file", metavar="FILE", help="the .codelist file")


#: the code lines of each codelist as loaded, so saving bumps ``version`` only when they
#: changed (method metadata alone leaves it)
_LOADED: dict[int, frozenset] = {}


def _load(path):
    from codelists.codelist.fileformat import load

    codelist = load(path)
    _LOADED[id(codelist)] = codelist.code_state()
    return codelist


def _save(codelist) -> None:
    from codelists.codelist.fileformat import save

    codelist.touch(since=_LOADED.pop(id(codelist), None))
    save(codelist)


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
    for rule, count in result.rule_counts().items():
        output.print_text(f"  rule {rule}: {count} codes")
    for xid, count in result.exclusion_counts().items():
        output.print_text(f"  exclusion {xid}: removed {count['descriptions']} descriptions, "
                          f"{count['codes']} codes")
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
                                  f'"{match.description}"')
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


# --- screen -------------------------------------------------------------------------


def _screen(subparsers) -> None:
    from codelists.method.screening import REASONS

    p = subparsers.add_parser(
        "screen", help="exclude clearly inappropriate candidates with a reason",
        description="Move pending candidates to excluded lines tagged reason=<reason> "
                    "(the note follows as free text). Reasons: "
                    + "; ".join(f"{k}: {v}" for k, v in REASONS.items()) + ".")
    _file(p)
    p.add_argument("codes", nargs="*", metavar="CODE", help="codes to exclude")
    p.add_argument("--reason", help="the screening reason (see above)")
    p.add_argument("--note", help="free text, e.g. 'apnoea' (required for reason other)")
    p.add_argument("--counts", action="store_true", help="print counts by reason and stop")
    p.add_argument("--json", action="store_true", help="print counts as JSON")
    p.set_defaults(func=cmd_screen)


def cmd_screen(args) -> int:
    from codelists.errors import UsageError
    from codelists.method import block, screening

    codelist = _load(args.file)
    if not args.counts:
        if not args.codes or not args.reason:
            raise UsageError("give the codes and --reason", hint="or --counts to list counts")
        screening.screen(codelist, args.codes, args.reason, args.note)
        block.record_screening(codelist, screening.counts_by_reason(codelist))
        _save(codelist)
    table = screening.reason_table(codelist)
    if args.json:
        output.print_json({"by_reason": screening.counts_by_reason(codelist), "table": table})
        return 0
    if not args.counts:
        output.print_text(f"{len(args.codes)} code(s) excluded ({args.reason})")
    for row in table:
        detail = f" ({row['detail']})" if row["detail"] else ""
        output.print_text(f"  {row['reason']}{detail}: {row['count']}")
    return 0


# --- review -------------------------------------------------------------------------


def _review(subparsers) -> None:
    from codelists.method.delphi import PRESETS

    p = subparsers.add_parser("review", help="the Delphi review: sheets, rounds, consensus",
                              description="The modified Delphi review (stage 3).",
                              epilog=EPILOG_REVIEW,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="review_command", metavar="COMMAND", required=True)
    exp = sub.add_parser("export", help="write one rating sheet per reviewer",
                         description="Open round 1 on the pending codes (or re-export the open "
                                     "round) and write one sheet per reviewer: an Excel "
                                     "workbook (drop-down 1/2/3, comment column, cover sheet "
                                     "with the definition, locked code columns) or CSV.")
    _file(exp)
    exp.add_argument("--reviewers", nargs="+", metavar="NAME", help="the panel")
    exp.add_argument("--codes", nargs="+", metavar="CODE",
                     help="review these codes (default: every pending code)")
    _sheet_options(exp)
    exp.set_defaults(func=cmd_review_export)
    imp = sub.add_parser("import", help="check and record returned sheets",
                         description="Check every returned sheet (missing rating, value "
                                     "other than 1/2/3, unknown or repeated code, sheet from "
                                     "another codelist or round) and record them all, or "
                                     "none when anything is wrong.")
    _file(imp)
    imp.add_argument("sheets", nargs="+", metavar="SHEET", help="returned .xlsx/.csv sheets")
    imp.add_argument("--replace", action="store_true",
                     help="replace ratings already imported for the same reviewer")
    imp.set_defaults(func=cmd_review_import)
    fb = sub.add_parser("feedback", help="open a further round on disputed codes",
                        description="After a complete round: open the next round on the codes "
                                    "without complete agreement (or --codes), and write sheets "
                                    "showing the panel's anonymised ratings and comments.")
    _file(fb)
    fb.add_argument("--reviewers", nargs="+", metavar="NAME", help="the panel (default: same)")
    fb.add_argument("--codes", nargs="+", metavar="CODE", help="codes for the next round")
    _sheet_options(fb)
    fb.set_defaults(func=cmd_review_feedback)
    con = sub.add_parser("consensus", help="apply the consensus rule",
                         description="Apply a consensus rule to the final ratings: kept codes "
                                     "become active lines tagged uncertainty=N, dropped codes "
                                     "excluded lines tagged reason=delphi. Rules: "
                                     + " ".join(f"{k}: {v.description}"
                                                for k, v in PRESETS.items()))
    _file(con)
    con.add_argument("--rule", choices=list(PRESETS),
                     help="consensus rule (default: the recorded one, else watson2017)")
    con.add_argument("--json", action="store_true", help="print decisions as JSON")
    con.set_defaults(func=cmd_review_consensus)
    agr = sub.add_parser("agreement", help="percent agreement, Cohen's and Fleiss' kappa",
                         description="Agreement between reviewers for a round (default: "
                                     "round 1, the independent ratings).")
    _file(agr)
    agr.add_argument("--round", type=int, default=1, help="round number (default 1)")
    agr.add_argument("--json", action="store_true", help="print as JSON")
    agr.set_defaults(func=cmd_review_agreement)


def _sheet_options(parser) -> None:
    parser.add_argument("--format", choices=["xlsx", "csv"], default="xlsx",
                        help="sheet format (default: xlsx)")
    parser.add_argument("--out", metavar="DIR", default=None,
                        help="folder for the sheets (default: review/ beside the file)")


def _out_dir(args) -> Path:
    return Path(args.out) if args.out else Path(args.file).resolve().parent / "review"


def cmd_review_export(args) -> int:
    from codelists.method import review

    codelist = _load(args.file)
    rnd, paths = review.export(codelist, _out_dir(args), reviewers=args.reviewers,
                               codes=args.codes, extension=args.format)
    _save(codelist)
    output.print_text(f"round {rnd.number}: {len(rnd.codes)} codes, "
                      f"{len(rnd.reviewers)} reviewers")
    for path in paths:
        output.print_text(f"  {path}")
    return 0


def cmd_review_feedback(args) -> int:
    from codelists.method import review

    codelist = _load(args.file)
    rnd, paths = review.export(codelist, _out_dir(args), reviewers=args.reviewers,
                               codes=args.codes, extension=args.format, further=True)
    _save(codelist)
    output.print_text(f"round {rnd.number} opened on {len(rnd.codes)} disputed codes "
                      f"with anonymised feedback")
    for path in paths:
        output.print_text(f"  {path}")
    return 0


def cmd_review_import(args) -> int:
    from codelists.method import review

    codelist = _load(args.file)
    rnd = review.import_sheets(codelist, args.sheets, replace=args.replace)
    _save(codelist)
    done = sum(1 for r in rnd.reviewers if len(rnd.ratings.get(r, {})) == len(rnd.codes))
    output.print_text(f"round {rnd.number}: {len(args.sheets)} sheet(s) imported; "
                      f"{done} of {len(rnd.reviewers)} reviewers complete")
    return 0


def cmd_review_consensus(args) -> int:
    from codelists.method import review
    from codelists.method.delphi import preset

    codelist = _load(args.file)
    decisions = review.apply_consensus(codelist, preset(args.rule) if args.rule else None)
    _save(codelist)
    results = codelist.method["delphi"]["results"]
    if args.json:
        output.print_json({"results": results,
                           "decisions": [d.as_dict() for d in decisions.values()]})
        return 0
    output.print_text(f"{results['reviewed']} codes reviewed: {results['included']} included, "
                      f"{results['excluded']} excluded (reason=delphi)")
    output.print_text(f"  complete agreement {results['complete_agreement']}, partial "
                      f"{results['partial_agreement']}")
    levels = results.get("uncertainty") or {}
    if levels:
        shown = ", ".join(f"{level}: {levels[level]}" for level in sorted(levels, key=int))
        output.print_text(f"  included codes by uncertainty level ({shown})")
    return 0


def cmd_review_agreement(args) -> int:
    from codelists.errors import UsageError
    from codelists.method import block
    from codelists.method.agreement import agreement

    codelist = _load(args.file)
    rounds = {r.number: r for r in block.rounds(codelist)}
    if args.round not in rounds:
        raise UsageError(f"no round {args.round}", hint="import review sheets first")
    stats = agreement(rounds[args.round].by_code())
    if args.json:
        output.print_json(stats)
        return 0
    for label, value in _agreement_rows(stats):
        output.print_text(f"{label:<22}{value}")
    output.print_text()
    output.print_text(stats["advice"])
    return 0


def _agreement_rows(stats) -> list[tuple[str, str]]:
    def kappa(value, label):
        return "undefined" if value is None else f"{value:.3f} ({label}, Landis & Koch)"

    raw = stats["raw_agreement"]
    rows = [("reviewers", str(stats["reviewers"])),
            ("codes rated by all", str(stats["codes"])),
            ("complete agreement", f"{stats['complete_agreement']} codes"),
            ("partial agreement", f"{stats['partial_agreement']} codes"),
            ("raw agreement", "undefined" if raw is None else f"{100 * raw:.1f}%"),
            ("PABAK", kappa(stats["pabak"], stats["pabak_interpretation"]))]
    if stats["cohen_kappa"] is not None or stats["reviewers"] == 2:
        rows.append(("Cohen's kappa", kappa(stats["cohen_kappa"], stats["interpretation"])))
    rows.append(("Fleiss' kappa", kappa(stats["fleiss_kappa"], _kappa_label(
        stats["fleiss_kappa"]))))
    return rows


def _kappa_label(value) -> str:
    from codelists.method.agreement import interpret

    return interpret(value)


# --- report -------------------------------------------------------------------------


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
