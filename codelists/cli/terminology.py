"""`codelist terminology ...`: import releases, list stores, look codes up and search.

Every read command opens its store through :func:`codelists.terminology.registry.
open_terminology`, so the same commands work for every coding system's store.
"""

from __future__ import annotations

import argparse
import inspect
import time
from pathlib import Path

from codelists.cli import output
from codelists.cli import terminology_render as render
from codelists.errors import UsageError
from codelists.terminology import locate, registry
from codelists.terminology.store import read_metadata

HELP = "import terminology releases; look codes up; search"


def register(subparsers) -> None:
    """Add `codelist terminology` and its commands."""
    parser = subparsers.add_parser(
        "terminology", help=HELP, description=HELP.capitalize() + ".",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Stores are found by --db, CODELISTS_DB, codelists.toml, then the data "
        "directory (see `codelist terminology list`).",
    )
    sub = parser.add_subparsers(dest="terminology_command", metavar="COMMAND")
    parser.set_defaults(func=lambda args: _usage(parser))
    _import_parser(sub)
    _list_parser(sub)
    _info_parser(sub)
    _show_parser(sub)
    _hierarchy_parser(sub, "descendants", "codes below CODE in the hierarchy")
    _hierarchy_parser(sub, "ancestors", "codes above CODE in the hierarchy")
    _search_parser(sub)
    from codelists.cli import terminology_maps

    terminology_maps.register(sub)
    from codelists.cli import terminology_vectors

    terminology_vectors.register(sub)


def _usage(parser) -> int:
    parser.print_help()
    return 2


def _json_option(parser) -> None:
    parser.add_argument("--json", action="store_true", help="write JSON instead of text")


# -- import ------------------------------------------------------------------------
def _import_parser(sub) -> None:
    p = sub.add_parser(
        "import", help="build a store from a release zip, file or folder",
        description="Build a terminology store from a release as published (SNOMED CT RF2 "
        "zip or folder: International, UK Clinical, UK Monolith, UK Drug; Snapshot, or "
        "Full when only Full files exist).  The store is built in a temporary file and "
        "moved into place only when complete; a failed import leaves any previous store "
        "untouched.",
    )
    p.add_argument("path", metavar="PATH", help="release zip, file or folder (or the name "
                   "of a coding system whose release ships with a package, e.g. icd10cm)")
    p.add_argument("--db", metavar="DEST", help="where to write the store (default: the "
                   "data directory, named after the edition and release date)")
    p.add_argument("--system", metavar="SYSTEM", help="coding system of the release "
                   "(default: detected from its files)")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    _json_option(p)
    p.set_defaults(func=run_import)


def run_import(args) -> int:
    source: Path | None = Path(args.path)
    if args.system:
        system = args.system
    elif not source.exists() and args.path in registry.IMPORTERS:
        # a coding system whose release ships with a package (`import icd10cm`)
        system, source = args.path, None
    else:
        system = registry.detect_system(source)
    importer = registry.importer_for(system)
    options = {}
    started = time.monotonic()
    show_bar = not (args.quiet or args.json)
    warnings: list[str] = []
    with render.ImportProgress(enabled=show_bar) as bar:
        if "progress" in inspect.signature(importer).parameters:
            options["progress"] = bar.callback(warnings)
        store = importer(source, args.db, **options)
    elapsed = time.monotonic() - started
    meta = read_metadata(store)
    summary = {"store": str(store), "seconds": round(elapsed, 1), **meta.as_dict()}
    if args.json:
        output.print_json(summary)
    else:
        render.import_summary(summary, warnings)
    return 0


# -- list / info -----------------------------------------------------------------------
def _list_parser(sub) -> None:
    p = sub.add_parser("list", help="stores in the data directory",
                       description="List the stores in the data directory "
                       "(CODELISTS_DATA_DIR or the XDG data directory).")
    _json_option(p)
    p.set_defaults(func=run_list)


def run_list(args) -> int:
    stores = locate.list_stores()
    rows = [{"path": str(s.path), "terminology": s.metadata.terminology,
             "edition": s.metadata.edition, "release_date": s.metadata.release_date,
             "build_time": s.metadata.build_time} for s in stores]
    if args.json:
        output.print_json({"data_dir": str(locate.data_dir()), "stores": rows})
    else:
        render.store_list(rows, locate.data_dir())
    return 0


def _store_parser(sub, name: str, help_: str, description: str | None = None):
    p = sub.add_parser(name, help=help_, description=description or help_[0].upper()
                       + help_[1:] + ".")
    output.add_store_options(p)
    _json_option(p)
    return p


def _open(args):
    path = locate.locate_store(args.db, terminology=getattr(args, "terminology", None))
    return registry.open_terminology(path)


def _info_parser(sub) -> None:
    p = _store_parser(sub, "info", "what a store holds (metadata and counts)")
    p.set_defaults(func=run_info)


def run_info(args) -> int:
    path = locate.locate_store(args.db, terminology=args.terminology)
    meta = read_metadata(path)
    data = {"path": str(path), **meta.as_dict()}
    if args.json:
        output.print_json(data)
    else:
        render.info(data)
    return 0


# -- show / hierarchy --------------------------------------------------------------
def _show_parser(sub) -> None:
    p = _store_parser(sub, "show", "everything about one code",
                      "Show a code: its terms by type, preferred term per dialect, parents, "
                      "children, counts of ancestors and descendants, attributes by group, "
                      "refsets, maps, and for an inactive concept its reason and "
                      "replacements.")
    p.add_argument("code", metavar="CODE")
    p.set_defaults(func=run_show)


def run_show(args) -> int:
    with _open(args) as terminology:
        detail = terminology.show(args.code)
    if args.json:
        output.print_json(detail.as_dict())
    else:
        render.detail(detail)
    return 0


def _hierarchy_parser(sub, name: str, help_: str) -> None:
    p = _store_parser(sub, name, help_)
    p.add_argument("code", metavar="CODE")
    p.add_argument("--self", dest="include_self", action="store_true",
                   help="include CODE itself")
    p.add_argument("--codes-only", action="store_true", help="one code a line, no terms")
    p.set_defaults(func=run_hierarchy, direction=name)


def run_hierarchy(args) -> int:
    from codelists.terminology.tree import ancestor_order, hierarchy_order

    with _open(args) as terminology:
        if args.direction == "descendants":
            order = hierarchy_order(terminology, args.code, include_self=args.include_self)
        else:  # from the top down, one level of indent each
            found = ancestor_order(terminology, args.code, include_self=args.include_self)
            order = [(c, 1) for c in found]
        concepts = terminology.lookup_many([c for c, _ in order])
    rows = [{**(concepts[c].as_dict() if c in concepts else {"code": c, "term": ""}),
             "depth": depth} for c, depth in order]
    if args.json:
        output.print_json(rows)
    else:
        render.concept_rows(rows, codes_only=args.codes_only)
    return 0


# -- search ------------------------------------------------------------------------
def _search_parser(sub) -> None:
    p = _store_parser(
        sub, "search", "ranked full-text search over every term",
        "Search every description (preferred terms, synonyms, inclusion terms): ranked "
        "full-text with prefix matching (each word matches the start of a word, in British "
        "or American spelling: dyspnoea finds dyspnea), or with --regex a Python regular "
        "expression (case-insensitive unless --case-sensitive).  Best first: the exact "
        "term, then terms with every word (shortest first), then terms with most of the "
        "words.  A table: one row per code with why it matched, and a count.")
    p.add_argument("query", metavar="QUERY")
    p.add_argument("--regex", action="store_true",
                   help="QUERY is a Python regular expression over every description")
    p.add_argument("--case-sensitive", action="store_true", help="with --regex: match case")
    p.add_argument("--all-words", action="store_true",
                   help="only descriptions with every word (by default, when fewer than "
                        "--limit have them, descriptions with most of the words follow)")
    p.add_argument("--whole-words", action="store_true",
                   help="each word matches whole words only (by default a word matches the "
                        "start of a word: 'asth' finds Asthma)")
    p.add_argument("--within", metavar="CODE", help="only CODE and its descendants")
    p.add_argument("--include-inactive", action="store_true",
                   help="also inactive codes and inactive descriptions")
    p.add_argument("--limit", type=int, default=50, metavar="N",
                   help="at most N results (default 50; 0 for all with --regex)")
    p.set_defaults(func=run_search)


def run_search(args) -> int:
    if args.limit < 0 or (args.limit == 0 and not args.regex):
        raise UsageError("--limit must be a positive number (0 means all only with --regex)")
    if args.regex and args.whole_words:
        raise UsageError("--whole-words is for full-text search, not --regex",
                         hint=r"in a regular expression, mark word ends with \b")
    with _open(args) as terminology:
        if args.regex:
            options = {"ignore_case": not args.case_sensitive} if args.case_sensitive else {}
            hits = terminology.search_regex(args.query, limit=args.limit or None,
                                            within=args.within,
                                            include_inactive=args.include_inactive, **options)
        else:
            hits = terminology.search(args.query, limit=args.limit, within=args.within,
                                      include_inactive=args.include_inactive,
                                      partial=not args.all_words,
                                      whole_words=args.whole_words)
    if args.json:
        output.print_json([h.as_dict() for h in hits])
    else:
        render.hits(hits, limit=None if args.regex and not args.limit else args.limit)
    return 0
