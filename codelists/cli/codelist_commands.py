"""`codelist new|add|remove|validate|stats|diff|include|resolve|lint` (and, through
:mod:`codelists.cli.codelist_exchange`, `import|export|lock|check`).

Each command is one library call over :mod:`codelists.codelist` and
:mod:`codelists.formats`; heavy modules are imported inside the commands so start-up
stays fast.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from codelists.cli import output
from codelists.errors import UsageError

FILE_HELP = "the .codelist file"
#: lint rule ids (kept here so --help does not import the linter; a test checks they match)
LINT_RULES = ("inactive", "unknown", "negation", "family-history", "screening", "history-of",
              "suspected", "out-of-scope", "duplicate", "mixed-systems", "excel-damage")


def register(subparsers) -> None:
    """Add this group's commands to the `codelist` parser."""
    from codelists.cli import codelist_exchange

    for build in (_new, _add, _remove, _validate, _stats, _diff, _include, _resolve, _lint):
        build(subparsers)
    codelist_exchange.register(subparsers)


def _parser(sub, name: str, help_: str, description: str | None = None):
    return sub.add_parser(name, help=help_, description=description or help_[0].upper()
                          + help_[1:] + ".", formatter_class=argparse.RawDescriptionHelpFormatter)


def _registry_options(p) -> None:
    p.add_argument("--codelists", metavar="DIR", help="registry folder for bare-id includes "
                   "(default: CODELISTS_REGISTRY, codelists.toml [codelists] dir, ./codelists)")
    p.add_argument("--refresh", action="store_true", help="fetch URL includes again")


def _json(p) -> None:
    p.add_argument("--json", action="store_true", help="write JSON instead of text")


def _open_store(args, system: str, *, required: bool):
    """The terminology for ``system`` (None when none is installed and not required)."""
    from codelists.errors import StoreNotFoundError
    from codelists.terminology.locate import locate_store
    from codelists.terminology.registry import open_terminology

    explicit = getattr(args, "db", None)
    try:
        path = locate_store(explicit, terminology=getattr(args, "terminology", None) or system)
    except StoreNotFoundError:
        if required:
            raise
        return None
    if not Path(path).exists():
        if required or explicit:
            raise StoreNotFoundError(f"no store at {path}", path=path,
                                     hint="check --db, or import a release")
        return None
    terminology = open_terminology(path)
    if not explicit and not required and terminology.system != system:
        terminology.close()  # e.g. CODELISTS_DB names a store of another coding system
        return None
    return terminology


def _load(path):
    from codelists.codelist.fileformat import load

    return load(path)


def _tags(values: list[str]) -> dict[str, str]:
    tags = {}
    for value in values or []:
        key, sep, val = value.partition("=")
        if not sep or not key or not val:
            raise UsageError(f"--tag {value!r} is not KEY=VALUE", hint="e.g. --tag source=ecl")
        tags[key] = val
    return tags


# -- new / add / remove ---------------------------------------------------------------
def _new(sub) -> None:
    p = _parser(sub, "new", "scaffold a new .codelist file with every required field",
                "Write a draft codelist with sct's required front matter and warnings.")
    p.add_argument("file", help="path of the new .codelist file")
    p.add_argument("--title")
    p.add_argument("--description")
    p.add_argument("--terminology", "-t", default="snomedct",
                   help="coding system (snomedct, icd10, icd10cm, opcs4, readv2, ctv3, dmd, "
                        "bnf, ...; default snomedct)")
    p.add_argument("--author")
    p.add_argument("--id", help="codelist id (default: the file name)")
    p.set_defaults(func=cmd_new)


def cmd_new(args) -> int:
    from codelists.codelist.fileformat import save
    from codelists.codelist.template import new_codelist
    from codelists.errors import InputFileError

    path = Path(args.file)
    if path.exists():
        raise InputFileError("already exists", path=path, hint="choose another name")
    cl = new_codelist(path, id=args.id, title=args.title, description=args.description,
                      terminology=args.terminology, author=args.author)
    save(cl, path)
    output.print_text(f"Created {path}")
    return 0


def _add(sub) -> None:
    p = _parser(sub, "add", "add codes (terms from the terminology store)",
                "Append active lines for codes, with preferred terms from the store.  "
                "Codes already active are skipped; `version` and `updated` are bumped.")
    p.add_argument("file", help=FILE_HELP)
    p.add_argument("codes", nargs="*", help="codes to add; `-` reads codes from stdin "
                   "(first word of each non-comment line)")
    p.add_argument("--ecl", help="add every concept an ECL expression matches (SNOMED CT); "
                   "the expression is recorded in the file's definition")
    p.add_argument("--include-descendants", action="store_true",
                   help="also add every active descendant of each code (recorded as an "
                   "include rule in the file's definition)")
    p.add_argument("--comment", help="inline comment for the added lines")
    p.add_argument("--tag", action="append", metavar="KEY=VALUE",
                   help="tag for the added lines (repeatable), e.g. source=ecl")
    p.add_argument("--pending", action="store_true", help="add as pending (`# ?`) lines")
    p.add_argument("--offline", action="store_true",
                   help="add without a store (no terms, no checks)")
    output.add_store_options(p)
    p.set_defaults(func=cmd_add)


def _read_codes(values: list[str]) -> list[str]:
    codes = []
    for value in values:
        if value == "-":
            for line in sys.stdin:
                words = line.split()
                if words and not words[0].startswith("#"):
                    codes.append(words[0])
        else:
            codes.append(value)
    return codes


def _expand(args, terminology, codes: list[str]) -> list[str]:
    if args.ecl:
        if terminology.system != "snomedct":
            raise UsageError("--ecl selects SNOMED CT concepts",
                             hint="use codes or --include-descendants for this coding system")
        if codes or args.include_descendants:
            raise UsageError("--ecl replaces codes and --include-descendants",
                             hint="put the hierarchy into the expression, e.g. <<CODE")
        from codelists.ecl import evaluate

        result = evaluate(args.ecl, terminology)
        for warning in result.warnings:
            output.warn(warning)
        return sorted(str(i) for i in result.ids)
    if args.include_descendants:
        found = list(codes)
        for code in codes:
            found += terminology.descendants(code)
        return list(dict.fromkeys(found))
    return codes


def cmd_add(args) -> int:
    from codelists.codelist.fileformat import save
    from codelists.errors import UnknownCodeError

    cl = _load(args.file)
    codes = _read_codes(args.codes)
    if not codes and not args.ecl:
        raise UsageError("give codes, `-` for stdin, or --ecl EXPRESSION")
    terminology = None if args.offline else _open_store(args, cl.system.id, required=True)
    if terminology is None and (args.ecl or args.include_descendants):
        raise UsageError("--ecl and --include-descendants need a store", hint="drop --offline")
    codes = [c.strip() for c in _expand(args, terminology, codes)]
    found = terminology.lookup_many(codes) if terminology is not None else {}
    existing = set(cl.active_codes())
    added = 0
    for code in codes:
        concept = found.get(code)
        if terminology is not None and concept is None:
            raise UnknownCodeError(f"{code} is not in the {cl.system.name} store",
                                   path=args.file, hint="check the code, or the store")
        code = concept.code if concept is not None else code  # the store's canonical form
        if code in existing:
            continue
        if concept is not None and not concept.active and args.include_descendants:
            continue
        term = concept.term if concept else ""
        if args.pending:
            cl.add_pending(code, term, comment=args.comment, tags=_tags(args.tag))
        else:
            cl.add_active(code, term, comment=args.comment, tags=_tags(args.tag))
        existing.add(code)
        added += 1
    recorded = _record_definition(cl, args, codes, found)
    if not added and not recorded:
        output.print_text("No new concepts to add (all already present).")
        return 0
    cl.touch()
    save(cl)
    output.print_text(f"Added {added} concept(s) to {args.file}"
                      + ("; definition updated" if recorded else ""))
    return 0


def _record_definition(cl, args, codes: list[str], found: dict) -> bool:
    """Keep the intent of --ecl / --include-descendants in ``definition:`` (not --pending)."""
    if args.pending or not (args.ecl or args.include_descendants):
        return False
    before = definition = cl.definition
    if args.ecl:
        ecl = args.ecl.strip()
        if definition.ecl and definition.ecl != ecl:
            ecl = f"({definition.ecl}) OR ({ecl})"
        definition = definition.with_ecl(ecl)
    else:
        for code in _read_codes(args.codes):
            concept = found.get(code.strip())
            definition = definition.with_rule(concept.code if concept else code.strip(), True)
    cl.definition = definition
    return definition != before


def _remove(sub) -> None:
    p = _parser(sub, "remove", "move codes to excluded lines (kept for the audit trail)")
    p.add_argument("file", help=FILE_HELP)
    p.add_argument("codes", nargs="+", help="codes to exclude")
    p.add_argument("--reason", help="why, as a reason= tag (e.g. negation, scope)")
    p.add_argument("--comment", help="why, as free text")
    p.add_argument("--include-descendants", action="store_true",
                   help="also exclude every descendant the list has, and record an exclude "
                   "rule in the file's definition (needs a store)")
    output.add_store_options(p)
    p.set_defaults(func=cmd_remove)


def cmd_remove(args) -> int:
    from codelists.codelist.fileformat import save

    cl = _load(args.file)
    if not args.include_descendants:
        for code in args.codes:
            cl.exclude(code, reason=args.reason, comment=args.comment)
        moved = list(args.codes)
    else:
        moved = _remove_with_descendants(cl, args)
    cl.touch()
    save(cl)
    what = ", ".join(moved) if len(moved) <= 10 else f"{len(moved)} codes"
    output.print_text(f"Moved {what or 'nothing'} to excluded in {args.file}"
                      + ("; definition updated" if args.include_descendants else ""))
    return 0


def _remove_with_descendants(cl, args) -> list[str]:
    terminology = _open_store(args, cl.system.id, required=True)
    live = set(cl.active_codes()) | set(cl.pending_codes())
    definition, moved = cl.definition, []
    for code in args.codes:
        concept = terminology.lookup(code)
        if concept is None:
            from codelists.errors import UnknownCodeError

            raise UnknownCodeError(f"{code} is not in the {cl.system.name} store",
                                   path=args.file, hint="check the code, or the store")
        definition = definition.with_rule(concept.code, False)
        for found in [concept.code, *terminology.descendants(concept.code)]:
            if found in live:
                cl.exclude(found, reason=args.reason, comment=args.comment)
                live.discard(found)
                moved.append(found)
    cl.definition = definition
    return moved


# -- validate / lint / stats -----------------------------------------------------------
def _problems_out(problems, args, summary: str) -> None:
    if args.json:
        output.print_json({"problems": [p.as_dict() for p in problems], "summary": summary})
        return
    for p in problems:
        where = ":".join(str(x) for x in (p.path, p.line) if x is not None)
        text = f"{p.severity.upper():<7} {where}: [{p.rule}] {p.message}"
        sys.stderr.write(text + (f"\n        fix: {p.hint}" if p.hint else "") + "\n")
    output.print_text(summary)


def _validate(sub) -> None:
    p = _parser(sub, "validate", "check codelists (CI-ready: exit 1 on errors)",
                "Check required fields, placeholders, sign-offs when published, duplicate "
                "codes, pending lines, includes, and (with a store) codes missing or inactive "
                "and term drift.  Exit 0 with warnings only, 1 with errors.")
    p.add_argument("files", nargs="+", help=".codelist files")
    p.add_argument("--offline", action="store_true", help="skip the store checks")
    _json(p)
    _registry_options(p)
    output.add_store_options(p)
    p.set_defaults(func=cmd_validate)


def cmd_validate(args) -> int:
    from codelists.codelist.validate import has_errors, validate
    from codelists.errors import Problem

    problems, summaries = [], []
    for name in args.files:
        cl = _load(name)
        store = None if args.offline else _open_store(args, cl.system.id, required=False)
        found = validate(cl, store, registry=args.codelists, refresh=args.refresh)
        if store is None and not args.offline and not cl.system.has_store:
            found.append(Problem("no-store", "info", f"{cl.system.name} has no terminology "
                                 "store here: codes checked for their form only (not that "
                                 "they exist, are active or what they mean)", name,
                                 hint=f"check the codes with a {cl.system.name} browser"))
        elif store is None and not args.offline:
            found.append(Problem("no-store", "info", f"no {cl.system.name} store found: "
                                 "codes checked for their form only", name,
                                 hint="pass --db, or import a release"))
        errors = sum(p.severity == "error" for p in found)
        warnings = sum(p.severity == "warning" for p in found)
        summaries.append(f"{name}: {len(cl.active_codes())} active concepts, "
                         f"{warnings} warning(s), {errors} error(s)")
        problems += found
    _problems_out(problems, args, "\n".join(summaries))
    return 1 if has_errors(problems) else 0


def _lint(sub) -> None:
    RULES = LINT_RULES
    p = _parser(sub, "lint", "find risky codes: negation, history, screening, scope, ...",
                "Rules: " + ", ".join(RULES) + ".  Silence a rule on a line with "
                "`# lint=RULE` (or `# lint=off`).  Exit 1 when anything is found.")
    p.add_argument("files", nargs="+", help=".codelist files")
    p.add_argument("--rule", action="append", choices=RULES, help="only these rules")
    p.add_argument("--offline", action="store_true", help="skip rules that need a store")
    _json(p)
    output.add_store_options(p)
    p.set_defaults(func=cmd_lint)


def cmd_lint(args) -> int:
    from codelists.codelist.lint import lint

    problems = []
    for name in args.files:
        cl = _load(name)
        store = None if args.offline else _open_store(args, cl.system.id, required=False)
        problems += lint(cl, store, rules=args.rule)
    _problems_out(problems, args, f"{len(problems)} finding(s)")
    return 1 if problems else 0


def _stats(sub) -> None:
    p = _parser(sub, "stats", "counts, tags, hierarchy breakdown and release age")
    p.add_argument("file", help=FILE_HELP)
    p.add_argument("--offline", action="store_true", help="do not open a store")
    _json(p)
    _registry_options(p)
    output.add_store_options(p)
    p.set_defaults(func=cmd_stats)


def cmd_stats(args) -> int:
    from codelists.codelist.compose import effective_codes
    from codelists.codelist.stats import render, stats

    cl = _load(args.file)
    store = None if args.offline else _open_store(args, cl.system.id, required=False)
    effective = effective_codes(cl, registry=args.codelists, refresh=args.refresh) \
        if cl.includes else None
    data = stats(cl, store, effective=effective)
    if args.json:
        output.print_json(data)
    else:
        sys.stdout.write(render(data))
    return 0


# -- diff / include / resolve ------------------------------------------------------------
def _diff(sub) -> None:
    p = _parser(sub, "diff", "compare two codelists (added, removed, excluded, term changed)")
    p.add_argument("file_a")
    p.add_argument("file_b")
    p.add_argument("--effective", action="store_true", help="compare effective sets "
                   "(includes resolved)")
    _json(p)
    _registry_options(p)
    p.set_defaults(func=cmd_diff)


def cmd_diff(args) -> int:
    from codelists.codelist.compose import effective_members
    from codelists.codelist.diff import diff

    a, b = _load(args.file_a), _load(args.file_b)
    sets = {}
    if args.effective:
        for key, cl in (("a_codes", a), ("b_codes", b)):
            sets[key] = {m.code: m.term for m in effective_members(
                cl, registry=args.codelists, refresh=args.refresh)}
    result = diff(a, b, **sets)
    if args.json:
        output.print_json(result.as_dict())
    else:
        sys.stdout.write(result.render(args.file_a, args.file_b))
    return 0


def _include(sub) -> None:
    p = _parser(sub, "include", "add (or --remove) includes: references",
                "Add references to other codelists (bare id, path or URL); each must "
                "resolve before it is written.")
    p.add_argument("file", help=FILE_HELP)
    p.add_argument("refs", nargs="+", help="bare ids, paths or URLs")
    p.add_argument("--remove", action="store_true", help="drop these references")
    _registry_options(p)
    p.set_defaults(func=cmd_include)


def cmd_include(args) -> int:
    from codelists.codelist.compose import effective_members
    from codelists.codelist.fileformat import save

    cl = _load(args.file)
    refs = cl.includes
    if args.remove:
        missing = [r for r in args.refs if r not in refs]
        if missing:
            raise UsageError(f"not included: {', '.join(missing)}", hint=f"includes: {refs}")
        refs = [r for r in refs if r not in args.refs]
    else:
        refs += [r for r in args.refs if r not in refs]
    if refs:
        cl.meta["includes"] = refs
    else:
        cl.meta.pop("includes", None)
    effective_members(cl, registry=args.codelists, refresh=args.refresh)  # must resolve
    cl.touch()
    save(cl)
    output.print_text(f"includes: {', '.join(refs) if refs else '(none)'}")
    return 0


def _resolve(sub) -> None:
    p = _parser(sub, "resolve", "flatten includes into a standalone codelist")
    p.add_argument("file", help=FILE_HELP)
    p.add_argument("--output", "-o", help="write here (default: stdout)")
    _registry_options(p)
    p.set_defaults(func=cmd_resolve)


def cmd_resolve(args) -> int:
    from codelists.codelist.compose import resolve
    from codelists.codelist.fileformat import dumps, write_atomic

    flat = resolve(_load(args.file), registry=args.codelists, refresh=args.refresh)
    if args.output:
        write_atomic(args.output, dumps(flat))
    else:
        sys.stdout.write(dumps(flat))
    return 0
