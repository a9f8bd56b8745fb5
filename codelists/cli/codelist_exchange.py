"""`codelist import|export|lock|check`: foreign formats in and out, study manifests.

Registered by :mod:`codelists.cli.codelist_commands`; heavy modules are imported inside
the commands so start-up stays fast.
"""

from __future__ import annotations

import sys
from pathlib import Path

from codelists.cli import output
from codelists.cli.codelist_commands import (
    FILE_HELP,
    _json,
    _load,
    _open_store,
    _parser,
    _problems_out,
    _registry_options,
)
from codelists.errors import UsageError


def register(subparsers) -> None:
    for build in (_import, _export, _lock, _check):
        build(subparsers)


# -- import / export ----------------------------------------------------------------------
def _import(sub) -> None:
    from codelists.formats import IMPORTERS

    p = _parser(sub, "import", "make a .codelist from a foreign file",
                "Formats: " + ", ".join(IMPORTERS) + " (detected from the file unless "
                "--format is given).  The code and term columns of a table are recognised "
                "from headers and cell contents, and the coding system from code shapes, "
                "unless given; a code is never rewritten to fit a system, and every change "
                "(a spreadsheet's .0, dotting ICD-10, padding Read codes) is reported and "
                "kept on the code's line.  A file holding several codelists (a zip archive, "
                "a cohort definition, a ValueSet over several code systems) becomes one "
                ".codelist each.  Never overwrites without --force.")
    p.add_argument("source", help="the file to import")
    p.add_argument("--output", "-o", help="the .codelist to write (default: SOURCE stem); "
                   "a folder for a file holding several codelists")
    p.add_argument("--format", "-f", help="input format")
    p.add_argument("--system", "-s", help="coding system (overrides detection)")
    for name in ("code", "term", "status", "group"):
        p.add_argument(f"--{name}-column", metavar="NAME",
                       help=f"{name} column of a table (default: recognised)")
    p.add_argument("--delimiter", help="delimiter of a delimited file (default: sniffed)")
    p.add_argument("--sheet", help="worksheet of an Excel file")
    p.add_argument("--skip-invalid", action="store_true",
                   help="import the valid codes; keep each invalid cell as an excluded line "
                        "with reason=invalid-input")
    p.add_argument("--id")
    p.add_argument("--title")
    p.add_argument("--force", action="store_true", help="overwrite an existing .codelist")
    p.add_argument("--expand", action="store_true",
                   help="definition.csv: expand the rules against a store into codes")
    output.add_store_options(p)
    _json(p)
    p.set_defaults(func=cmd_import)


def _import_options(args) -> dict:
    options = {f"{n}_column": getattr(args, f"{n}_column") for n in
               ("code", "term", "status", "group") if getattr(args, f"{n}_column")}
    if args.delimiter:
        options["delimiter"] = args.delimiter.replace("\\t", "\t")
    if args.sheet:
        options["sheet"] = args.sheet
    if args.skip_invalid:
        options["skip_invalid"] = True
    return options


def _targets(args, found: list) -> list[Path]:
    from codelists.codelist.template import slug

    if len(found) == 1:
        return [Path(args.output or Path(args.source).with_suffix(".codelist").name)]
    folder = Path(args.output or ".")
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder} is a file, and the source holds {len(found)} codelists",
                         hint="pass --output FOLDER")
    stem = Path(args.source).stem
    return [folder / f"{slug(stem + '-' + str(i.meta.get('member') or i.system))}.codelist"
            for i in found]


def cmd_import(args) -> int:
    from codelists.codelist.fileformat import save
    from codelists.errors import InputFileError
    from codelists.formats import import_all
    from codelists.formats.table import to_codelist

    found = import_all(args.source, format=args.format, system=args.system,
                       **_import_options(args))
    if args.expand:
        if len(found) != 1 or not found[0].format.startswith("OpenCodelists definition"):
            raise UsageError("--expand applies to OpenCodelists definition.csv files")
        from codelists.formats.opencodelists import expand_definition

        found = [expand_definition(found[0], _open_store(args, found[0].system,
                                                         required=True))]
    targets = _targets(args, found)
    for target in targets:
        if target.exists() and not args.force:
            raise InputFileError("already exists", path=target, hint="pass --force or -o OTHER")
    if len(targets) > 1:
        targets[0].parent.mkdir(parents=True, exist_ok=True)
    reports = []
    for imported, target in zip(found, targets, strict=True):
        cl = to_codelist(imported, id=args.id if len(found) == 1 else None,
                         title=args.title if len(found) == 1 else None, path=target)
        save(cl, target)
        reports.append((imported, target, cl))
    _import_report(args, reports)
    return 0


def _import_report(args, reports) -> None:
    if args.json:
        items = [{"file": str(target), "system": imported.system, "format": imported.format,
                  "codes": len(cl.active_codes()), "excluded": len(cl.excluded_codes()),
                  "notes": imported.notes} for imported, target, cl in reports]
        output.print_json(items[0] if len(items) == 1 else items)
        return
    for imported, target, cl in reports:
        for note in imported.notes[:20]:
            if note.startswith(("codes from column", "terms from column")):
                sys.stderr.write(f"note: {note}\n")  # how the file was read, not a problem
            else:
                output.warn(note)
        if len(imported.notes) > 20:
            output.warn(f"... and {len(imported.notes) - 20} more notes (see --json)")
        output.print_text(f"Imported {len(cl.active_codes())} {imported.system} codes from "
                          f"{imported.format} into {target}")


def _export(sub) -> None:
    from codelists.formats import EXPORTERS

    p = _parser(sub, "export", "write a codelist in another format",
                "Formats: " + ", ".join(EXPORTERS) + ".  Includes are resolved (the "
                "effective set is exported).  CSV and Excel cells that a spreadsheet would "
                "run as formulas are neutralised.")
    p.add_argument("file", help=FILE_HELP)
    p.add_argument("--format", "-f", default="csv", help="output format (default csv)")
    p.add_argument("--output", "-o", help="write here (default: stdout; needed for excel)")
    p.add_argument("--columns", help="csv: extra columns, comma-separated: status, "
                   "uncertainty, tags, comment, tag:KEY, maps:SYSTEM")
    p.add_argument("--include-excluded", action="store_true",
                   help="csv: also write excluded and pending lines (see the status column)")
    p.add_argument("--base-url", help="fhir: canonical base URL for the ValueSet")
    _registry_options(p)
    output.add_store_options(p)
    p.set_defaults(func=cmd_export)


def _export_options(args, cl) -> dict:
    from codelists.formats import EXPORTERS, canonical

    name = canonical(args.format, EXPORTERS)
    options: dict = {}
    if name == "csv":
        columns = [c.strip() for c in (args.columns or "").split(",") if c.strip()]
        options["columns"] = columns
        if args.include_excluded:
            options["include"] = ("active", "excluded", "pending")
        if any(c.startswith("maps:") for c in columns):
            from codelists.terminology.crossmap import map_code

            store = _open_store(args, cl.system.id, required=True)
            options["maps"] = lambda code, target: [
                m.target_code for m in map_code(store, code, target)]
    elif args.columns or args.include_excluded:
        raise UsageError("--columns and --include-excluded apply to --format csv")
    if name == "ecl":
        options["terminology"] = _open_store(args, cl.system.id,
                                             required=not cl.definition.is_empty())
    if name == "fhir" and args.base_url:
        options["base_url"] = args.base_url
    return options


def cmd_export(args) -> int:
    from codelists.codelist.compose import resolve
    from codelists.codelist.fileformat import write_atomic
    from codelists.formats import export

    cl = _load(args.file)
    if cl.includes:
        cl = resolve(cl, registry=args.codelists, refresh=args.refresh)
    data = export(cl, args.format, **_export_options(args, cl))
    if args.output:
        write_atomic(args.output, data)
        output.print_text(f"Exported {len(cl.active_codes())} code(s) to {args.output}")
    elif isinstance(data, bytes):
        raise UsageError("this format is binary", hint="pass --output FILE.xlsx")
    else:
        sys.stdout.write(data)
    return 0


# -- lock / check ---------------------------------------------------------------------------
def _lock(sub) -> None:
    p = _parser(sub, "lock", "write a manifest of content hashes (OpenSAFELY codelists.json)")
    p.add_argument("paths", nargs="*", default=["codelists"],
                   help="files or folders (default: ./codelists)")
    p.add_argument("--manifest", "-m", help="manifest path (default: codelists.json in the "
                   "first folder given)")
    p.set_defaults(func=cmd_lock)


def _manifest(args) -> Path:
    if args.manifest:
        return Path(args.manifest)
    first = Path(args.paths[0]) if args.paths else Path("codelists")
    return (first if first.is_dir() else first.parent) / "codelists.json"


def cmd_lock(args) -> int:
    from codelists.codelist.lock import lock

    data = lock(args.paths, _manifest(args))
    output.print_text(f"Locked {len(data['files'])} file(s) in {_manifest(args)}")
    return 0


def _check(sub) -> None:
    p = _parser(sub, "check", "exit 1 when a locked file drifted (for CI)",
                "Exit 1 when a locked file is missing or changed (line endings ignored), "
                "when a file under PATHS is not locked, or when OpenSAFELY's codelists.txt "
                "beside the manifest and the manifest disagree.  With --upstream, also ask "
                "the repository the lists came from (its /api/v1/check/) which changed "
                "upstream, were added or removed.")
    p.add_argument("paths", nargs="*", default=["codelists"],
                   help="files or folders that must all be locked (default: ./codelists)")
    p.add_argument("--manifest", "-m", help="manifest path (default: codelists.json in the "
                   "first folder given)")
    p.add_argument("--upstream", action="store_true",
                   help="also report lists changed in the repository (see `codelist pull`)")
    p.add_argument("--from", dest="source", metavar="URL",
                   help="the repository for --upstream (default as for `codelist pull`)")
    _json(p)
    p.set_defaults(func=cmd_check)


def _upstream(folder: Path, source: str | None) -> list:
    from codelists.errors import Problem
    from codelists.formats.repository_client import base_url, upstream_changes

    url = base_url(source)
    report = upstream_changes(folder, url)
    where = str(folder / "codelists.txt")
    problems = []
    if report.error:
        problems.append(Problem("upstream", "error", report.error, where,
                                hint="fix codelists.txt, then `codelist pull`"))
    for ident in report.changed:
        problems.append(Problem("upstream-changed", "error", f"{ident} changed in {url}",
                                where, hint="`codelist pull` to download it again"))
    for ident in report.added:
        problems.append(Problem("upstream-added", "error", f"{ident} is in codelists.txt "
                                "but was never pulled", where, hint="`codelist pull`"))
    for ident in report.removed:
        problems.append(Problem("upstream-removed", "error", f"{ident} was pulled but is no "
                                "longer in codelists.txt", where, hint="`codelist pull`"))
    return problems


def cmd_check(args) -> int:
    from codelists.codelist.lock import check

    problems = check(_manifest(args), paths=[p for p in args.paths if Path(p).exists()])
    if args.upstream:
        problems += _upstream(_manifest(args).parent, args.source)
    _problems_out(problems, args, "ok" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0
