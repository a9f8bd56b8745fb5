"""`codelist pull`: fetch a study's codelists from an OpenCodelists-compatible repository
(one library call: codelists.formats.repository_client.pull)."""

from __future__ import annotations

from codelists.cli import output

HELP = "download the codelists of codelists.txt (OpenCodelists or our site)"


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "pull", help=HELP,
        description="Read FOLDER/codelists.txt (one owner/codelist/version a line, as "
                    "OpenSAFELY studies write it), download each list's CSV from the "
                    "repository -- and its .codelist file where the server offers one "
                    "(ours does) -- and write the manifest codelists.json, so `opensafely "
                    "codelists check` and `codelist check` pass. CSVs no longer listed are "
                    "deleted. The repository is --from, CODELISTS_REPOSITORY_URL, "
                    "[repository] url in codelists.toml, or https://www.opencodelists.org. "
                    "`codelist check --upstream` then reports lists changed upstream.")
    p.add_argument("folder", nargs="?", default="codelists",
                   help="the folder with codelists.txt (default: ./codelists)")
    p.add_argument("--from", dest="source", metavar="URL",
                   help="the repository's address, e.g. https://codelists.example.org")
    p.add_argument("--no-codelist", action="store_true",
                   help="download CSVs only, not .codelist files")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run)


def run(args) -> int:
    from codelists.formats.repository_client import base_url, pull

    source = base_url(args.source)
    result = pull(args.folder, source, with_codelist=not args.no_codelist)
    if args.json:
        output.print_json({"from": source, "written": result.written,
                           "codelist_files": result.codelist_files,
                           "removed": result.removed})
        return 0
    output.print_text(f"Pulled {len(result.written)} codelist(s) from {source} into "
                      f"{args.folder} ({len(result.codelist_files)} with a .codelist file)")
    for name in result.removed:
        output.print_text(f"deleted {name} (no longer in codelists.txt)")
    return 0
