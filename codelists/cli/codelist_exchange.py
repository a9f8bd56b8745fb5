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
                "--format is given).  The coding system is detected from headers and code "
                "shapes unless --system is given.  Never overwrites without --force.")
    p.add_argument("source", help="the file to import")
    p.add_argument("--output", "-o", help="the .codelist to write (default: SOURCE stem)")
    p.add_argument("--format", "-f", help="input format")
    p.add_argument("--system", "-s", help="coding system (overrides detection)")
    for name in ("code", "term", "status", "group"):
        p.add_argument(f"--{name}-column", metavar="NAME",
                       help=f"{name} column of a delimited/Excel file")
    p.add_argument("--delimiter", help="delimiter of a delimited file (default: sniffed)")
    p.add_argument("--sheet", help="worksheet of an Excel file")
    p.add_argument("--id")
    p.add_argument("--title")
    p.add_argument("--force", action="store_true", help="overwrite an existing .codelist")
    p.add_argument("--expand", action="store_true",
                   help="definition.csv: expand the rules against a store into codes")
    output.add_store_options(p)
    _json(p)
    p.set_defaults(func=cmd_import)


def cmd_import(args) -> int:
    from codelists.codelist.fileformat import save
    from codelists.errors import InputFileError
    from codelists.formats import import_file
    from codelists.formats.table import to_codelist

    options = {f"{n}_column": getattr(args, f"{n}_column") for n in
               ("code", "term", "status", "group") if getattr(args, f"{n}_column")}
    if args.delimiter:
        options["delimiter"] = args.delimiter.replace("\\t", "\t")
    if args.sheet:
        options["sheet"] = args.sheet
    imported = import_file(args.source, format=args.format, system=args.system, **options)
    if args.expand:
        if not imported.format.startswith("OpenCodelists definition"):
            raise UsageError("--expand applies to OpenCodelists definition.csv files")
        from codelists.formats.opencodelists import expand_definition

        imported = expand_definition(imported, _open_store(args, imported.system,
                                                           required=True))
    target = Path(args.output or Path(args.source).with_suffix(".codelist").name)
    if target.exists() and not args.force:
        raise InputFileError("already exists", path=target, hint="pass --force or -o OTHER")
    cl = to_codelist(imported, id=args.id, title=args.title, path=target)
    save(cl, target)
    if args.json:
        output.print_json({"file": str(target), "system": imported.system,
                           "format": imported.format, "codes": len(cl.active_codes()),
                           "excluded": len(cl.excluded_codes()), "notes": imported.notes})
    else:
        for note in imported.notes[:20]:
            output.warn(note)
        if len(imported.notes) > 20:
            output.warn(f"... and {len(imported.notes) - 20} more notes (see --json)")
        output.print_text(f"Imported {len(cl.active_codes())} {imported.system} codes from "
                          f"{imported.format} into {target}")
    return 0


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
                "beside the manifest and the manifest disagree.")
    p.add_argument("paths", nargs="*", default=["codelists"],
                   help="files or folders that must all be locked (default: ./codelists)")
    p.add_argument("--manifest", "-m", help="manifest path (default: codelists.json in the "
                   "first folder given)")
    _json(p)
    p.set_defaults(func=cmd_check)


def cmd_check(args) -> int:
    from codelists.codelist.lock import check

    problems = check(_manifest(args), paths=[p for p in args.paths if Path(p).exists()])
    _problems_out(problems, args, "ok" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0
