"""`codelist review`: the modified Delphi review (stage 3): sheets, rounds, consensus."""

from __future__ import annotations

import argparse
from pathlib import Path

from codelists.cli import output
from codelists.cli.method_files import file_argument as _file
from codelists.cli.method_files import load as _load
from codelists.cli.method_files import save as _save

EPILOG_REVIEW = """Ratings: 1 include (the code means the feature), 2 unsure, 3 exclude.
Workflow: export -> reviewers fill in their sheets -> import -> (feedback -> import)* ->
consensus."""



def register(subparsers) -> None:
    """Add `review` to the `codelist` parser."""
    _review(subparsers)


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
                                     "none when anything is wrong.  Besides the exported "
                                     "sheets, any reviewer's own CSV or Excel sheet with a "
                                     "code and a rating column is read (1/2/3 or include/"
                                     "unsure/exclude; codes of the list, or codes the "
                                     "terminology maps them to, such as Read codes for "
                                     "CPRD medcodes); problems name the file's own lines.")
    _file(imp)
    imp.add_argument("sheets", nargs="+", metavar="SHEET", help="returned .xlsx/.csv sheets")
    imp.add_argument("--reviewer", metavar="NAME",
                     help="whose ratings a reviewer's own sheet holds (default: its reviewer "
                          "column, or a panel member named in the file name)")
    imp.add_argument("--sheet", metavar="NAME",
                     help="the worksheet of a reviewer's own workbook (default: the one "
                          "sheet with a rating column)")
    output.add_store_options(imp)
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
    terminology = _optional_store(args, codelist)
    try:
        rnd = review.import_sheets(codelist, args.sheets, replace=args.replace,
                                   terminology=terminology, reviewer=args.reviewer,
                                   sheet=args.sheet)
    finally:
        if terminology is not None:
            terminology.close()
    _save(codelist)
    done = sum(1 for r in rnd.reviewers if len(rnd.ratings.get(r, {})) == len(rnd.codes))
    output.print_text(f"round {rnd.number}: {len(args.sheets)} sheet(s) imported; "
                      f"{done} of {len(rnd.reviewers)} reviewers complete")
    return 0


def _optional_store(args, codelist):
    """The list's terminology, to match another system's codes (None when not installed)."""
    from codelists.errors import StoreNotFoundError
    from codelists.terminology.locate import locate_store
    from codelists.terminology.registry import open_terminology

    try:
        path = locate_store(args.db, terminology=args.terminology
                            or codelist.meta.get("terminology"))
    except StoreNotFoundError:
        return None
    return open_terminology(path) if Path(path).is_file() else None


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
            ("complete agreement", _codes(stats["complete_agreement"])),
            ("partial agreement", _codes(stats["partial_agreement"])),
            ("raw agreement", "undefined" if raw is None else f"{100 * raw:.1f}%"),
            ("PABAK", kappa(stats["pabak"], stats["pabak_interpretation"]))]
    if stats["cohen_kappa"] is not None or stats["reviewers"] == 2:
        rows.append(("Cohen's kappa", kappa(stats["cohen_kappa"], stats["interpretation"])))
    rows.append(("Fleiss' kappa", kappa(stats["fleiss_kappa"], _kappa_label(
        stats["fleiss_kappa"]))))
    return rows


def _codes(count: int) -> str:
    return f"{count} code" if count == 1 else f"{count} codes"


def _kappa_label(value) -> str:
    from codelists.method.agreement import interpret

    return interpret(value)
