"""`codelist definition|update|upgrade-report`: a codelist's intent, and new releases.

Each command is one library call (:mod:`codelists.codelist.definition`,
:mod:`codelists.codelist.upgrade`, :mod:`codelists.codelist.upgrade_report`).
"""

from __future__ import annotations

from pathlib import Path

from codelists.cli import output
from codelists.cli.codelist_commands import FILE_HELP, _json, _load, _open_store, _parser
from codelists.errors import UsageError


def register(subparsers) -> None:
    for build in (_definition, _update, _report):
        build(subparsers)


# -- definition ---------------------------------------------------------------------------
def _definition(sub) -> None:
    p = _parser(sub, "definition", "show a codelist's definition, or infer one",
                "Show the `definition:` of a codelist (ECL and include/exclude-with-"
                "descendants rules) with terms and, with a store, how its expansion "
                "compares with the list.  --infer computes the smallest top-down rule set "
                "that gives the list's active codes (--write records it).")
    p.add_argument("file", help=FILE_HELP)
    p.add_argument("--infer", action="store_true",
                   help="compute a minimal definition from the list's active codes")
    p.add_argument("--write", action="store_true", help="with --infer: record it in the file")
    _json(p)
    output.add_store_options(p)
    p.set_defaults(func=cmd_definition)


def cmd_definition(args) -> int:
    from codelists.codelist.definition import Definition, describe, infer_on

    cl = _load(args.file)
    if args.write and not args.infer:
        raise UsageError("--write records an inferred definition", hint="add --infer")
    definition = cl.definition
    terminology = _open_store(args, cl.system.id, required=args.infer)
    if args.infer:
        definition = Definition(ecl=None, rules=infer_on(cl.active_codes(), terminology))
        if args.write:
            from codelists.codelist.fileformat import save

            cl.definition = definition
            cl.touch()
            save(cl)
    data = describe(definition, terminology, cl.active_codes())
    if args.json:
        output.print_json(data)
        return 0
    _print_definition(args, data)
    return 0


def _print_definition(args, data) -> None:
    if not data["ecl"] and not data["rules"]:
        output.print_text(f"{args.file} has no definition "
                          "(try `codelist definition --infer`).")
        return
    if data["ecl"]:
        output.print_text(f"ECL: {data['ecl']}")
    for rule in data["rules"]:
        sign = "+" if rule["include"] else "-"
        term = f"  {rule['term']}" if rule["term"] else ""
        flag = "  (inactive)" if rule["active"] is False else ""
        output.print_text(f"{sign} {rule['code']}{term} and descendants{flag}")
    expansion = data.get("expansion")
    if expansion:
        output.print_text(f"Expands to {expansion['codes']} code(s) on this release; "
                          f"{len(expansion['not_in_list'])} not in the list, "
                          f"{len(expansion['listed_not_expanded'])} listed beyond it.")
    if args.infer and args.write:
        output.print_text(f"Recorded in {args.file}")


# -- update ---------------------------------------------------------------------------------
def _release_options(p) -> None:
    p.add_argument("--release", required=True, metavar="STORE",
                   help="the terminology store of the release to move to")


def _update(sub) -> None:
    p = _parser(sub, "update", "move a codelist to another terminology release",
                "Re-evaluate the codelist on another release and write a new version: new "
                "concepts the definition now reaches arrive as pending lines (`# new in "
                "RELEASE`), inactive codes move to excluded with the release's reason and "
                "history, their replacements (SAME AS, REPLACED BY, ...) and changed ids "
                "arrive as pending, changed terms are updated with the old term noted; "
                "snomed_release and method.updates record the move.")
    p.add_argument("file", help=FILE_HELP)
    _release_options(p)
    p.add_argument("--dry-run", action="store_true", help="report without writing")
    _json(p)
    p.set_defaults(func=cmd_update)


def _open_release(path: str):
    from codelists.errors import StoreNotFoundError
    from codelists.terminology.registry import open_terminology

    if not Path(path).exists():
        raise StoreNotFoundError(f"no store at {path}", path=path,
                                 hint="give a store built by `codelist terminology import`")
    return open_terminology(path)


def cmd_update(args) -> int:
    from codelists.codelist.fileformat import save
    from codelists.codelist.upgrade import apply_update, plan_update

    cl = _load(args.file)
    terminology = _open_release(args.release)
    try:
        if terminology.system != cl.system.id:
            raise UsageError(f"the release is {terminology.system}, the codelist "
                             f"{cl.system.id}", hint="give a store of the list's system")
        plan = plan_update(cl, terminology)
    finally:
        terminology.close()
    if not args.dry_run and plan.changes:
        apply_update(cl, plan)
        save(cl)
    if args.json:
        output.print_json({**plan.as_dict(), "written": not args.dry_run and bool(plan.changes)})
        return 0
    _print_plan(plan)
    if plan.changes:
        output.print_text("(dry run: nothing written)" if args.dry_run
                          else f"Wrote {args.file} (version {cl.meta.get('version')})")
    return 0


def _print_plan(plan) -> None:
    if not plan.changes:
        output.print_text(f"{plan.path or plan.codelist_id}: no change on {plan.to_release}")
        return
    output.print_text(f"{plan.path or plan.codelist_id}: {plan.from_release or '?'} -> "
                      f"{plan.to_release}")
    for change in plan.changes:
        mark = "?" if change.needs_decision else " "
        output.print_text(f" {mark} {change.kind:<19} {change.code:<18} "
                          f"{change.term}  ({change.note})")


# -- upgrade-report -------------------------------------------------------------------------
def _report(sub) -> None:
    p = _parser(sub, "upgrade-report", "what a release does to every codelist of a study",
                "For every .codelist under DIR (and each its lock file names) of the "
                "release's coding system: what the release retires, replaces, renames or "
                "adds.  Exit 1 when something needs a decision (for CI).")
    p.add_argument("dir", help="the study folder")
    _release_options(p)
    _json(p)
    p.set_defaults(func=cmd_report)


def cmd_report(args) -> int:
    from codelists.codelist.upgrade_report import upgrade_report

    terminology = _open_release(args.release)
    try:
        report = upgrade_report(args.dir, terminology)
    finally:
        terminology.close()
    if args.json:
        output.print_json(report.as_dict())
    else:
        _print_report(report)
    return 1 if report.needs_decision else 0


_COLUMNS = (("inactive", "retired"), ("replacement", "replaced"), ("new-id", "new id"),
            ("new", "added"), ("term", "terms"), ("unknown", "unknown"),
            ("outside-definition", "outside"), ("rule-inactive", "rules"))


def _print_report(report) -> None:
    from rich.table import Table

    table = Table(title=f"{report.system} release {report.release}: {len(report.plans)} "
                        f"codelist(s) in {report.folder}")
    totals = report.totals()
    shown = [(k, title) for k, title in _COLUMNS if totals[k]]  # only what happened
    table.add_column("codelist", overflow="fold", min_width=12)
    for _, title in shown:
        table.add_column(title, justify="right")
    table.add_column("decide?")
    for plan in report.plans:
        counts = plan.counts()
        table.add_row(plan.path or plan.codelist_id,
                      *[str(counts[k] or "") for k, _ in shown],
                      "yes" if plan.needs_decision else "")
    output.stdout().print(table)
    for skipped in report.skipped:
        output.print_text(f"skipped {skipped['path']}: {skipped['why']} ({skipped['detail']})")
    output.print_text("Decisions needed: run `codelist update FILE --release STORE`."
                      if report.needs_decision else "Nothing to decide.")
