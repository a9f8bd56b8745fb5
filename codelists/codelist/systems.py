"""Coding systems as the ``.codelist`` format sees them.

The ``terminology:`` front-matter key names a coding system, either by its id
(``snomedct``) or by a human name sct writes (``SNOMED CT``).  Each system has a code
pattern: in a body line, a token matching it is a code (so the pattern decides what is
a code line and what is a comment).  ``word_like`` systems (CTV3, Read, BNF) have codes
that can look like English words; an excluded or pending line in those systems needs
two spaces (or a tab) after a code that has no digit or dot, which the writer always
produces.
"""

from __future__ import annotations

from functools import cached_property

from codelists.errors import CodelistFormatError
from codelists.records import Record

#: ``typing.TYPE_CHECKING`` without importing typing: finding a store names its system
#: here, on the command line's start-up path, which imports neither re nor dataclasses
TYPE_CHECKING = False
if TYPE_CHECKING:
    import re


class CodeSystem(Record):
    id: str
    name: str  # what sct-style files write in ``terminology:``
    pattern: str  # one code, as a regular expression (full match)
    aliases: tuple[str, ...] = ()
    fhir_url: str = ""
    omop_vocabulary: str = ""
    opencodelists_id: str = ""
    word_like: bool = False
    has_store: bool = True  # False: no local terminology (validate checks the form only)
    #: other URIs that name the system in FHIR resources (older or national spellings)
    fhir_aliases: tuple[str, ...] = ()

    @cached_property
    def regex(self) -> re.Pattern:
        """``pattern`` compiled (on first use)."""
        import re

        return re.compile(self.pattern)

    def is_code(self, token: str) -> bool:
        return self.regex.fullmatch(token) is not None


SYSTEMS: dict[str, CodeSystem] = {s.id: s for s in [
    CodeSystem("snomedct", "SNOMED CT", r"[1-9][0-9]{5,17}",
               ("snomed", "snomed ct", "snomed-ct", "sct", "snomedct_uk", "snomed_ct"),
               "http://snomed.info/sct", "SNOMED", "snomedct"),
    CodeSystem("icd10", "ICD-10", r"[A-Z][0-9]{2}(?:\.?[0-9A-Z]{1,4})?(?:-[A-Z]?[0-9]{2})?[X+*]?",
               ("icd-10", "icd 10", "icd10", "icd-10-who", "icd10who"),
               "http://hl7.org/fhir/sid/icd-10", "ICD10", "icd10",
               fhir_aliases=("http://hl7.org/fhir/sid/icd-10-uk",)),
    CodeSystem("icd10cm", "ICD-10-CM", r"[A-Z][0-9][0-9A-Z](?:\.?[0-9A-Z]{1,4})?",
               ("icd-10-cm", "icd10-cm", "icd 10 cm"),
               "http://hl7.org/fhir/sid/icd-10-cm", "ICD10CM", "icd10cm"),
    CodeSystem("opcs4", "OPCS-4", r"[A-Z][0-9]{2}(?:\.?[0-9]{1,2})?",
               ("opcs", "opcs-4", "opcs 4", "opcs4"),
               "https://fhir.nhs.uk/Id/opcs-4", "OPCS4", "opcs4",
               fhir_aliases=("http://fhir.nhs.uk/CodeSystem/OPCS-4",
                             "http://www.datadictionary.nhs.uk/web_site_content/"
                             "supporting_information/clinical_coding/"
                             "opcs_classification_of_interventions_and_procedures.asp")),
    CodeSystem("readv2", "Read v2", r"[A-Za-z0-9.]{5}(?:[0-9A-Za-z]{2})?",
               ("read", "read2", "read v2", "readv2", "read code", "readcode", "read codes v2"),
               "http://read.info/readv2", "Read", "readv2", word_like=True),
    CodeSystem("ctv3", "CTV3", r"[A-Za-z0-9.]{5}",
               ("read v3", "readv3", "ctv-3", "read ctv3", "ctv3"),
               "http://read.info/ctv3", "", "ctv3", word_like=True),
    CodeSystem("dmd", "dm+d", r"[1-9][0-9]{5,17}",
               ("dm+d", "dmd", "nhs dm+d"),
               "https://dmd.nhs.uk", "dm+d", "dmd"),
    CodeSystem("bnf", "BNF", r"[0-9]{2}[0-9A-Z]{0,13}",
               ("bnf",), "https://bnf.nice.org.uk", "", "bnf", word_like=True),
    CodeSystem("cprd_medcode", "CPRD medcode", r"[0-9]{1,18}",
               ("cprd medcode", "medcode", "cprd", "cprd-medcode"), "", "", ""),
    CodeSystem("cprd_aurum_medcodeid", "CPRD Aurum MedCodeId", r"[0-9]{1,19}",
               ("medcodeid", "cprd aurum medcodeid", "aurum"), "", "", ""),
    CodeSystem("cprd_prodcode", "CPRD prodcode", r"[0-9]{1,19}",
               ("prodcode", "cprd prodcode"), "", "", ""),
    CodeSystem("loinc", "LOINC", r"(?:L[APG])?[0-9]{1,8}-[0-9]", ("loinc",),
               "http://loinc.org", "LOINC", "", has_store=False),
    CodeSystem("rxnorm", "RxNorm", r"[1-9][0-9]{0,9}", ("rxnorm", "rxcui"),
               "http://www.nlm.nih.gov/research/umls/rxnorm", "RxNorm", "", has_store=False),
    CodeSystem("icd9cm", "ICD-9-CM", r"(?:[0-9]{2,3}|V[0-9]{2}|E[0-9]{3})(?:\.[0-9]{1,2})?",
               ("icd-9-cm", "icd9", "icd-9", "icd9cm"),
               "http://hl7.org/fhir/sid/icd-9-cm", "ICD9CM", "", has_store=False),
    CodeSystem("icd10pcs", "ICD-10-PCS", r"[0-9A-HJ-NP-Z]{7}", ("icd-10-pcs", "icd10pcs"),
               "http://www.cms.gov/Medicare/Coding/ICD10", "ICD10PCS", "", has_store=False),
    CodeSystem("cpt4", "CPT", r"[0-9]{4}[0-9FTU]", ("cpt", "cpt-4", "cpt4"),
               "http://www.ama-assn.org/go/cpt", "CPT4", "", has_store=False),
    CodeSystem("hcpcs", "HCPCS", r"[A-V][0-9]{4}", ("hcpcs",),
               "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets", "HCPCS", "",
               has_store=False),
    CodeSystem("atc", "ATC", r"[A-Z](?:[0-9]{2}(?:[A-Z](?:[A-Z](?:[0-9]{2})?)?)?)?",
               ("atc", "who atc"), "http://www.whocc.no/atc", "ATC", "", has_store=False),
    CodeSystem("omop", "OMOP concept id", r"0|[1-9][0-9]{0,10}",
               ("omop", "omop concept id", "omop concept", "concept_id"),
               "https://fhir-terminology.ohdsi.org", "", "", has_store=False),
    CodeSystem("dictionary", "Dictionary", r"[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}",
               ("local", "custom"), "", "", "", word_like=True),
]}

_BY_FHIR_URI: dict[str, CodeSystem] = {
    uri: s for s in SYSTEMS.values() for uri in (s.fhir_url, *s.fhir_aliases) if uri}

_ALIASES: dict[str, str] = {}
for _system in SYSTEMS.values():
    for _name in (_system.id, _system.name, *_system.aliases):
        _ALIASES[_name.lower()] = _system.id


def resolve_system(name: str | None, *, path=None, line: int | None = None) -> CodeSystem:
    """The coding system a ``terminology:`` value names (case-insensitive)."""
    if name is None or str(name).strip() == "":
        return SYSTEMS["snomedct"]  # sct's default
    key = str(name).strip().lower()
    system_id = _ALIASES.get(key) or _ALIASES.get(key.replace("_", " "))
    if system_id is None:
        known = ", ".join(sorted(SYSTEMS))
        raise CodelistFormatError(
            f"unknown terminology {name!r}", path=path, line=line,
            hint=f"set `terminology:` to one of: {known}",
        )
    return SYSTEMS[system_id]


def system_for_fhir_uri(uri: str) -> CodeSystem | None:
    """The coding system a FHIR ``system`` URI names (UK Core's URIs: SNOMED CT
    ``http://snomed.info/sct`` with or without an edition/version URI, ICD-10
    ``http://hl7.org/fhir/sid/icd-10``, ICD-10-CM ``http://hl7.org/fhir/sid/icd-10-cm``,
    dm+d ``https://dmd.nhs.uk``, Read v2 ``http://read.info/readv2``, CTV3
    ``http://read.info/ctv3``, OPCS-4 ``https://fhir.nhs.uk/Id/opcs-4``)."""
    uri = (uri or "").strip().rstrip("/")
    if uri.startswith("http://snomed.info/sct"):
        return SYSTEMS["snomedct"]
    return _BY_FHIR_URI.get(uri)


def system_ids() -> list[str]:
    return sorted(SYSTEMS)
