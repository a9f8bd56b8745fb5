"""`codelist terminology map` (cross-maps between coding systems); registered by cli/terminology.py."""

from __future__ import annotations

from codelists.cli import output
from codelists.errors import UsageError
from codelists.terminology import crossmap, locate, registry
from codelists.terminology.normalise import SYSTEMS


def register(terminology_subparsers) -> None:
    """Add the map command to the `codelist terminology` group."""
    p = terminology_subparsers.add_parser(
        "map", help="map a code to another coding system",
        description="Map CODE to another coding system with the maps a release supplies: "
        "Read v2 and CTV3 to SNOMED CT from the NHS Data Migration tables imported with "
        "their release; SNOMED CT to ICD-10 and OPCS-4 from the SNOMED CT store's extended "
        "map refsets (and to CTV3 from its simple map); CTV3, ICD-10 and OPCS-4 back to "
        "SNOMED CT by reading those maps backwards (--snomed-db: a guide, not an "
        "equivalence); BNF <-> dm+d and CPRD codes from their tables.  With --output and "
        "no CODE, "
        "write every map of the store to SYSTEM as CSV.",
    )
    p.add_argument("code", metavar="CODE", nargs="?", help="the code to map")
    p.add_argument("--to", dest="target", required=True, metavar="SYSTEM",
                   choices=[s for s in SYSTEMS if s != "dictionary"],
                   help="coding system to map to (snomedct, icd10, opcs4, ctv3, ...)")
    output.add_store_options(p)
    p.add_argument("--snomed-db", metavar="PATH",
                   help="SNOMED CT store whose map refsets are read backwards "
                   "(CTV3, ICD-10, OPCS-4 -> SNOMED CT)")
    p.add_argument("--output", "-o", metavar="FILE",
                   help="write every map of the store to SYSTEM as CSV (no CODE)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run_map)


def run_map(args) -> int:
    path = locate.locate_store(args.db, terminology=args.terminology)
    with registry.open_terminology(path) as source:
        if args.output:
            return _export(source, args)
        if not args.code:
            raise UsageError("give a CODE to map, or --output FILE to export every map")
        snomed = None
        if args.snomed_db:
            snomed = registry.open_terminology(args.snomed_db)
        try:
            entries = crossmap.map_code(source, args.code, args.target, snomed=snomed)
        finally:
            if snomed is not None:
                snomed.close()
        _terms(entries, args)
    return 0


def _terms(entries, args) -> None:
    rows = [e.as_dict() for e in entries]
    if args.json:
        output.print_json({"code": args.code, "to": args.target, "maps": rows})
        return
    if not rows:
        output.print_text(f"{args.code}: no map to {args.target}")
        return
    for row in rows:
        extra = " ".join(f"{k}={row[k]}" for k in ("group", "priority", "relation")
                         if row.get(k) not in (None, ""))
        line = f"{row['source_code']} -> {row['target_code']}"
        if extra:
            line += f"  ({extra})"
        if row.get("rule") and row["rule"] not in ("TRUE", "OTHERWISE TRUE"):
            line += f"  rule: {row['rule']}"
        if row.get("advice"):
            line += f"  advice: {row['advice']}"
        output.print_text(line)


def _export(source, args) -> int:
    if args.code:
        raise UsageError("--output exports every map: leave out CODE")
    if source.system == "snomedct":
        entries = crossmap.iter_snomed_maps(source, args.target)
    else:
        entries = (e for e in crossmap.iter_store_maps(source)
                   if e.target_system == args.target)
    count = crossmap.export_maps(entries, args.output)
    if args.json:
        output.print_json({"output": args.output, "rows": count})
    else:
        output.print_text(f"wrote {count} maps to {args.output}")
    return 0
