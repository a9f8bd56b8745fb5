"""Matching event codes to list codes, normalised as in the list's coding system.

Events carry codes as the source system wrote them (``719.0`` for a GOLD medcode read as
a float, ``J450`` or ``J45.0X`` for ICD-10, `` 12 `` with padding).  The canonical form
of each list code comes from :func:`codelists.terminology.normalise.normalise_code`.
Rewriting 100 million event codes in Python would be slow, so each system has a *match
key*: a cheap engine expression (trim, case, dots, float suffix) applied to the event
column, and the same key computed in Python from the canonical list codes.  An event
matches a list code when the keys are equal; the result reports the canonical code.

Keys by system (event side):

=========================================  ============================================
snomedct, dmd, cprd_medcode,               trimmed; a trailing ``.0`` (``719.0``)
cprd_aurum_medcodeid, cprd_prodcode         removed
icd10                                      trimmed, upper case, dots, spaces and
                                           dagger/asterisk marks removed, a HES filler
                                           ``X`` or ``-`` after three characters removed
icd10cm, opcs4                             trimmed, upper case, dots removed
readv2, ctv3                               trimmed, padded with dots to five characters
bnf                                        trimmed, upper case
anything else (dictionary)                 trimmed
=========================================  ============================================
"""

from __future__ import annotations

from codelists.terminology.normalise import normalise_code

#: coding-system names used by the ``.codelist`` format -> names used by normalise
ALIASES = {"medcode": "cprd_medcode", "medcodeid": "cprd_aurum_medcodeid",
           "aurum": "cprd_aurum_medcodeid", "prodcode": "cprd_prodcode"}

INTEGER_SYSTEMS = {"snomedct", "dmd", "cprd_medcode", "cprd_aurum_medcodeid",
                   "cprd_prodcode"}


def system_name(system: str) -> str:
    return ALIASES.get(system, system)


def canonical(system: str, code: str) -> str:
    """The canonical form of a list code (the code itself, trimmed, if it cannot be read)."""
    result = normalise_code(system_name(system), code)
    return result.code if result.code is not None else code.strip()


def python_key(system: str, canonical_code: str) -> str:
    """The match key of a canonical list code (must agree with :func:`event_key`)."""
    system = system_name(system)
    code = canonical_code.strip()
    if system == "icd10":
        return code.upper().replace(".", "")
    if system in ("icd10cm", "opcs4", "bnf"):
        return code.upper().replace(".", "")
    if system in ("readv2", "ctv3"):
        return code.ljust(5, ".")
    if system in INTEGER_SYSTEMS and code.endswith(".0"):
        return code.split(".")[0]
    return code


def event_key(system: str, column):
    """The match key of an event code column, as an Ibis string expression."""
    system = system_name(system)
    col = column.cast("string").strip()
    if system in INTEGER_SYSTEMS:
        return col.re_replace(r"\.0+$", "")
    if system == "icd10":
        col = col.upper().re_replace("[. +*\u2020\u2021]", "")
        # a three-character code filled to four (I10X, I10-): codes never end in X or -
        return col.re_replace(r"[X\-]$", "")
    if system in ("icd10cm", "opcs4"):
        return col.upper().re_replace(r"\.", "")
    if system in ("readv2", "ctv3"):
        import ibis

        return ibis.ifelse(col.length() < 5, col.rpad(5, "."), col)
    if system == "bnf":
        return col.upper()
    return col
