"""`codelist frequency`: how often a list's codes are used, in patient data or nationally.

Two forms share one command:

    codelist frequency FILE --events PATH [...]      the check on patient-level events
    codelist frequency published FILE --counts PATH  the check against published usage

Each is one library call (:func:`codelists.frequency.check.frequency_check`,
:func:`codelists.frequency.published.check_published`).
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from codelists.cli import output
from codelists.errors import UsageError

DESCRIPTION = """\
Count how often each code of a codelist is used in patient-level events, check that the
frequent codes are the certain ones, and repeat the outcome with only uncertainty-0 and
uncertainty<=1 codes (sensitivity analysis). Counts below --threshold are suppressed and
all counts rounded to --round before anything is shown or written.

  codelist frequency FILE --events PATH [--preset gold|aurum] [--cohort PATH]
                          [--window=-365:-1] [--engine duckdb|spark] [--out DIR]
  codelist frequency published FILE --counts PATH [--years 2019-2023] [--db STORE]
  codelist frequency example [DIR]   copy a small synthetic extract with a known answer
                                     (breathless.codelist, events.csv, cohort.csv) to DIR

The window is in days relative to each patient's index date, both ends included:
-365:-1 is the year before the index date without the index day; -365:0 includes it;
:-1 is any time before. Write it as --window=-365:-1 (or --window -365:-1).
"""


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "frequency", help="code usage in patient data (or national counts) with a "
                          "sensitivity analysis and disclosure control",
        description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter,
        usage="codelist frequency FILE --events PATH [options]\n"
              "       codelist frequency published FILE --counts PATH [options]\n"
              "       codelist frequency example [DIR]")
    # let option values such as -365:-1 through (argparse treats them as options otherwise)
    p._negative_number_matcher = re.compile(r"^-\d+[dwmy]?(:-?\d*[dwmy]?)?$|^-\d*\.\d+$")
    p.add_argument("target", metavar="FILE", help="the .codelist file (or the word "
                   "'published' followed by the file, or 'example' followed by a folder)")
    p.add_argument("file", nargs="?", metavar="FILE", help=argparse.SUPPRESS)
    ev = p.add_argument_group("patient-level events")
    ev.add_argument("--events", metavar="PATH", help="events file (.csv, .tsv/.txt, "
                    ".parquet, or a .duckdb database with --events-table)")
    ev.add_argument("--events-table", metavar="NAME", help="table of events inside the "
                    "database given by --events (.duckdb) or in the Spark catalog")
    ev.add_argument("--preset", choices=["gold", "aurum"], help="CPRD column names: gold = "
                    "patid, medcode, eventdate; aurum = patid, medcodeid, obsdate")
    ev.add_argument("--patient-col", metavar="NAME", help="patient column (default: patient)")
    ev.add_argument("--code-col", metavar="NAME", help="code column (default: code)")
    ev.add_argument("--date-col", metavar="NAME", help="event date column (default: date)")
    ev.add_argument("--date-format", choices=["auto", "iso", "dmy", "ymd"],
                    help="text dates: iso YYYY-MM-DD, dmy DD/MM/YYYY, ymd YYYYMMDD "
                         "(default: auto, detected from the first rows)")
    ev.add_argument("--cohort", metavar="PATH", help="cohort file: one row per patient "
                    "with an index date")
    ev.add_argument("--cohort-patient-col", metavar="NAME", help="cohort patient column "
                    "(default: the events' patient column name, else patient/patid)")
    ev.add_argument("--index-col", metavar="NAME", default="index_date",
                    help="cohort index date column (default: index_date)")
    ev.add_argument("--window", metavar="START:END", help="relative to the index date, "
                    "both ends included: days (-365:-1) or with units d/w/m/y in calendar "
                    "time (-1y:-1d, -6m:0; 29 February minus 1y is 28 February); needs "
                    "--cohort (default: any date)")
    ev.add_argument("--engine", choices=["duckdb", "spark"], default="duckdb",
                    help="duckdb in-process (default) or spark (Apache Spark through "
                         "pyspark, for data that outgrows one machine)")
    ev.add_argument("--spark-master", metavar="URL", default="local[*]",
                    help="Spark master for --engine spark (default: local[*])")
    episodes = ev.add_mutually_exclusive_group()
    episodes.add_argument("--count-duplicates", dest="dedupe_same_day", action="store_false",
                          help="count every record as an episode, exact duplicates (same "
                               "patient, code and day) included")
    episodes.add_argument("--dedupe-same-day", dest="dedupe_same_day", action="store_true",
                          help="count a patient's same code on the same day once (the "
                               "default)")
    p.set_defaults(dedupe_same_day=True)
    ev.add_argument("--record", action="store_true", help="record the (protected) result "
                    "in the codelist's method: block as frequency:")
    sdc = p.add_argument_group("disclosure control")
    sdc.add_argument("--threshold", type=int, default=10, metavar="N", help="suppress counts from 1 to "
                     "N-1 (default: 10; 0 disables)")
    sdc.add_argument("--round", dest="rounding", type=int, default=5, metavar="N",
                     help="round every count to the nearest N (default: 5; 1 disables)")
    pub = p.add_argument_group("published counts (codelist frequency published FILE)")
    pub.add_argument("--counts", metavar="PATH", help="published usage CSV (.csv or "
                     ".csv.gz), e.g. NHS HES icd10_usage.csv.gz")
    pub.add_argument("--years", metavar="FROM[-TO]", help="financial years by start year, "
                     "e.g. 2023 or 2019-2023 (default: all)")
    pub.add_argument("--db", metavar="PATH", help="terminology store for descendants and "
                     "siblings (default: code structure for ICD-10/OPCS-4)")
    out = p.add_argument_group("output")
    out.add_argument("--out", metavar="DIR", help="write frequency.csv, outcomes.csv, "
                     "frequency.json, frequency.md and pareto.png/.svg here")
    out.add_argument("--json", action="store_true", help="print the result as JSON")
    out.add_argument("--top", type=int, default=20, metavar="N", help="codes shown on screen (default 20)")
    p.set_defaults(func=run)


def run(args) -> int:
    if args.target == "example":
        from codelists.frequency.example import FILES, copy_example

        folder = Path(args.file or ".")
        written = copy_example(folder)
        for name in FILES:
            state = "written" if folder / name in written else "already there, left alone"
            output.print_text(f"{folder / name}: {state}")
        return 0
    if args.target == "published":
        if not args.file:
            raise UsageError("codelist frequency published needs a FILE",
                             hint="codelist frequency published FILE --counts PATH")
        return run_published(args)
    if args.file:
        raise UsageError(f"unexpected argument {args.file!r}")
    return run_events(args)


def _years(text: str | None) -> tuple[str, ...] | None:
    if not text:
        return None
    m = re.fullmatch(r"(\d{4})(?:-(\d{4}))?", text.strip())
    if not m:
        raise UsageError(f"cannot read years {text!r}", hint="write 2023 or 2019-2023")
    lo, hi = int(m.group(1)), int(m.group(2) or m.group(1))
    return tuple(str(y) for y in range(lo, hi + 1))


def run_events(args) -> int:
    from codelists.frequency.check import frequency_check, record_in_codelist
    from codelists.frequency.engines import connect
    from codelists.frequency.inputs import Window, column_map
    from codelists.frequency.outputs import to_markdown, write_all

    if not args.events:
        raise UsageError("--events is required", hint="give the events file with --events")
    if args.window and not args.cohort:
        raise UsageError("--window needs --cohort (index dates)")
    from codelists.codelist.fileformat import load
    from codelists.frequency.inputs import PRESET_SYSTEMS, CodeSet

    codes = CodeSet.from_codelist(load(args.target))
    if args.preset and codes.system != PRESET_SYSTEMS[args.preset]:
        raise UsageError(
            f"--preset {args.preset} events hold {PRESET_SYSTEMS[args.preset]} codes but "
            f"the list is {codes.system}", path=args.target,
            hint="map the list to the extract's codes first, or name the columns with "
                 "--patient-col/--code-col/--date-col")
    columns = column_map(args.preset, patient=args.patient_col, code=args.code_col,
                         date=args.date_col, date_format=args.date_format)
    window = Window.parse(args.window) if args.window else None
    events_path = Path(args.events)
    if args.events_table and args.engine == "duckdb":
        engine = connect("duckdb", database=events_path)
        events = engine.table(args.events_table)
    else:
        session = None
        if args.engine == "spark":
            from codelists.frequency.engines import local_spark_session

            session = local_spark_session(args.spark_master)
        engine = connect(args.engine, spark_session=session)
        events = engine.table(args.events_table) if args.events_table else events_path
    result = frequency_check(
        codes, events, columns=columns, cohort=args.cohort,
        cohort_patient=args.cohort_patient_col or columns.patient,
        cohort_index=args.index_col, window=window, dedupe_same_day=args.dedupe_same_day,
        engine=engine, threshold=args.threshold, rounding=args.rounding)
    if args.out:
        for path in write_all(result, args.out):
            output.stderr().print(f"wrote {path}")
    if args.record:
        record_in_codelist(args.target, result)
        output.stderr().print(f"recorded in {args.target} (method: frequency:)")
    if args.json:
        output.print_json(result.as_dict())
    else:
        output.print_text(to_markdown(result, top=args.top).rstrip())
    return 0


def run_published(args) -> int:
    from codelists.codelist.fileformat import load
    from codelists.frequency.inputs import CodeSet
    from codelists.frequency.published import check_published, load_counts, published_markdown

    if not args.counts:
        raise UsageError("--counts is required", hint="give the published usage CSV")
    codeset = CodeSet.from_codelist(load(args.file))
    counts = load_counts(args.counts, system=None, years=_years(args.years))
    terminology = None
    if args.db:
        from codelists.terminology.registry import open_terminology

        terminology = open_terminology(args.db)
    try:
        check = check_published(codeset, counts, terminology=terminology)
    finally:
        if terminology is not None:
            terminology.close()
    text = published_markdown(check)
    if args.out:
        from codelists.frequency.outputs import atomic_write

        atomic_write(Path(args.out) / "published.md", text.encode("utf-8"))
        atomic_write(Path(args.out) / "published.json",
                     (__import__("json").dumps(check.as_dict(), indent=2) + "\n").encode())
    if args.json:
        output.print_json(check.as_dict())
    else:
        output.print_text(text.rstrip())
    return 0
