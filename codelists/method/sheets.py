"""Review sheets on disk: write one per reviewer, read them back and check them.

The format is chosen by the file extension (``.xlsx`` -> :mod:`sheets_excel`, ``.csv`` ->
:mod:`sheets_csv`).  :func:`check_sheets` finds every problem in a batch of returned
sheets -- a missing rating, a value other than 1/2/3, an unknown or repeated code, a
code left out, a sheet from another codelist or round, the same reviewer twice -- and
raises one :class:`~codelists.errors.InputFileError` naming file and row, so that nothing
is imported unless everything is right.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from codelists.errors import InputFileError, Problem, UsageError
from codelists.method import sheets_csv, sheets_excel
from codelists.method.delphi import RATINGS, RatingSheet, Round

FORMATS = {".xlsx": sheets_excel, ".csv": sheets_csv}
MAX_LISTED = 25


def _module(path: Path):
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        raise UsageError(f"{path.name}: review sheets are .xlsx or .csv files",
                         hint="choose --format xlsx or csv") from None


def sheet_filename(sheet: RatingSheet, extension: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", sheet.reviewer).strip("-") or "reviewer"
    return f"{sheet.codelist_id}-round{sheet.round}-{safe}.{extension.lstrip('.')}"


def write_sheets(sheets: Sequence[RatingSheet], folder: str | Path,
                 extension: str = "xlsx") -> list[Path]:
    """Write each sheet into ``folder`` (created if needed); return the paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for sheet in sheets:
        path = folder / sheet_filename(sheet, extension)
        _module(path).write(sheet, path)
        paths.append(path)
    return paths


def is_exported(path: str | Path) -> bool:
    """Whether a file is a sheet `codelist review export` wrote (else a reviewer's own)."""
    path = Path(path)
    if not path.is_file():
        raise InputFileError("review sheet not found", path=path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return sheets_excel.is_exported(path)
    with path.open("rb") as handle:
        return sheets_csv.MARKER.encode() in handle.read(4096)


def read_sheet(path: str | Path) -> RatingSheet:
    path = Path(path)
    if not path.is_file():
        raise InputFileError("review sheet not found", path=path)
    return _module(path).read(path)


def check_sheet(sheet: RatingSheet, path: str | Path, codelist_id: str,
                rnd: Round) -> list[Problem]:
    """Every problem of one returned sheet against the round it should belong to."""
    path = str(path)
    problems: list[Problem] = []

    def add(message, line=None, code=None, hint=None):
        problems.append(Problem("review-sheet", "error", message, path, line, code, hint))

    if sheet.codelist_id != codelist_id:
        add(f"sheet is for codelist {sheet.codelist_id!r}, not {codelist_id!r}",
            hint="import it into the codelist it was exported from")
        return problems
    if sheet.round != rnd.number or sheet.key != rnd.key:
        add(f"sheet is from round {sheet.round} (key {sheet.key}); the open round is "
            f"{rnd.number} (key {rnd.key})", hint="export fresh sheets for the open round")
        return problems
    if sheet.reviewer not in rnd.reviewers:
        add(f"reviewer {sheet.reviewer!r} is not on this round's panel "
            f"({', '.join(rnd.reviewers)})")
    expected = set(rnd.codes)
    seen: dict[str, int | None] = {}
    for row in sheet.rows:
        if row.code not in expected:
            add(f"unknown code {row.code!r} (not in round {rnd.number})", row.row, row.code)
            continue
        if row.code in seen:
            add(f"code {row.code} is repeated (first at row {seen[row.code]})", row.row,
                row.code)
            continue
        seen[row.code] = row.row
        if row.rating is None and row.raw_rating in (None, ""):
            add(f"code {row.code} has no rating", row.row, row.code, "rate it 1, 2 or 3")
        elif row.rating not in RATINGS:
            add(f"code {row.code}: rating '{row.raw_rating}' is not 1, 2 or 3", row.row,
                row.code, "rate it 1, 2 or 3")
    for code in rnd.codes:
        if code not in seen and code in expected:
            add(f"code {code} is missing from the sheet", code=code,
                hint="restore the row and rate it")
    return problems


def check_sheets(pairs: Sequence[tuple[RatingSheet, Path]], codelist_id: str,
                 rnd: Round, *, replace: bool = False) -> None:
    """Raise one error listing every problem in a batch of sheets (nothing is imported)."""
    problems: list[Problem] = []
    reviewers: dict[str, Path] = {}
    for sheet, path in pairs:
        problems += check_sheet(sheet, path, codelist_id, rnd)
        if sheet.reviewer in reviewers:
            problems.append(Problem("review-sheet", "error",
                                    f"reviewer {sheet.reviewer!r} also returned "
                                    f"{reviewers[sheet.reviewer].name}", str(path)))
        reviewers[sheet.reviewer] = path
        if not replace and rnd.ratings.get(sheet.reviewer):
            problems.append(Problem("review-sheet", "error",
                                    f"ratings of {sheet.reviewer!r} for round {rnd.number} "
                                    "are already imported", str(path),
                                    hint="pass --replace to import them again"))
    if problems:
        raise sheet_error(problems)


def sheet_error(problems: Sequence[Problem]) -> InputFileError:
    first = problems[0]
    lines = [_describe(p) for p in problems[:MAX_LISTED]]
    more = len(problems) - MAX_LISTED
    if more > 0:
        lines.append(f"... and {more} more")
    message = (f"{len(problems)} problem(s) in the review sheets; nothing was imported:\n  "
               + "\n  ".join(lines))
    return InputFileError(message, hint=first.hint or "correct the sheets and import again")


def _describe(problem: Problem) -> str:
    where = Path(problem.path).name if problem.path else ""
    if problem.line is not None:
        where += f" row {problem.line}"
    return f"{where}: {problem.message}" if where else problem.message


def apply_sheets(rnd: Round, sheets: Sequence[RatingSheet]) -> None:
    """Record checked sheets' ratings and comments in the round (mutates ``rnd``)."""
    for sheet in sheets:
        rnd.ratings[sheet.reviewer] = {code: sheet.ratings()[code] for code in rnd.codes}
        comments = sheet.comments()
        if comments:
            rnd.comments[sheet.reviewer] = comments
        else:
            rnd.comments.pop(sheet.reviewer, None)
