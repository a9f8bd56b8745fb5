"""Which coding system a column of codes is in, judged without rewriting any code.

A system *fits* a code (:func:`fits`) when the code is well formed in it as written, or
after one of the documented normalisations that keep its shape:

- trimming spaces, quotes, a leading ``'`` or ``=`` and a trailing ``#`` (added to stop a
  spreadsheet reading the code as a number);
- the ``.0`` a spreadsheet adds to a number (``719.0`` is the medcode ``719``);
- dotting ICD-10, ICD-10-CM and OPCS-4 (``J450`` is ``J45.0``), HES's filler (``I10X``),
  and dropping an ICD-10 dagger/asterisk mark (``B01.2+``, reported);
- padding a Read v2 or CTV3 code with dots (``H33`` is ``H33..``), in a column most of
  whose codes are full width already (so ``I10`` in an ICD-10 list is never a Read code);
- a BNF code's lost leading zero is repaired only when ``--system bnf`` is given.

dm+d ids are SNOMED CT identifiers: content detection finds them as SNOMED CT ids in the
dm+d namespace; a header (``dmd_id``, ``vpid``) or ``--system dmd`` names the rest.

Never a change of letter case, and never a change of shape to fit a system only some of
the codes fit: every non-empty cell must fit.  When several systems fit, :func:`choose`
picks one only by a documented rule (see its docstring); otherwise it returns no system
and the candidates, and the caller refuses with them (``--system`` decides).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from codelists.terminology.normalise import (
    CANONICAL,
    normalise_code,
    sctid_namespace,
    sctid_problem,
)

#: systems judged by content alone (those whose forms are too generic to guess from
#: content — RxNorm, OMOP ids, ICD-9-CM, ICD-10-PCS, CPT, HCPCS, ATC — need a header or
#: --system)
DETECTION_ORDER: tuple[str, ...] = (
    "snomedct", "icd10", "icd10cm", "opcs4", "readv2", "ctv3", "bnf", "loinc",
    "cprd_medcode", "cprd_aurum_medcodeid", "cprd_prodcode",
)
_UPPER_CASE = {"icd10", "icd10cm", "opcs4", "bnf", "icd9cm", "icd10pcs", "atc", "cpt4",
               "hcpcs"}
_FAST = {s for s in CANONICAL if s not in ("snomedct", "readv2", "ctv3")}
_INTEGER = {"cprd_medcode", "cprd_aurum_medcodeid", "cprd_prodcode", "rxnorm", "omop"}
#: systems that store the same codes the same way: prefer the first that fits
_SAME_FORM_PREFERENCE = ("icd10", "icd10cm", "opcs4")
AURUM_PRODUCT_NAMESPACE = "1000033"


def detection_order() -> tuple[str, ...]:
    return DETECTION_ORDER


def fits(system: str, raw: str) -> bool:
    """True when ``raw`` is a code of ``system`` as written or after a documented,
    shape-keeping normalisation (see the module docstring)."""
    if system in _FAST and CANONICAL[system].fullmatch(raw):
        return True
    if system == "snomedct" and CANONICAL[system].fullmatch(raw):
        return sctid_problem(raw) is None
    result = normalise_code(system, raw)
    if not result.ok:
        return False
    text = raw.strip()
    if system == "bnf" and not CANONICAL["bnf"].match(text.rstrip("#").lstrip("'")):
        return False
    return not (system in _UPPER_CASE and text != text.upper())


def misfits(system: str, cells: Sequence[tuple[int, str]]) -> list[tuple[int, str]]:
    """The (line, cell) pairs of a column that do not fit ``system`` (all of them, when
    the column as a whole does not: Read codes padded in a column of short codes)."""
    bad = [(line, v) for line, v in cells if not fits(system, v)]
    if system in ("readv2", "ctv3") and not bad and cells:
        full = sum(1 for _, v in cells if len(v.strip()) in (5, 7))
        if full * 2 < len(cells):
            return [(line, v) for line, v in cells if len(v.strip()) not in (5, 7)]
    return bad


@dataclass(frozen=True)
class Choice:
    system: str | None
    reason: str
    candidates: tuple[str, ...] = ()


def _stored(system: str, values: Sequence[str]) -> list[str | None]:
    return [normalise_code(system, v).code for v in values]


def choose(fitting: Sequence[str], values: Sequence[str], *,
           header_systems: Sequence[str] = ()) -> Choice:
    """The system of a column every one of whose ``values`` fits each of ``fitting``.

    Rules, in order: one candidate is the answer; a header that names systems decides in
    its order (``medcode`` -> GOLD medcode before Aurum); SNOMED CT concept ids (every
    check digit valid) are SNOMED CT, or dm+d when most are in the dm+d namespace
    1000001; long CPRD integers are Aurum ProdCodeIds when all are in namespace 1000033,
    Aurum MedCodeIds when none are; ICD-10, ICD-10-CM and OPCS-4 share a form: when the
    stored codes are the same in each, ICD-10 is preferred (and the others named);
    five-character Read codes are Read v2 when any has seven characters, CTV3 when any is
    an X/Y code with a lower-case letter.  Anything else is ambiguous (no system).
    """
    fitting = list(fitting)
    if not fitting:
        return Choice(None, "the codes fit no coding system")
    if len(fitting) == 1:
        return Choice(fitting[0], f"every code is a {fitting[0]} code")
    named = [s for s in header_systems if s in fitting]
    if named:
        return Choice(named[0], f"the header names {named[0]} and every code fits it",
                      tuple(fitting))
    if "snomedct" in fitting:
        dmd = sum(1 for v in values if sctid_namespace(v.strip()) == "1000001")
        system = "dmd" if dmd >= len(values) / 2 else "snomedct"
        return Choice(system, "every code is a SNOMED CT concept id with a valid check "
                      "digit" + (" in the dm+d namespace" if system == "dmd" else ""),
                      tuple(fitting))
    if set(fitting) <= _INTEGER:
        return _integers(fitting, values)
    same = [s for s in _SAME_FORM_PREFERENCE if s in fitting]
    if same and set(fitting) <= set(_SAME_FORM_PREFERENCE):
        sample = list(values[:400])
        if all(_stored(s, sample) == _stored(same[0], sample) for s in same[1:]):
            return Choice(same[0], f"the codes fit {', '.join(same)} and are stored alike; "
                          f"{same[0]} is the commoner (pass --system if not)", tuple(fitting))
    if set(fitting) <= {"readv2", "ctv3"}:
        if any(len(v.strip()) == 7 for v in values):
            return Choice("readv2", "seven-character codes are Read v2", tuple(fitting))
        if any(re.match(r"^[XY][0-9A-Za-z]*[a-z]", v.strip()) for v in values):
            return Choice("ctv3", "X/Y codes with lower-case letters are CTV3",
                          tuple(fitting))
    return Choice(None, f"the codes fit {', '.join(fitting)} equally", tuple(fitting))


def _integers(fitting: list[str], values: Sequence[str]) -> Choice:
    long_ids = [v.strip() for v in values if len(v.strip()) >= 11]
    products = sum(1 for v in long_ids if sctid_namespace(v) == AURUM_PRODUCT_NAMESPACE)
    if long_ids and products == len(long_ids) and "cprd_prodcode" in fitting:
        return Choice("cprd_prodcode", "long ids in namespace 1000033 are CPRD Aurum "
                      "ProdCodeIds", tuple(fitting))
    if long_ids and products == 0 and "cprd_aurum_medcodeid" in fitting:
        return Choice("cprd_aurum_medcodeid", "long ids outside namespace 1000033 are CPRD "
                      "Aurum MedCodeIds", tuple(fitting))
    return Choice(None, f"whole numbers fit {', '.join(fitting)} equally", tuple(fitting))


_WHY = (
    (lambda r, c: r.strip() != r, "spaces trimmed"),
    (lambda r, c: "\u00a0" in r, "non-breaking space removed"),
    (lambda r, c: r.strip().startswith(("'", "=")), "spreadsheet guard ' removed"),
    (lambda r, c: r.strip().endswith("#"), "spreadsheet guard # removed"),
    (lambda r, c: re.fullmatch(r"\s*[0-9]+\.0+\s*", r) is not None and "." not in c,
     "spreadsheet .0 removed"),
    (lambda r, c: r.strip().rstrip("+*\u2020\u2021") != r.strip(), "dagger/asterisk mark "
     "dropped"),
    (lambda r, c: r.strip() != r.strip().upper() and c == c.upper(), "upper-cased"),
    (lambda r, c: re.fullmatch(r"\s*[0-9]{1,5}(\.0*)?\s*", r) is not None
     and re.fullmatch(r"[0-9]{1,5}\.+(00)?", c) is not None,
     "Read code restored from a spreadsheet number"),
    (lambda r, c: c.endswith(".") and not r.strip().rstrip("#").endswith(".")
     and re.fullmatch(r"\s*[0-9]{1,5}(\.0*)?\s*", r) is None, "padded with dots"),
    (lambda r, c: "." in c and "." not in r and not c.endswith(".")
     and not re.fullmatch(r"[0-9.]+", c), "dotted"),
)


def describe_change(raw: str, code: str) -> str:
    """Why ``raw`` was stored as ``code`` (the documented normalisations that applied)."""
    reasons = [why for test, why in _WHY if test(raw, code)]
    return ", ".join(reasons) or "normalised"


def detect(values: Sequence[str], *, header_systems: Sequence[str] = ()) -> str | None:
    """The system of a column of codes (missing cells ignored), or None (see
    :func:`choose`); a header's systems are tried first, then every system by content."""
    cells = [(i, v) for i, v in enumerate(values) if v and v.strip()]
    if not cells:
        return None
    for candidates in ([s for s in header_systems if s], DETECTION_ORDER):
        fitting = [s for s in candidates if not misfits(s, cells)]
        if fitting:
            return choose(fitting, [v for _, v in cells], header_systems=header_systems).system
    return None
