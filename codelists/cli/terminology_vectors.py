"""`codelist terminology vectors`: build a store's meaning vectors (for `suggest`)."""

from __future__ import annotations

from pathlib import Path

from codelists.cli import output


def register(sub) -> None:
    p = sub.add_parser(
        "vectors", help="build a store's meaning vectors once (for `codelist suggest`)",
        description="Run every distinct word of a store's descriptions through the "
                    "sentence-embedding model (all-MiniLM-L6-v2, from the `meaning` extra) "
                    "and write one vector per active description beside the store "
                    "(<store>.vectors/), or where --out says. Rebuild after importing a "
                    "new release; `suggest` refuses vectors of another release.")
    output.add_store_options(p)
    p.add_argument("--out", metavar="FOLDER",
                   help="write the vectors here (e.g. beside a read-only shared store)")
    p.add_argument("--reuse", metavar="FOLDER",
                   help="the vectors of an earlier release: only words it lacks go through "
                        "the model (much faster for a new release)")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=cmd_vectors)


def cmd_vectors(args) -> int:
    import time
    from types import SimpleNamespace

    from codelists.cli.terminology_render import ImportProgress
    from codelists.method.suggest.encoder import Encoder
    from codelists.terminology.locate import locate_store
    from codelists.terminology.vectors import build_vectors

    store = locate_store(args.db, terminology=args.terminology)
    started = time.monotonic()
    encoder = Encoder()
    with ImportProgress(enabled=not (args.quiet or args.json),
                        label="vectors: reading descriptions") as bar:
        on_event = bar.callback([])
        folder = build_vectors(
            store, encoder, destination=Path(args.out) if args.out else None,
            reuse=Path(args.reuse) if args.reuse else None,
            progress=lambda stage, done, total: on_event(
                SimpleNamespace(stage=f"vectors: {stage}", done=done, total=total)))
    from codelists.terminology.vectors import load_vectors

    meta = load_vectors(folder).meta
    result = {"store": str(store), "vectors": str(folder), "model": meta["model"],
              "words": meta["words"], "descriptions": meta["descriptions"],
              "seconds": round(time.monotonic() - started, 1)}
    if args.json:
        output.print_json(result)
    else:
        output.print_text(f"{meta['descriptions']:,} descriptions ({meta['words']:,} words) "
                          f"of {store.name} -> {folder} in {result['seconds']} s")
    return 0
