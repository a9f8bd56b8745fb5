"""Coding systems with no local terminology store: their codes are still codelists.

LOINC, RxNorm, ICD-9-CM, ICD-10-PCS, CPT, HCPCS, ATC and OMOP concept ids arrive in real
lists (OHDSI concept sets, US claims studies, drug utilisation studies).  We cannot check
that a code exists, but we can check its form, name the system by its canonical URI, and
say in ``validate`` which checks could not run.  Each pattern below is the full form of
one code (the normaliser only trims whitespace and quotes; it never rewrites a code).

======== ============================================= ===================================
system   form                                          example
======== ============================================= ===================================
loinc    digits, hyphen, check digit (parts: LP/LA/LG) ``2345-7``, ``LP6118-6``
rxnorm   RxCUI, a positive integer                     ``1191``
icd9cm   diagnoses ``NNN[.NN]``, ``VNN[.NN]``,          ``250.00``, ``V45.81``, ``36.10``
         ``ENNN[.N]``; procedures ``NN[.NN]``
icd10pcs seven characters, digits and letters but I/O  ``0DTJ4ZZ``
cpt4     four digits and a digit or F/T/U              ``99213``, ``0001F``
hcpcs    a letter A-V and four digits                  ``J1100``
atc      ``A``, ``A10``, ``A10B``, ``A10BA``, ``A10BA02``  ``C09AA05``
omop     OMOP CDM concept id, a non-negative integer   ``201826``
======== ============================================= ===================================
"""

from __future__ import annotations

import re

STORELESS: tuple[str, ...] = ("loinc", "rxnorm", "icd9cm", "icd10pcs", "cpt4", "hcpcs",
                              "atc", "omop")

PATTERNS: dict[str, re.Pattern[str]] = {
    "loinc": re.compile(r"^(?:L[APG])?[0-9]{1,8}-[0-9]$"),
    "rxnorm": re.compile(r"^[1-9][0-9]{0,9}$"),
    "icd9cm": re.compile(r"^(?:[0-9]{3}(?:\.[0-9]{1,2})?|V[0-9]{2}(?:\.[0-9]{1,2})?"
                         r"|E[0-9]{3}(?:\.[0-9])?|[0-9]{2}(?:\.[0-9]{1,2})?)$"),
    "icd10pcs": re.compile(r"^[0-9A-HJ-NP-Z]{7}$"),
    "cpt4": re.compile(r"^[0-9]{4}[0-9FTU]$"),
    "hcpcs": re.compile(r"^[A-V][0-9]{4}$"),
    "atc": re.compile(r"^[A-Z](?:[0-9]{2}(?:[A-Z](?:[A-Z](?:[0-9]{2})?)?)?)?$"),
    "omop": re.compile(r"^(?:0|[1-9][0-9]{0,10})$"),
}
