"""`codelist suggest FILE`: codes the search missed, ranked, each with its evidence.

One library call (:func:`codelists.method.suggest.suggest`); the chosen suggestions are
added as pending lines tagged ``source=suggest:<kinds>`` unless ``--dry-run``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from codelists.cli import output

HELP = "propose codes the search missed (hierarchy, terminology, meaning, patient data)"
EPILOG = """Sources (--source, repeatable or comma-separated; default: hierarchy, terminology,
meaning when the store's vectors exist, data when --events is given):
  hierarchy    descendants of listed codes; siblings and parents whose children are mostly listed
  terminology  other descriptions and spellings matching the search; history replacements;
               codes cross-mapped (--also-db) to the same targets as listed codes
  meaning      descriptions close in meaning to the definition and the listed terms
               (needs `codelist terminology vectors` once per store, and the `meaning` extra)
  data         codes recorded within --window days of listed codes more often than expected
               (lift), with a minimum count and disclosure control

Seeds are the active and pending codes; excluded codes are never proposed, nor codes below
them. Suggestions become pending lines, so `screen`, `review` and `report` treat them like
search candidates."""


def register(subparsers) -> None:
    p = subparsers.add_parser("suggest", help=HELP, description=HELP[0].upper() + HELP[1:] + ".",
                              epilog=EPILOG,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("file", metavar="FILE", help="the .codelist file")
    output.add_store_options(p)
    p.add_argument("--source", action="append", metavar="KIND",
                   help="hierarchy, terminology, meaning or data (repeatable; default above)")
    p.add_argument("--limit", type=int, default=50, metavar="N",
                   help="propose at most N codes (default: 50; 0 for all)")
    p.add_argument("--min-score", type=float, default=0.0, metavar="S",
                   help="propose only codes scoring at least S (0-1)")
    p.add_argument("--min-share", type=float, default=0.5, metavar="F",
                   help="siblings and parents: share of the children already listed "
                        "(default: 0.5)")
    p.add_argument("--vectors", metavar="FOLDER",
                   help="the store's meaning vectors (default: <store>.vectors beside it)")
    p.add_argument("--also-db", action="append", metavar="PATH",
                   help="a store of another coding system to cross-map through (repeatable)")
    _data_options(p)
    p.add_argument("--dry-run", action="store_true", help="list the suggestions; change nothing")
    p.add_argument("--json", action="store_true", help="print the suggestions as JSON")
    p.set_defaults(func=cmd_suggest)


def _data_options(p) -> None:
    g = p.add_argument_group("patient data (source data)")
    g.add_argument("--events", metavar="FILE", help="events file (CSV, TSV or Parquet)")
    g.add_argument("--preset", choices=["gold", "aurum"], help="CPRD column names")
    g.add_argument("--patient-column", metavar="NAME")
    g.add_argument("--code-column", metavar="NAME")
    g.add_argument("--date-column", metavar="NAME")
    g.add_argument("--window", type=int, default=0, metavar="DAYS",
                   help="count codes recorded within DAYS of a listed code (default: 0, "
                        "the same day)")
    g.add_argument("--min-count", type=int, default=10, metavar="N",
                   help="a code needs at least N patients with it near a listed code "
                        "(default: 10; never below the disclosure threshold)")
    g.add_argument("--min-lift", type=float, default=2.0, metavar="X",
                   help="how many times more often than expected (default: 2)")
    g.add_argument("--threshold", type=int, default=None, metavar="N",
                   help="disclosure control: counts below N are never shown (default: 10)")


def _sources(args, store: Path, vectors_folder: Path) -> tuple[str, ...]:
    from codelists.method.suggest import check_sources

    if args.source:
        return check_sources(",".join(args.source).split(","))
    chosen = ["hierarchy", "terminology"]
    if (vectors_folder / "meta.json").is_file():
        chosen.append("meaning")
    if args.events:
        chosen.append("data")
    return tuple(chosen)


def cmd_suggest(args) -> int:
    from codelists.codelist.fileformat import load, save
    from codelists.method.suggest import add_suggestions, suggest
    from codelists.terminology.locate import locate_store
    from codelists.terminology.registry import open_terminology
    from codelists.terminology.vectors import vectors_path

    codelist = load(args.file)
    store = locate_store(args.db, terminology=args.terminology or codelist.meta.get("terminology"))
    folder = Path(args.vectors) if args.vectors else vectors_path(store)
    sources = _sources(args, store, folder)
    terminology = open_terminology(store)
    others = [open_terminology(Path(p)) for p in args.also_db or []]
    try:
        options = _source_inputs(args, sources, store, folder, codelist, terminology)
        from codelists.method.replay import store_release

        found = suggest(codelist, terminology, sources=sources, others=others,
                        release=store_release(store),
                        limit=args.limit or None, min_score=args.min_score,
                        min_share=args.min_share, **options)
    finally:
        for item in (terminology, *others):
            item.close()
    added = [] if args.dry_run else add_suggestions(codelist, found)
    if added:
        codelist.touch()
        save(codelist)
    if args.json:
        output.print_json({"sources": list(sources), "added": added,
                           "suggestions": [s.as_dict() for s in found]})
    else:
        _print(args, found, added, sources)
        if not args.source and "meaning" not in sources:
            output.print_text(f"(meaning not used: build the store's vectors once with "
                              f"`codelist terminology vectors --db {store}`)")
    return 0


def _source_inputs(args, sources, store, folder, codelist, terminology) -> dict:
    options: dict = {}
    if "meaning" in sources:
        from codelists.method.suggest.encoder import LazyEncoder, model_dir
        from codelists.terminology.vectors import load_vectors

        options["vectors"] = load_vectors(folder, store=store)
        options["encoder"] = LazyEncoder(model_dir())  # fails early when not installed
    if "data" in sources:
        options["cooccurrence"] = _cooccurrence(args, codelist)
        options["window_days"] = args.window
    return options


def _cooccurrence(args, codelist):
    from codelists.errors import UsageError
    from codelists.frequency.cooccurrence import cooccurring
    from codelists.frequency.disclosure import DEFAULT_THRESHOLD
    from codelists.frequency.inputs import column_map

    if not args.events:
        raise UsageError("the data source needs patient events", hint="give --events FILE")
    columns = column_map(args.preset, patient=args.patient_column, code=args.code_column,
                         date=args.date_column)
    seeds = sorted(set(codelist.active_codes()) | set(codelist.pending_codes()))
    return cooccurring(seeds, args.events, system=str(codelist.meta.get("terminology", "")),
                       columns=columns, window_days=args.window, min_count=args.min_count,
                       min_lift=args.min_lift,
                       threshold=args.threshold if args.threshold is not None
                       else DEFAULT_THRESHOLD)


def _print(args, found, added, sources) -> None:
    from rich.markup import escape
    from rich.table import Table

    console = output.stdout()
    if not found:
        console.print(f"No suggestions from {', '.join(sources)}.")
        return
    table = Table(title=f"{len(found)} suggestions from {', '.join(sources)}",
                  title_justify="left")
    for name in ("#", "code", "term", "score", "source", "why"):
        table.add_column(name, overflow="fold")
    for rank, s in enumerate(found, start=1):
        table.add_row(str(rank), s.code, escape(s.term), f"{s.score:.2f}",
                      s.source_tag().removeprefix("suggest:"), escape(s.reason()))
    console.print(table)
    if args.dry_run:
        console.print("Dry run: the codelist was not changed.")
    else:
        console.print(f"{len(added)} added to {args.file} as pending lines "
                      "(source=suggest:...); screen or review them next.")
