"""`codelist convert`: a whole codelist through the installed maps to another system.

One library call (:mod:`codelists.codelist.convert`).
"""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

from codelists.cli import output
from codelists.cli.codelist_commands import FILE_HELP, _json, _load, _open_store, _parser
from codelists.errors import UsageError

MODES = ("codes", "table")


def register(subparsers) -> None:
    from codelists.terminology.normalise import SYSTEMS

    p = _parser(subparsers, "convert",
                "convert a codelist to another coding system through the installed maps",
                "Map every active code with the maps the installed releases supply: SNOMED "
                "CT -> ICD-10 and OPCS-4 (extended maps: group, priority, rule and advice "
                "kept) and -> CTV3; Read v2 / CTV3 -> SNOMED CT (NHS Data Migration "
                "tables); SNOMED CT -> Read v2 / CTV3 (those tables read backwards, from "
                "the target store); BNF <-> dm+d.  --mode codes (default) writes a new "
                "draft .codelist of the target codes, each line naming its source codes "
                "and map (from=, map= tags), unmapped codes listed; --mode table writes the "
                "full mapping table as CSV.")
    p.add_argument("file", help=FILE_HELP)
    p.add_argument("--to", dest="target", required=True, metavar="SYSTEM",
                   choices=[s for s in SYSTEMS if s != "dictionary"],
                   help="coding system to convert to (icd10, opcs4, ctv3, readv2, snomedct, "
                   "dmd, bnf)")
    p.add_argument("--mode", choices=MODES, default="codes",
                   help="codes: a new .codelist of the target codes (default); table: the "
                   "full mapping table (CSV)")
    p.add_argument("--output", "-o", metavar="PATH",
                   help="where to write (codes: default FILE.SYSTEM.codelist beside the "
                   "source; table: default stdout)")
    p.add_argument("--target-db", metavar="PATH",
                   help="store of the target system (terms, and maps read backwards); "
                   "default: the installed one, if any")
    _json(p)
    output.add_store_options(p)
    p.set_defaults(func=cmd_convert)


def _target_store(args):
    from codelists.errors import StoreNotFoundError
    from codelists.terminology.registry import open_terminology

    if args.target_db:
        if not Path(args.target_db).exists():
            raise StoreNotFoundError(f"no store at {args.target_db}", path=args.target_db,
                                     hint="check --target-db")
        return open_terminology(args.target_db)
    ns = SimpleNamespace(db=None, terminology=args.target)
    return _open_store(ns, args.target, required=False)


def cmd_convert(args) -> int:
    from codelists.codelist.convert import convert, converted_codelist, mapping_table
    from codelists.codelist.fileformat import save, write_atomic

    cl = _load(args.file)
    if cl.system.id == args.target:
        raise UsageError(f"{args.file} is already {cl.system.name}")
    source = _open_store(args, cl.system.id, required=True)
    target = _target_store(args)
    try:
        conversion = convert(cl, args.target, source=source, target=target)
    finally:
        source.close()
        if target is not None:
            target.close()
    if args.json:
        output.print_json(conversion.as_dict())
        return 0
    if args.mode == "table":
        text = mapping_table(conversion)
        if args.output:
            write_atomic(args.output, text.encode("utf-8"))
        else:
            sys.stdout.write(text)
            return 0
    else:
        path = Path(args.output or Path(args.file).with_suffix(f".{args.target}.codelist"))
        save(converted_codelist(conversion, cl, path), path)
        args.output = str(path)
    output.print_text(f"{len(conversion.targets())} {args.target} code(s) from "
                      f"{len(cl.active_codes())} {cl.system.id} code(s) -> {args.output}"
                      + (f"; {len(conversion.unmapped)} unmapped" if conversion.unmapped
                         else ""))
    return 0
