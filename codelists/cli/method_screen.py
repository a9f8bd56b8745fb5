"""`codelist screen`: exclude clearly inappropriate candidates, one by one or by rules."""

from __future__ import annotations

from codelists.cli import output
from codelists.cli.method_files import file_argument as _file
from codelists.cli.method_files import load as _load
from codelists.cli.method_files import save as _save


def register(subparsers) -> None:
    """Add `screen` to the `codelist` parser."""
    _screen(subparsers)


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
    p.add_argument("--rules", metavar="FILE",
                   help="screen every pending candidate by a rules file (YAML, or CSV/TSV "
                        "with columns pattern, match, case_sensitive, reason, note, within): "
                        "the first rule whose pattern matches the term excludes it with that "
                        "rule's reason; the rules are recorded in method.screening.rules and "
                        "applied to new candidates whenever the search is re-run")
    p.add_argument("--within", metavar="CODE",
                   help="with --rules: only CODE and its descendants (needs a store)")
    output.add_store_options(p)
    p.add_argument("--dry-run", action="store_true",
                   help="with --rules: list what the rules would screen out, change nothing")
    p.add_argument("--counts", action="store_true", help="print counts by reason and stop")
    p.add_argument("--json", action="store_true", help="print counts as JSON")
    p.set_defaults(func=cmd_screen)


def cmd_screen(args) -> int:
    from codelists.errors import UsageError
    from codelists.method import block, screening

    codelist = _load(args.file)
    if args.rules:
        return _screen_by_rules(args, codelist)
    if not args.counts:
        if not args.codes or not args.reason:
            raise UsageError("give the codes and --reason, or --rules FILE",
                             hint="or --counts to list counts")
        screening.screen(codelist, args.codes, args.reason, args.note)
        block.record_screening(codelist, screening.counts_by_reason(codelist))
        _save(codelist)
    if args.json:
        output.print_json(_screen_counts(codelist))
        return 0
    if not args.counts:
        output.print_text(f"{len(args.codes)} code(s) excluded ({args.reason})")
    _print_screen_counts(codelist)
    return 0


def _screen_counts(codelist) -> dict:
    from codelists.method import screening

    by_reason = screening.counts_by_reason(codelist)
    return {"by_reason": by_reason, "table": screening.reason_table(codelist),
            "totals": {"screened_out": sum(by_reason.values()),
                       "pending": len(codelist.pending_codes()),
                       "active": len(codelist.active_codes())}}


def _print_screen_counts(codelist) -> None:
    counts = _screen_counts(codelist)
    for row in counts["table"]:
        detail = f" ({row['detail']})" if row["detail"] else ""
        output.print_text(f"  {row['reason']}{detail}: {row['count']}")
    totals = counts["totals"]
    output.print_text(f"total: {totals['screened_out']} screened out, {totals['pending']} "
                      f"pending, {totals['active']} active")


def _screen_by_rules(args, codelist) -> int:
    from codelists.errors import UsageError
    from codelists.method import block, screening
    from codelists.method.screening_rules import apply_rules, read_rules

    if args.codes or args.reason:
        raise UsageError("--rules screens every pending candidate: give no codes or --reason")
    rules = read_rules(args.rules)
    if args.within:
        from dataclasses import replace

        rules = [replace(r, within=r.within or args.within) for r in rules]
    terminology = _screen_terminology(args, codelist, rules)
    try:
        screened = apply_rules(codelist, rules, terminology=terminology, dry_run=args.dry_run)
    finally:
        if terminology is not None:
            terminology.close()
    if not args.dry_run:
        block.add_screening_rules(codelist, rules)
        block.record_screening(codelist, screening.counts_by_reason(codelist))
        _save(codelist)
    if args.json:
        output.print_json({"screened": [{"code": c, "term": t, "rule": rules[i].as_dict()}
                                        for c, t, i in screened], **_screen_counts(codelist)})
        return 0
    verb = "would screen out" if args.dry_run else "screened out"
    output.print_text(f"{len(rules)} rule(s) {verb} {len(screened)} candidate(s)")
    for index, rule in enumerate(rules):
        hits = [c for c, _t, i in screened if i == index]
        output.print_text(f"  rule {index + 1}: {rule.describe()}: {len(hits)}")
    if args.dry_run:
        for code, term, index in screened:
            output.print_text(f"    {code}  {term}  (rule {index + 1})")
    _print_screen_counts(codelist)
    return 0


def _screen_terminology(args, codelist, rules):
    """The store for ``within`` rules (None when no rule has one)."""
    if not any(r.within for r in rules):
        return None
    from codelists.terminology.locate import locate_store
    from codelists.terminology.registry import open_terminology

    system = args.terminology or codelist.meta.get("terminology")
    return open_terminology(locate_store(args.db, terminology=system))
