"""What each column of a table holds: codes (and of which coding system), terms, or
other data.  One place that reasons about researchers' columns, used by every table
importer (CSV, tab-separated, Excel, Stata) and by anything else that reads sheets people
made by hand (reviewers' rating sheets).

Recognition is by header first, by content second:

- a header is reduced to lower-case letters and digits (``Read term``, ``read_term`` and
  ``ReadTerm`` are all ``readterm``) and read as *code-like* (ends in ``code``/``id``, or
  names a coding system: ``medcode``, ``snomedctconceptid``, ``ICD10``, ``OPCS4``,
  ``V2_READ_CODE``, ``clinical_code``), *term-like* (``term``, ``desc``, ``description``,
  ``display``, ``name``, ``rubric``: ``ICD10codeDescr``, ``Term.from.EMIS``,
  ``concept_name``) or neither (``category``, ``n``, ``score``);
- each code-like column's cells are then checked against the coding systems its header
  suggests (or every system, for a bare ``code``/``id``): a system *fits* a column when
  every non-missing cell is a well-formed code of it without changing shape (see
  :func:`codelists.terminology.normalise.fits`);
- the term column is the term-like column named most like a term (``term`` before
  ``description`` before ``name``), else the first column of words that differ row to row;
- the code column is the first code-like column with no invalid cell (fewest missing
  cells first); when none is clean, the one with the fewest invalid cells is reported
  with its bad cells, never silently taken.  :attr:`Recognition.reason` says which column
  was used and why.

Missing cells are empty or one of :data:`MISSING` (R's ``NA``, Stata's ``.``, SQL's
``NULL``).  Duplicate header names are an error naming the columns.

Public API: :func:`header_kind`, :func:`header_systems`, :func:`duplicate_names`,
:func:`is_missing`, :func:`examine`, :func:`recognise`, :class:`Column`,
:class:`Recognition`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from codelists.errors import InputFileError

#: cell values that mean "no value" in R, Stata, SQL and spreadsheet exports
MISSING = frozenset({"", "na", "n/a", "nan", ".", "null", "none", "#n/a", "-"})

_CODE_ENDS = ("code", "codes", "id", "ids", "cd", "cui", "codeid")
_TERM_WORDS = ("term", "desc", "description", "descr", "display", "rubric", "label",
               "name", "title")
_TERM_EXACT = ("nm", "text", "preferredterm")
#: header stems naming a coding system -> the systems a column so named may hold
_SYSTEM_STEMS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("medcodeid", ("cprd_aurum_medcodeid",)),
    ("medcode", ("cprd_medcode", "cprd_aurum_medcodeid")),
    ("prodcodeid", ("cprd_prodcode",)), ("prodcode", ("cprd_prodcode",)),
    ("productcode", ("cprd_prodcode",)), ("gemscript", ("dictionary",)),
    ("ctv3", ("ctv3",)), ("readv3", ("ctv3",)), ("v3read", ("ctv3",)),
    ("read2", ("readv2",)), ("readv2", ("readv2",)), ("v2read", ("readv2",)),
    ("read", ("readv2", "ctv3")),
    ("icd10cm", ("icd10cm",)), ("icd10pcs", ("icd10pcs",)), ("icd9", ("icd9cm",)),
    ("icd10", ("icd10", "icd10cm")), ("icd", ("icd10", "icd10cm", "icd9cm")),
    ("opcs", ("opcs4",)), ("snomed", ("snomedct",)), ("sct", ("snomedct",)),
    ("conceptid", ("snomedct", "omop")), ("dmd", ("dmd",)), ("vpid", ("dmd",)),
    ("apid", ("dmd",)), ("vtmid", ("dmd",)), ("bnf", ("bnf",)), ("loinc", ("loinc",)),
    ("rxnorm", ("rxnorm",)), ("rxcui", ("rxnorm",)), ("atc", ("atc",)),
    ("cpt", ("cpt4",)), ("hcpcs", ("hcpcs",)),
)
_SYSTEM_WORDS = tuple(stem for stem, _ in _SYSTEM_STEMS) + ("clinicalcode", "concept")


def squash(name: str) -> str:
    """A header as lower-case letters and digits only (``Read term`` -> ``readterm``)."""
    return re.sub(r"[^a-z0-9]", "", str(name).lower())


def is_missing(value: object) -> bool:
    """True for an empty cell or a missing-value marker (``NA``, ``.``, ``NULL``)."""
    if value is None:
        return True
    if isinstance(value, str) and len(value) > 6 and not value[0].isspace():
        return False
    return str(value).replace("\u00a0", " ").strip().lower() in MISSING


def header_kind(name: str) -> str:
    """``"code"``, ``"term"`` or ``"other"``: what a column's header says it holds."""
    key = squash(name)
    if not key:
        return "other"
    if key.endswith(_CODE_ENDS) and not key.endswith(("termcode",)) or key in ("code", "id"):
        return "code"
    if key in _TERM_EXACT or any(word in key for word in _TERM_WORDS):
        return "term"
    if key.startswith(_SYSTEM_WORDS) or key in ("icd10", "opcs4", "ctv3", "bnf", "read"):
        return "code"
    return "other"


def header_systems(name: str) -> tuple[str, ...]:
    """The coding systems a code column's header names (empty for a bare ``code``)."""
    key = squash(name)
    for stem, systems in _SYSTEM_STEMS:
        if stem in key:
            return systems
    return ()


def duplicate_names(header: Sequence[str]) -> list[str]:
    """Header names used by more than one column (case and spacing ignored)."""
    seen: dict[str, list[str]] = {}
    for name in header:
        if str(name).strip():
            seen.setdefault(str(name).strip().lower(), []).append(str(name))
    return [names[0] for names in seen.values() if len(names) > 1]


@dataclass(frozen=True)
class Column:
    """The evidence about one column."""

    name: str
    index: int
    kind: str  # code / term / other (from the header)
    systems: tuple[str, ...] = ()  # systems every non-missing cell fits
    system: str | None = None  # the system judged (fitting, or the best of the header's)
    cells: int = 0
    missing: int = 0
    invalid: tuple[tuple[int, str], ...] = ()  # (line, cell) that do not fit ``system``
    invalid_count: int = 0
    wordy: float = 0.0  # share of cells that read as words (spaces, lower-case letters)
    values: Sequence[str] = field(default=(), repr=False, compare=False)
    sampled: bool = False  # judged on a sample only (a column not chosen)

    @property
    def clean(self) -> bool:
        return self.invalid_count == 0 and self.cells > self.missing


@dataclass(frozen=True)
class Recognition:
    """Which column holds the codes (and in which systems), which holds the terms."""

    code: Column | None
    term: Column | None
    columns: tuple[Column, ...] = field(default_factory=tuple)
    reason: str = ""


def _cells(rows: Sequence[Sequence[str]], index: int) -> list[str]:
    return [row[index] if index < len(row) else "" for row in rows]


def _wordy(values: list[str]) -> float:
    sample = [v for v in values[:200] if not is_missing(v)]
    if not sample:
        return 0.0
    return sum(1 for v in sample if " " in v.strip() or re.search(r"[a-z]{3}", v)) / len(sample)


def examine(name: str, index: int, values: list[str], lines: Sequence[int], *,
            systems: Sequence[str] | None = None, kind: str | None = None,
            full: bool = True) -> Column:
    """The evidence about one column: which ``systems`` fit every non-missing cell
    (``full=False``: judged on an even sample of 400 cells, :attr:`Column.sampled`)."""
    from codelists.terminology.detection import detection_order, misfits

    kind = kind or header_kind(name)
    present = [(line, v) for line, v in zip(lines, values, strict=False)
               if len(v) > 6 and not v[0].isspace() or not is_missing(v)]
    missing = len(values) - len(present)
    if kind != "code" and systems is None:
        return Column(name, index, kind, cells=len(values), missing=missing,
                      wordy=_wordy(values), values=values)
    candidates = list(systems or header_systems(name) or detection_order())
    probe = _spread(present, 400)
    survivors = [s for s in candidates if not misfits(s, probe)]
    checked = present if full else probe
    fitting = [s for s in survivors if not misfits(s, checked)] if full else survivors
    if fitting:
        system, bad = fitting[0], []
    else:
        system = min(candidates, key=lambda s: len(misfits(s, probe)))
        bad = misfits(system, checked)
    return Column(name, index, kind, tuple(fitting), system, len(values), missing,
                  tuple(bad[:20]), len(bad), _wordy(values), values, sampled=not full)


def _spread(items: list, size: int) -> list:
    if len(items) <= size:
        return items
    step = len(items) / size
    return [items[int(i * step)] for i in range(size)]


def _find(header: Sequence[str], wanted: str, what: str, path) -> int:
    for i, name in enumerate(header):
        if str(name).strip().lower() == wanted.strip().lower():
            return i
    for i, name in enumerate(header):
        if squash(name) == squash(wanted) and squash(wanted):
            return i
    raise InputFileError(f"no {what} column {wanted!r} (columns: {', '.join(header)})",
                         path=path, line=1, hint=f"check --{what}-column")


def recognise(header: Sequence[str], rows: Sequence[Sequence[str]], *,
              lines: Sequence[int] | None = None, code_column: str | None = None,
              term_column: str | None = None, system: str | None = None,
              path=None) -> Recognition:
    """The code and term columns of a table (``rows`` are lists of cells in header
    order; ``lines`` the source line of each row, for messages).

    Raises :class:`~codelists.errors.InputFileError` for duplicate header names, or when no
    column holds codes.
    """
    if dupes := duplicate_names(header):
        raise InputFileError(
            f"more than one column is named {', '.join(repr(d) for d in dupes)}", path=path,
            line=1, hint="rename the columns so each name is used once, or pass "
                         "--code-column with a unique name")
    lines = list(lines) if lines is not None else list(range(2, len(rows) + 2))
    systems = [system] if system else None
    if code_column is not None:
        index = _find(header, code_column, "code", path)
        code = examine(header[index], index, _cells(rows, index), lines, systems=systems,
                       kind="code")
        codes, reason = [code], f"column {header[index]!r} as given"
    else:
        codes = _examine_code_columns(header, rows, lines, systems)
        code, reason = _choose_code(codes)
        if code is None:
            code, reason = _by_content(header, rows, lines, systems)
    term = _choose_term(header, rows, lines, code, term_column, path)
    return Recognition(code, term, tuple(codes), reason)


def _examine_code_columns(header, rows, lines, systems) -> list[Column]:
    """Every code-like column judged on a sample; then, in order of preference, each
    sample-clean column checked in full until one is clean throughout (when none is,
    every column is checked in full, so the bad cells reported are all of them)."""
    codes = [examine(name, i, _cells(rows, i), lines, systems=systems, full=False)
             for i, name in enumerate(header) if header_kind(name) == "code"]

    def full(column: Column) -> Column:
        return examine(column.name, column.index, list(column.values), lines,
                       systems=systems, kind="code")

    for column in sorted(codes, key=lambda c: (not c.clean, c.missing > 0, c.index)):
        if not column.clean:
            break
        checked = full(column)
        codes[codes.index(column)] = checked
        if checked.clean:
            return codes
    return [full(c) if c.sampled else c for c in codes]


def _choose_code(columns: list[Column]) -> tuple[Column | None, str]:
    usable = [c for c in columns if c.cells > c.missing]
    if not usable:
        return None, ""
    clean = [c for c in usable if c.clean and not c.sampled]
    if clean:
        chosen = min(clean, key=lambda c: (c.missing > 0, c.index))
        why = f"every cell is a {chosen.system} code" if not chosen.missing else \
            f"every non-empty cell is a {chosen.system} code"
        others = [c.name for c in usable if c is not chosen]
        if others:
            why += f"; other code columns: {', '.join(others)}"
        return chosen, f"codes from column {chosen.name!r} ({why})"
    chosen = min(usable, key=lambda c: (c.invalid_count, c.index))
    return chosen, (f"codes from column {chosen.name!r}, but {chosen.invalid_count} of its "
                    f"cells are not {chosen.system} codes")


def _by_content(header, rows, lines, systems) -> tuple[Column | None, str]:
    """No header says "code": the first column whose cells all fit one system."""
    for i, name in enumerate(header):
        values = _cells(rows, i)
        if _wordy(values) > 0.5:
            continue
        column = examine(name, i, values, lines, systems=systems, kind="code")
        if column.clean:
            return column, (f"codes from column {name!r} (no header names a code column; "
                            f"every cell is a {column.system} code)")
    return None, ""


def _term_by_content(header, rows, lines, code: Column | None) -> Column | None:
    """No header says "term": the first other column of words that differ row to row
    (a description, not a category repeated down the rows)."""
    for i, name in enumerate(header):
        if (code is not None and i == code.index) or header_kind(name) == "code":
            continue
        values = _cells(rows, i)
        sample = [v.strip() for v in values[:500] if not is_missing(v)]
        if sample and _wordy(values) > 0.5 and len(set(sample)) > 0.8 * len(sample):
            return examine(name, i, values, lines, kind="term")
    return None


def _choose_term(header, rows, lines, code: Column | None, term_column, path) -> Column | None:
    if term_column is not None:
        index = _find(header, term_column, "term", path)
        return examine(header[index], index, _cells(rows, index), lines, kind="term")
    terms = [examine(name, i, _cells(rows, i), lines)
             for i, name in enumerate(header)
             if header_kind(name) == "term" and (code is None or i != code.index)]
    if not terms:
        return _term_by_content(header, rows, lines, code)

    def rank(column: Column) -> tuple:
        key = squash(column.name)
        exact = 0 if "term" in key else 1 if "desc" in key or "display" in key else 2
        return (column.cells == column.missing, exact, column.index)

    return min(terms, key=rank)
