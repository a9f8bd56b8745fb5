"""Review sheets from outside the tool: any reviewer's CSV or Excel sheet with a code and
a rating column.

Panels already rate in their own spreadsheets (``code,term,rating,comment``), often with
the codes of another column (Read codes where the list holds CPRD medcodes).  Reading one:

- the table is read as codelist import reads tables (:mod:`codelists.formats.reading`:
  any delimiter or encoding, Excel sheets), and keeps the file's own line numbers;
- the **rating** column is the one whose header says so (``rating``, ``score``, ``vote``,
  ``decision``, ``include`` ...); ratings are 1, 2, 3 or the words include / unsure /
  exclude (yes / maybe / no);
- the **code** column is, among the columns whose header reads as codes
  (:func:`codelists.formats.columns.header_kind`; every column when none does), the one
  whose cells name the most codes of the round: directly (normalised for the list's coding
  system, so Excel damage such as ``719.0`` is undone) or through an alternative code the
  terminology maps each round code to (a Read code for a CPRD medcode);
- a **comment** column is optional (``comment``, ``notes``, ``reason``);
- the **reviewer** is the option given, else a ``reviewer`` column holding one name, else
  a panel member named in the file name (``ratings-GP2.xlsx``).

The result is a :class:`~codelists.method.delphi.RatingSheet` for the open round, checked
like an exported sheet (unknown, repeated, unrated and missing codes, each with its line),
so a malformed set is still refused whole with every defect listed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from codelists.errors import InputFileError
from codelists.formats.columns import header_kind, is_missing, squash
from codelists.formats.reading import read_table
from codelists.method.delphi import RatingSheet, Round, SheetRow

RATING_HEADERS = ("rating", "ratings", "rate", "rated", "score", "vote", "decision",
                  "include", "verdict", "response", "answer")
COMMENT_HEADERS = ("comment", "comments", "note", "notes", "reason", "remark", "remarks",
                   "feedback", "why")
REVIEWER_HEADERS = ("reviewer", "rater", "reviewername", "name_of_reviewer", "panelmember")
#: rating words -> the Delphi scale
RATING_WORDS = {"include": 1, "included": 1, "yes": 1, "y": 1, "keep": 1, "in": 1,
                "unsure": 2, "uncertain": 2, "maybe": 2, "possibly": 2, "?": 2, "unclear": 2,
                "exclude": 3, "excluded": 3, "no": 3, "n": 3, "drop": 3, "out": 3}


def parse_rating(value: str) -> int | None:
    """1, 2 or 3 from a cell (``"2"``, ``"2.0"``, ``"include"``); None when blank or
    unreadable (the raw value is kept for the message)."""
    text = str(value or "").strip().lower()
    if not text:
        return None
    if re.fullmatch(r"[123](\.0+)?", text):
        return int(text[0])
    word = re.split(r"[\s(:=-]", text, maxsplit=1)[0]
    return RATING_WORDS.get(text, RATING_WORDS.get(word))


def _find(header: Sequence[str], names: Sequence[str]) -> int | None:
    squashed = [squash(h) for h in header]
    for name in names:
        if squash(name) in squashed:
            return squashed.index(squash(name))
    for index, value in enumerate(squashed):  # "Rating (1-3)", "GP1 comments": the main
        for name in map(squash, names[:2]):   # name (or its plural) plus a little
            if (value.startswith(name) or value.endswith(name)) and \
                    len(value) <= len(name) + 8:
                return index
    return None


def alternative_codes(codes: Sequence[str], terminology) -> dict[str, str]:
    """Other codes for the round's codes, from the terminology's cross-maps:
    ``{"H33..00": "78", ...}`` (a code mapped from two round codes is left out)."""
    if terminology is None or not hasattr(terminology, "maps_from"):
        return {}
    found: dict[str, str] = {}
    clashing: set[str] = set()
    for code in codes:
        for entry in terminology.maps_from(code):
            other = str(entry.get("target_code") or "").strip()
            if not other:
                continue
            if other in found and found[other] != code:
                clashing.add(other)
            found[other] = code
    return {k: v for k, v in found.items() if k not in clashing}


def _matcher(system, round_codes: Sequence[str], alternatives: dict[str, str]):
    from codelists.terminology.normalise import normalise_code

    wanted = set(round_codes)
    upper_alternatives = {k.upper(): v for k, v in alternatives.items()}

    def match(cell: str) -> str | None:
        raw = str(cell or "").strip()
        if not raw:
            return None
        if raw in wanted:
            return raw
        try:
            normal = normalise_code(system.id, raw).code
        except Exception:  # a cell that is no code of this system at all
            normal = None
        if normal in wanted:
            return normal
        return alternatives.get(raw) or upper_alternatives.get(raw.upper())

    return match


def _code_column(table, match) -> tuple[int, str]:
    """(index, why) of the column naming the most round codes."""
    candidates = [i for i, h in enumerate(table.header) if header_kind(h) == "code"]
    candidates = candidates or list(range(len(table.header)))
    best, best_hits = None, 0
    for index in candidates:
        hits = sum(1 for row in table.rows
                   if index < len(row) and match(row[index]) is not None)
        if hits > best_hits:
            best, best_hits = index, hits
    if best is None:
        raise InputFileError(
            "no column holds codes of this review round (columns: "
            f"{', '.join(table.header)})",
            hint="give the sheet a column of the list's codes, or of codes the terminology "
                 "maps them to (e.g. Read codes for CPRD medcodes), with a header such as "
                 "'code'")
    return best, f"codes from column '{table.header[best]}' ({best_hits} of the round's)"


def _reviewer(table, path: Path, given: str | None, panel: Sequence[str]) -> str:
    if given:
        return given
    index = _find(table.header, REVIEWER_HEADERS)
    if index is not None:
        names = {row[index].strip() for row in table.rows
                 if index < len(row) and not is_missing(row[index])}
        if len(names) == 1:
            return names.pop()
        if len(names) > 1:
            raise InputFileError(f"the reviewer column holds several names "
                                 f"({', '.join(sorted(names))})", path=path,
                                 hint="give one reviewer's ratings per sheet")
    stem = path.stem.lower()
    named = [p for p in panel if re.search(rf"(?<![a-z0-9]){re.escape(p.lower())}"
                                           rf"(?![a-z0-9])", stem)]
    if len(named) == 1:
        return named[0]
    raise InputFileError(
        "cannot tell whose ratings these are", path=path,
        hint=f"pass --reviewer NAME (the panel: {', '.join(panel)}), add a reviewer column, "
             "or put the reviewer's name in the file name")


def _rating_sheet(path: Path) -> str | None:
    """In a workbook of several sheets (a cover sheet, notes...), the one sheet whose first
    rows have a rating column (None: let the table reader choose)."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # the table reader reports an unreadable workbook
        return None
    try:
        found = []
        for ws in book.worksheets:
            for row in ws.iter_rows(max_row=10, values_only=True):
                cells = [str(v) for v in row if v not in (None, "")]
                if len(cells) >= 2 and _find(cells, RATING_HEADERS) is not None:
                    found.append(ws.title)
                    break
    finally:
        book.close()
    return found[0] if len(found) == 1 else None


def _cell(cells: Sequence[str], index: int | None) -> str:
    return cells[index] if index is not None and index < len(cells) else ""


def read_foreign(path: str | Path, *, codelist, rnd: Round, terminology=None,
                 reviewer: str | None = None, sheet: str | None = None) -> RatingSheet:
    """A reviewer's own sheet as a :class:`RatingSheet` of the round ``rnd``."""
    path = Path(path)
    if sheet is None and path.suffix.lower() in (".xlsx", ".xlsm"):
        sheet = _rating_sheet(path)
    table = read_table(path, sheet=sheet)
    if not table.header:
        raise InputFileError("the sheet has no header row", path=path,
                             hint="put column names (code, rating, ...) in the first row")
    rating_at = _find(table.header, RATING_HEADERS)
    if rating_at is None:
        raise InputFileError(f"no rating column (columns: {', '.join(table.header)})",
                             path=path, line=table.lines[0] - 1 if table.lines else 1,
                             hint="name the column of 1/2/3 ratings 'rating'")
    match = _matcher(codelist.system, rnd.codes, alternative_codes(rnd.codes, terminology))
    code_at, _why = _code_column(table, match)
    comment_at = _find(table.header, COMMENT_HEADERS)
    rows = []
    for cells, line in zip(table.rows, table.lines, strict=True):
        raw_code, raw_rating = _cell(cells, code_at).strip(), _cell(cells, rating_at).strip()
        if not raw_code and not raw_rating:
            continue
        comment = _cell(cells, comment_at)
        rows.append(SheetRow(match(raw_code) or raw_code, "", parse_rating(raw_rating),
                             "" if is_missing(comment) else comment.strip(),
                             row=line, raw_rating=raw_rating))
    name = _reviewer(table, path, reviewer, rnd.reviewers)
    return RatingSheet(codelist.id, rnd.number, name, rnd.key, rows)
