"""Per-system code normalisation and validation.

Codes cross the library as strings.  A researcher's list pasted through a spreadsheet
arrives damaged in predictable ways: ``2126200.0`` (a Read code read as a number),
``719.0`` (a float CPRD medcode), ``"I21  "`` (padding), ``6627`` (the Read code
``6627.00`` with its dots and term code eaten), ``1.95967E+08`` (a SNOMED CT id shown in
scientific notation).  :func:`normalise_code` returns the canonical form where the
repair is unambiguous and reports a problem where it is not; it never guesses silently.

Canonical forms
---------------
=====================  ==========================================================
snomedct, dmd          decimal SCTID, partition 00/10, Verhoeff check digit valid
icd10                  dotted: ``J45.0``; ``J450`` and ``J45.0`` are equal, HES's
                       ``I10X`` is ``I10``; five-character codes of the ClaML
                       modifiers and the UK edition: ``M7700`` is ``M77.00``,
                       ``M45X0`` is ``M45.X0``; dagger/asterisk
                       marks (``A17.0+``, ``G01*``) dropped
icd10cm                dotted: ``S52.521A``, ``E11.9``
opcs4                  dotted: ``K40.1``; ``K401`` is equal
readv2                 five characters (``H33..``) or seven with the term code
                       (``H33..00``); short codes padded with dots
ctv3                   five characters, case kept (``XaBVJ``, ``H33..``)
bnf                    2/4/6/7/9/11/15 characters (chapter ... presentation)
cprd_medcode           GOLD medcode: a positive integer
cprd_aurum_medcodeid   Aurum MedCodeId: a positive integer (up to 19 digits)
cprd_prodcode          GOLD prodcode / Aurum ProdCodeId: a positive integer
dictionary             any non-empty text, trimmed
=====================  ==========================================================
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from codelists.terminology.storeless import PATTERNS as _STORELESS_PATTERNS
from codelists.terminology.storeless import STORELESS

SYSTEMS: tuple[str, ...] = (
    "snomedct", "icd10", "icd10cm", "opcs4", "readv2", "ctv3", "dmd", "bnf",
    "cprd_medcode", "cprd_aurum_medcodeid", "cprd_prodcode", "dictionary",
) + STORELESS


@dataclass(frozen=True)
class NormalisedCode:
    """The outcome of normalising one raw code.

    ``code`` is the canonical form, or None when the raw text cannot be read as a code
    of the system; ``repaired`` says the raw text was damaged and has been mended;
    ``problem`` explains why ``code`` is None (or, rarely, a warning about a repair).
    """

    code: str | None
    raw: str
    repaired: bool = False
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.code is not None and self.problem is None


# --------------------------------------------------------------------------- patterns
CANONICAL: dict[str, re.Pattern[str]] = {
    "snomedct": re.compile(r"^[1-9][0-9]{5,17}$"),
    "dmd": re.compile(r"^[1-9][0-9]{5,17}$"),
    "icd10": re.compile(r"^[A-Z][0-9]{2}(\.([0-9]|[0-9X][0-9]))?$"),
    "icd10cm": re.compile(r"^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$"),
    "opcs4": re.compile(r"^[A-Z][0-9]{2}(\.[0-9])?$"),
    "readv2": re.compile(r"^[0-9A-Za-z][0-9A-Za-z.]{4}([0-9A-Za-z]{2})?$"),
    "ctv3": re.compile(r"^[0-9A-Za-z][0-9A-Za-z.]{4}$"),
    "bnf": re.compile(
        r"^[0-9]{2}([0-9]{2}([0-9]{2}([0-9]([0-9A-Z]{2}([0-9A-Z]{2}([0-9A-Z]{4})?)?)?)?)?)?$"
    ),
    "cprd_medcode": re.compile(r"^[1-9][0-9]{0,9}$"),
    "cprd_aurum_medcodeid": re.compile(r"^[1-9][0-9]{0,18}$"),
    "cprd_prodcode": re.compile(r"^[1-9][0-9]{0,18}$"),
    "dictionary": re.compile(r"^\S(.*\S)?$"),
    **_STORELESS_PATTERNS,
}

_FLOAT = re.compile(r"^([0-9]+)\.0+$")
_DIGITS = re.compile(r"[0-9]+")
_SCIENTIFIC = re.compile(r"^[0-9]+(\.[0-9]+)?[eE][+]?[0-9]+$")
_EXCEL_SIGNIFICANT = 15


def code_pattern(system: str) -> re.Pattern[str]:
    """The regular expression a canonical code of ``system`` matches."""
    _check_system(system)
    return CANONICAL[system]


def looks_like(system: str, code: str) -> bool:
    """True when ``code`` is (or normalises cleanly to) a well-formed code of ``system``."""
    return normalise_code(system, code).ok


def _check_system(system: str) -> None:
    if system not in CANONICAL:
        from codelists.errors import UsageError

        raise UsageError(f"unknown coding system {system!r}",
                         hint=f"choose one of: {', '.join(SYSTEMS)}")


# --------------------------------------------------------------------------- verhoeff
_D = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
    [2, 3, 4, 0, 1, 7, 8, 9, 5, 6], [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
    [4, 0, 1, 2, 3, 9, 5, 6, 7, 8], [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
    [6, 5, 9, 8, 7, 1, 0, 4, 3, 2], [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
    [8, 7, 6, 5, 9, 3, 2, 1, 0, 4], [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
]
_P = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
    [5, 8, 0, 3, 7, 9, 6, 1, 4, 2], [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
    [9, 4, 5, 3, 1, 2, 6, 8, 7, 0], [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
    [2, 7, 9, 3, 8, 0, 6, 4, 1, 5], [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
]
_INV = [0, 4, 3, 2, 1, 5, 6, 7, 8, 9]


def verhoeff_valid(digits: str) -> bool:
    """True when the last digit of ``digits`` is its Verhoeff check digit."""
    c = 0
    for i, ch in enumerate(reversed(digits)):
        c = _D[c][_P[i % 8][ord(ch) - 48]]
    return c == 0


def verhoeff_digit(digits: str) -> str:
    """The Verhoeff check digit to append to ``digits``."""
    c = 0
    for i, ch in enumerate(reversed(digits)):
        c = _D[c][_P[(i + 1) % 8][ord(ch) - 48]]
    return str(_INV[c])


#: partition identifiers: 0x = short format (international), 1x = long (extension)
CONCEPT_PARTITIONS = {"00", "10"}
PARTITION_NAMES = {"00": "concept", "01": "description", "02": "relationship",
                   "03": "concrete value", "10": "concept", "11": "description",
                   "12": "relationship", "13": "concrete value"}


def sctid_problem(code: str, *, concept: bool = True) -> str | None:
    """Why ``code`` is not a valid SNOMED CT identifier (None when it is)."""
    if not re.fullmatch(r"[1-9][0-9]{5,17}", code):
        return "a SNOMED CT id is 6 to 18 digits not starting with 0"
    partition = code[-3:-1]
    if partition not in PARTITION_NAMES:
        return f"partition identifier {partition!r} is not a SNOMED CT partition"
    if concept and partition not in CONCEPT_PARTITIONS:
        return f"this is a {PARTITION_NAMES[partition]} id, not a concept id"
    if not verhoeff_valid(code):
        return "the check digit is wrong (Verhoeff): a digit was mistyped or lost"
    return None


def sctid_namespace(code: str) -> str | None:
    """The seven-digit namespace of a long-format SCTID (None for short format)."""
    if len(code) >= 11 and code[-3] == "1":
        return code[-10:-3]
    return None


# --------------------------------------------------------------------------- helpers
def _strip(raw: str) -> tuple[str, bool]:
    """Trim whitespace, quotes, a leading apostrophe or trailing ``#`` (added to stop a
    spreadsheet reading the code as a number) and a BOM; report whether any went."""
    text = raw.replace("\ufeff", "").replace("\u00a0", " ").strip()
    while len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        text = text[1:-1].strip()
    if text.startswith("'") or text.startswith("="):
        text = text.lstrip("'=").strip().strip('"')
    if len(text) > 1 and text.endswith("#"):  # added to stop a spreadsheet rounding it
        text = text[:-1].strip()
    return text, text != raw


def _unfloat(text: str) -> tuple[str, bool]:
    """``2126200.0`` -> ``2126200``."""
    m = _FLOAT.match(text)
    return (m.group(1), True) if m else (text, False)


def _scientific_value(text: str) -> tuple[str | None, int]:
    """The integer a scientific-notation string stands for, and its significant digits."""
    if not _SCIENTIFIC.match(text):
        return None, 0
    mantissa = text.lower().split("e")[0].replace(".", "").lstrip("0")
    if int(text.lower().split("e")[1].lstrip("+") or 0) > 25:
        return None, len(mantissa)  # far beyond any code
    try:
        value = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern rules it out
        return None, 0
    if value != value.to_integral_value():
        return None, len(mantissa)
    return str(int(value)), len(mantissa)


def _result(raw: str, code: str | None, repaired: bool, problem: str | None = None):
    return NormalisedCode(code=code, raw=raw, repaired=repaired, problem=problem)


# --------------------------------------------------------------------------- integers
def _integer(system: str, raw: str, *, check=None, label: str) -> NormalisedCode:
    text, repaired = _strip(raw)
    if not text:
        return _result(raw, None, repaired, "empty code")
    text, floated = _unfloat(text)
    repaired = repaired or floated
    scientific, digits = _scientific_value(text)
    if scientific is not None or _SCIENTIFIC.match(text):
        return _result(raw, None, True,
                       f"{label} in scientific notation ({text}): the spreadsheet dropped "
                       "digits, so it cannot be recovered; re-export the column as text")
    if _DIGITS.fullmatch(text) and text.startswith("0") and text.strip("0"):
        return _result(raw, None, repaired, f"{label} does not start with 0")
    if not CANONICAL[system].match(text):
        return _result(raw, None, repaired, f"not a {label}: {text!r}")
    # a spreadsheet keeps 15 significant digits: trailing zeros past them may be damage;
    # a check digit (SNOMED CT) settles it, a bare integer cannot
    if (floated and check is None and len(text) > _EXCEL_SIGNIFICANT
            and set(text[_EXCEL_SIGNIFICANT:]) == {"0"}):
        return _result(raw, None, True,
                       f"{label} {text} passed through a spreadsheet as a number: digits "
                       f"after the {_EXCEL_SIGNIFICANT}th may have become zeros")
    if check is not None:
        problem = check(text)
        if problem:
            return _result(raw, None, repaired, problem)
    return _result(raw, text, repaired)


def _snomed(raw: str) -> NormalisedCode:
    return _integer("snomedct", raw, check=sctid_problem, label="SNOMED CT id")


def _dmd_problem(code: str) -> str | None:
    """dm+d ids look like SCTIDs, but real lists hold AMP/AMPP ids whose check digit is
    not the Verhoeff digit (``21711311000001108``) or whose partition digits read as a
    description's (``36032011000001112``): only the form is checked."""
    return None


def _dmd(raw: str) -> NormalisedCode:
    return _integer("dmd", raw, check=_dmd_problem, label="dm+d id")


# --------------------------------------------------------------------------- ICD / OPCS
_ICD_FORMS = re.compile(r"^([A-Z][0-9]{2})\.?([0-9]?|[0-9X][0-9])$")
_ICD_MARKS = "+*\u2020\u2021"  # dagger, asterisk, and their typographic forms


def _icd10(raw: str) -> NormalisedCode:
    text, repaired = _strip(raw)
    if text != text.upper():
        repaired = True
        text = text.upper()
    if text.rstrip(_ICD_MARKS) != text:  # dagger/asterisk: dropped, and said so
        text, repaired = text.rstrip(_ICD_MARKS).strip(), True
    # HES fills three-character codes to four with X (I10X), '-' or 'D'
    text = re.sub(r"^([A-Z][0-9]{2})\.?[X\-]$", r"\1", text)
    m = _ICD_FORMS.match(text.replace(" ", ""))
    if not m:
        return _result(raw, None, repaired, f"not an ICD-10 code: {text!r}")
    if " " in text:
        repaired = True
    head, tail = m.groups()
    return _result(raw, f"{head}.{tail}" if tail else head, repaired)


def _dotted(forms: re.Pattern[str], label: str):
    """A normaliser for codes written HEAD[.]TAIL, canonical with the dot (upper case)."""

    def normalise(raw: str) -> NormalisedCode:
        text, repaired = _strip(raw)
        if text != text.upper():
            repaired = True
            text = text.upper()
        m = forms.match(text)
        if not m:
            return _result(raw, None, repaired, f"not an {label} code: {text!r}")
        head, tail = m.groups()
        return _result(raw, f"{head}.{tail}" if tail else head, repaired)

    return normalise


_icd10cm = _dotted(re.compile(r"^([A-Z][0-9][0-9A-Z])\.?([0-9A-Z]{0,4})$"), "ICD-10-CM")
_opcs4 = _dotted(re.compile(r"^([A-Z][0-9]{2})\.?([0-9]?)$"), "OPCS-4")


# --------------------------------------------------------------------------- Read codes
def _read_numeric(text: str) -> tuple[str | None, str | None]:
    """A Read code a spreadsheet turned into a number: (code, problem)."""
    scientific, digits = _scientific_value(text)
    if scientific is not None:
        if digits < 7 or len(scientific) != 7:
            return None, (f"Read code in scientific notation ({text}): digits were "
                          "dropped, so it cannot be recovered; re-export as text")
        return scientific, None
    if _SCIENTIFIC.match(text):
        return None, f"Read code in scientific notation ({text}) cannot be recovered"
    m = re.fullmatch(r"([0-9]+)(?:\.([0-9]*))?", text)
    if not m:
        return None, None
    whole, frac = m.group(1), (m.group(2) or "").rstrip("0")
    if frac:
        return None, None  # 1371.1 etc. is not a number a spreadsheet made
    if len(whole) == 7 or len(whole) == 5:
        return whole, None
    if 1 <= len(whole) <= 4:
        return whole.ljust(5, "."), None  # 6627.00 -> 6627 -> 6627.
    return None, f"a {len(whole)}-digit number is no Read code: {text!r}"


def _read_like(system: str, raw: str, *, seven: bool) -> NormalisedCode:
    text, repaired = _strip(raw)
    label = "Read v2" if system == "readv2" else "CTV3"
    if not text:
        return _result(raw, None, repaired, "empty code")
    if re.fullmatch(r"[0-9.eE+]+", text) and not CANONICAL[system].match(text):
        code, problem = _read_numeric(text)
        if problem:
            return _result(raw, None, True, problem)
        if code is not None and CANONICAL[system].match(code):
            return _result(raw, code, True)
    if len(text) < 5 and re.fullmatch(r"[0-9A-Za-z]+\.*", text):
        return _result(raw, text.ljust(5, "."), True)  # lost trailing dots: H33 -> H33..
    if not seven and len(text) == 7 and text.endswith("00") and CANONICAL[system].match(text[:5]):
        return _result(raw, None, repaired,
                       f"{text!r} looks like a Read v2 code with its term code, not {label}")
    if not CANONICAL[system].match(text) or re.search(r"\.[^.]", text[:5]):
        return _result(raw, None, repaired, f"not a {label} code: {text!r}")
    return _result(raw, text, repaired)


def _readv2(raw: str) -> NormalisedCode:
    return _read_like("readv2", raw, seven=True)


def _ctv3(raw: str) -> NormalisedCode:
    return _read_like("ctv3", raw, seven=False)


# --------------------------------------------------------------------------- BNF, misc
def _bnf(raw: str) -> NormalisedCode:
    text, repaired = _strip(raw)
    if text != text.upper():
        repaired, text = True, text.upper()
    text, floated = _unfloat(text)
    repaired = repaired or floated
    if _DIGITS.fullmatch(text) and len(text) in (1, 3, 5) and not text.startswith("0"):
        return _result(raw, "0" + text, True)  # lost leading zero: 301 -> 0301
    if not CANONICAL["bnf"].match(text):
        return _result(raw, None, repaired, f"not a BNF code: {text!r}")
    return _result(raw, text, repaired)


def _dictionary(raw: str) -> NormalisedCode:
    text, repaired = _strip(raw)
    if not text:
        return _result(raw, None, repaired, "empty code")
    if not text.isprintable():
        return _result(raw, None, repaired, "a code cannot hold line breaks or control "
                                            "characters")
    if not _DICTIONARY_CODE.fullmatch(text):
        return _result(raw, None, repaired, "a local code is up to 64 letters, digits and "
                                            f". _ : / - (no spaces): {text!r}")
    return _result(raw, text, repaired)


_DICTIONARY_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}")


def _storeless(system: str, raw: str) -> NormalisedCode:
    """A code of a system with no store here: trimmed, then its form checked."""
    text, repaired = _strip(raw)
    text, floated = _unfloat(text) if system in ("rxnorm", "omop") else (text, False)
    if not text:
        return _result(raw, None, repaired, "empty code")
    if not CANONICAL[system].match(text):
        return _result(raw, None, repaired or floated, f"not a {system} code: {text!r}")
    return _result(raw, text, repaired or floated)


_NORMALISERS = {
    "snomedct": _snomed,
    "dmd": _dmd,
    "icd10": _icd10,
    "icd10cm": _icd10cm,
    "opcs4": _opcs4,
    "readv2": _readv2,
    "ctv3": _ctv3,
    "bnf": _bnf,
    "cprd_medcode": lambda raw: _integer("cprd_medcode", raw, label="CPRD medcode"),
    "cprd_aurum_medcodeid": lambda raw: _integer(
        "cprd_aurum_medcodeid", raw, label="CPRD Aurum MedCodeId"),
    "cprd_prodcode": lambda raw: _integer("cprd_prodcode", raw, label="CPRD product code"),
    "dictionary": _dictionary,
}
for _name in STORELESS:
    _NORMALISERS[_name] = (lambda name: lambda raw: _storeless(name, raw))(_name)


def normalise_code(system: str, raw: str) -> NormalisedCode:
    """Normalise one raw code of ``system``; see the module docstring for the forms."""
    _check_system(system)
    if raw is None:
        return NormalisedCode(code=None, raw="", problem="empty code")
    return _NORMALISERS[system](str(raw))


#: systems whose canonical form alone does not make a code valid (a check digit, the
#: Read column rule): never short-cut
_CHECKED = {"snomedct", "readv2", "ctv3", "dictionary"}


def canonical_test(system: str):
    """A fast test: True when a raw code is already canonical and valid, so it needs no
    normalising (None: every code goes through :func:`normalise_code`, for the Read
    column rule)."""
    _check_system(system)
    pattern = CANONICAL[system]
    if system == "snomedct":
        return lambda raw: pattern.fullmatch(raw) is not None and sctid_problem(raw) is None
    return None if system in _CHECKED else pattern.fullmatch


def normalise_codes(system: str, raws: Iterable[str]) -> list[NormalisedCode]:
    """Normalise a column of codes, using the column as context.

    For Read v2, a number a spreadsheet shortened (``6627`` from ``6627.00``) is restored
    to seven characters when the rest of the column is seven characters wide.
    """
    _check_system(system)
    pattern = CANONICAL[system] if system not in _CHECKED else None
    results = [NormalisedCode(raw, raw) if pattern is not None and type(raw) is str
               and pattern.fullmatch(raw) else normalise_code(system, raw) for raw in raws]
    if system != "readv2":
        return results
    widths = Counter(len(r.code) for r in results if r.code and not r.repaired)
    if widths and widths.most_common(1)[0][0] == 7:
        results = [
            NormalisedCode(r.code + "00", r.raw, True, r.problem)
            if r.code and r.repaired and len(r.code) == 5 else r
            for r in results
        ]
    return results


# --------------------------------------------------------------------------- detection
_HEADER_HINTS: list[tuple[str, str]] = [
    ("icd10cm", "icd10cm"), ("icd-10-cm", "icd10cm"), ("icd10", "icd10"),
    ("icd", "icd10"), ("opcs", "opcs4"), ("ctv3", "ctv3"), ("read", "readv2"),
    ("snomed", "snomedct"), ("sct", "snomedct"), ("dmd", "dmd"), ("vpid", "dmd"),
    ("apid", "dmd"), ("bnf", "bnf"),
    ("medcodeid", "cprd_aurum_medcodeid"), ("medcode", "cprd_medcode"),
    ("prodcode", "cprd_prodcode"),
]


def _system_from_header(header: str | None) -> str | None:
    if not header:
        return None
    key = re.sub(r"[^a-z0-9-]", "", header.lower())
    for needle, system in _HEADER_HINTS:
        if needle in key:
            return system
    return None


def _fits(system: str, codes: list[str], threshold: float) -> bool:
    good = sum(1 for c in codes if normalise_code(system, c).ok)
    return good >= threshold * len(codes)


def candidate_systems(codes: Iterable[str], *, threshold: float = 0.95) -> list[str]:
    """Every system at least ``threshold`` of whose codes are well formed, most specific first."""
    values = [c for c in (str(x).strip() for x in codes) if c]
    if not values:
        return []
    order = ["snomedct", "dmd", "bnf", "icd10", "opcs4", "icd10cm", "readv2", "ctv3",
             "cprd_medcode", "cprd_aurum_medcodeid", "cprd_prodcode"]
    return [s for s in order if _fits(s, values, threshold)]


def detect_system(codes: Iterable[str], *, header: str | None = None) -> str | None:
    """The coding system a column of codes is written in, judged by their shapes without
    rewriting any (see :mod:`codelists.terminology.detection`).

    ``header`` (the column's name, e.g. ``CTV3ID``) settles shapes several systems share.
    Returns None when the codes fit no system, or several that would store them
    differently (say so to the user).
    """
    from codelists.terminology.detection import detect

    hinted = _system_from_header(header)
    return detect([str(c) for c in codes], header_systems=(hinted,) if hinted else ())
