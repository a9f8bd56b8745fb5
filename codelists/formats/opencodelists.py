"""OpenCodelists CSV downloads (every header variant seen in real studies) and
OpenCodelists ``definition.csv`` (``code,term,is_included``: the rules of a builder
codelist: ``+`` includes a code and its descendants, ``-`` excludes them).

Header variants (code column, term column, coding system):

===========================================  ==================  =============  ==========
header                                       code                term           system
===========================================  ==================  =============  ==========
code,term[,...]                              code                term           detected
dmd_id                                       dmd_id              -              dmd
dmd_type,dmd_id,dmd_name,bnf_code            dmd_id              dmd_name       dmd
type,id,bnf_code,nm / id,type,bnf_code,nm    id                  nm             dmd
obj_type,vpid,snomed_id,bnf_code,dmd_name,.. snomed_id             dmd_name       dmd
CTV3ID,CTV3PreferredTermDesc[,CTV3Source]    CTV3ID              ...Desc        ctv3
CTV3Code,Description,CodeSource,Category     CTV3Code            Description    ctv3
Description,Code,Grouping_16,Grouping_6      Code                Description    detected
icd10_code,name[,detail]                     icd10_code          name           icd10
===========================================  ==================  =============  ==========

Every other column is kept as a ``key=value`` tag on the code's line.
"""

from __future__ import annotations

from pathlib import Path

from codelists.codelist.model import Codelist
from codelists.errors import InputFileError
from codelists.formats.table import (
    Imported,
    ImportedCode,
    detect,
    find_column,
    normalise_rows,
    read_csv,
    untag_value,
    write_csv,
)

CODE_COLUMNS = ("code", "dmd_id", "snomed_id", "vpid", "id", "ctv3id", "ctv3code",
                "icd10_code", "snomedcode", "read2code", "readcode", "icd10code", "opcs4code",
                "dmdcode", "bnfcode", "bnf_code")
TERM_COLUMNS = ("term", "dmd_name", "nm", "ctv3preferredtermdesc",
                "readterm/ctv3preferredtermdesc", "description", "name", "term_name", "vtm_nm")
SYSTEM_BY_CODE_COLUMN = {"dmd_id": "dmd", "vpid": "dmd", "ctv3id": "ctv3", "ctv3code": "ctv3",
                         "icd10_code": "icd10", "read2code": "readv2", "dmdcode": "dmd",
                         "snomedcode": "snomedct", "snomed_id": "snomedct", "bnfcode": "bnf"}


_FIRST_COLUMNS = ("dmd_id", "dmd_type", "type", "id", "obj_type", "ctv3id", "ctv3code",
                  "icd10_code")


def looks_like(header: list[str]) -> bool:
    """True for the header variants of the table above (others go to the table reader)."""
    lowered = [h.strip().lower() for h in header]
    return bool(lowered) and (lowered[:2] in (["code", "term"], ["description", "code"])
                              or lowered[0] in _FIRST_COLUMNS or lowered == ["code"])


def columns(header: list[str]) -> tuple[str, str | None]:
    """(code column, term column) for an OpenCodelists download header."""
    lowered = [h.lower() for h in header]
    if "id" in lowered and "nm" in lowered:  # dm+d "type,id,bnf_code,nm"
        code = header[lowered.index("id")]
    else:
        code = find_column(header, *CODE_COLUMNS)
    if code is None:
        raise InputFileError(
            f"no code column among {', '.join(header)}", line=1,
            hint="import with --format delimited --code-column NAME",
        )
    return code, find_column(header, *TERM_COLUMNS)


def _system_for(code_column: str, header: list[str], codes: list[str], system, path) -> str:
    if system:
        return system
    key = code_column.lower()
    if "dmd_name" in [h.lower() for h in header]:
        return "dmd"
    if key in SYSTEM_BY_CODE_COLUMN:
        return SYSTEM_BY_CODE_COLUMN[key]
    if key == "id" and "nm" in [h.lower() for h in header]:
        return "dmd"
    return detect(codes, code_column if key not in ("code", "id") else None, path=path)


def read(path: str | Path, *, system: str | None = None, text: str | None = None) -> Imported:
    """An OpenCodelists CSV download."""
    header, rows = read_csv(path, text=text)
    try:
        code_col, term_col = columns(header)
    except InputFileError as exc:
        exc.path = str(path)
        raise
    codes = [r[code_col] for r in rows]
    system = _system_for(code_col, header, codes, system, path)
    extra_cols = [h for h in header if h not in (code_col, term_col)]
    items = [
        ImportedCode(r[code_col].strip(), r.get(term_col, "") if term_col else "",
                     extra={h: r[h] for h in extra_cols if r.get(h, "").strip()},
                     line=int(r["__line__"]))
        for r in rows if r[code_col].strip()
    ]
    notes = normalise_rows(system, items, path=path)
    notes += _duplicates(items)
    return Imported(system, items, meta=_meta_from_name(Path(path)), source=str(path),
                    format="OpenCodelists CSV", notes=notes)


def _duplicates(items: list[ImportedCode]) -> list[str]:
    seen: dict[str, int] = {}
    notes = []
    for item in items:
        if item.code in seen:
            notes.append(f"row {item.line}: duplicate of row {seen[item.code]} ({item.code})")
        else:
            seen[item.code] = item.line or 0
    return notes


def _meta_from_name(path: Path) -> dict:
    return {"title": path.stem.replace("-", " ").replace("_", " ").capitalize()}


_INCLUDED = {"+": True, "-": False, "true": True, "false": False, "1": True, "0": False,
             "yes": True, "no": False, "included": True, "excluded": False}


def read_definition(path: str | Path, *, system: str | None = None,
                    text: str | None = None) -> Imported:
    """An OpenCodelists ``definition.csv``: included (``+``) and excluded (``-``) roots.

    Each code's line carries ``rule=descendants``: the rule covers the code and its
    descendants (expand it with ``codelist add --include-descendants`` against a store).
    """
    header, rows = read_csv(path, text=text)
    code_col = find_column(header, "code")
    status_col = find_column(header, "is_included", "status", "included")
    if code_col is None or status_col is None:
        raise InputFileError("a definition.csv has columns code,term,is_included",
                             path=path, line=1, hint="check the file is a definition download")
    term_col = find_column(header, "term")
    items = []
    for r in rows:
        status = r[status_col].strip().lower()
        if status not in _INCLUDED:
            raise InputFileError(f"is_included is {r[status_col]!r}", path=path,
                                 line=int(r["__line__"]), hint="use + or - (or True/False)")
        items.append(ImportedCode(r[code_col].strip(), r.get(term_col, "") if term_col else "",
                                  included=_INCLUDED[status], extra={"rule": "descendants"},
                                  line=int(r["__line__"])))
    system = system or detect([i.code for i in items], None, path=path)
    notes = normalise_rows(system, items, path=path)
    return Imported(system, items, meta=_meta_from_name(Path(path)), source=str(path),
                    format="OpenCodelists definition", notes=notes)


def opencodelists_code(system: str, code: str) -> str:
    """The form OpenCodelists writes a code in (undotted ICD-10 and OPCS-4)."""
    return code.replace(".", "") if system in ("icd10", "opcs4") else code


def write(codelist: Codelist, codes: list[tuple[str, str]] | None = None) -> str:
    """``code,term`` as OpenCodelists downloads it."""
    system = codelist.system.id
    pairs = codes if codes is not None else _active_pairs(codelist)
    return write_csv(["code", "term"], [[opencodelists_code(system, c), t] for c, t in pairs])


def write_definition(codelist: Codelist) -> str:
    """``code,term,is_included``: ``+`` for active codes, ``-`` for excluded ones."""
    system = codelist.system.id
    rows = [[opencodelists_code(system, ln.code), ln.term,
             "+" if ln.kind == "active" else "-"]
            for ln in codelist.code_lines() if ln.kind in ("active", "excluded")]
    return write_csv(["code", "term", "is_included"], rows)


def _active_pairs(codelist: Codelist) -> list[tuple[str, str]]:
    terms = codelist.terms()
    return [(c, terms.get(c, "")) for c in codelist.active_codes()]


def tag_columns(codelist: Codelist) -> list[str]:
    """Every tag key used on active lines, in first-seen order."""
    keys: dict[str, None] = {}
    for line in codelist.code_lines("active"):
        for key in line.tags:
            keys.setdefault(key, None)
    return list(keys)


def tag_cell(line, key: str) -> str:
    value = line.tags.get(key)
    return untag_value(value) if value is not None else ""


def expand_definition(imported: Imported, terminology) -> Imported:
    """The codes a definition's rules select, as OpenCodelists reads them.

    A code under one or more rule codes (itself included) takes the status of its most
    specific rules: included when they all include it, excluded otherwise (exclusions
    win a conflict).  Rule roots keep ``rule=descendants``; excluded roots stay as
    excluded lines.
    """
    rules = {c.code: c.included for c in imported.codes}
    candidates: dict[str, None] = {}
    for code, included in rules.items():
        if included:
            for found in [code, *terminology.descendants(code)]:
                candidates.setdefault(found, None)
    ancestry = {code: set(terminology.ancestors(code, include_self=True)) for code in rules}
    kept = []
    for code in candidates:
        applicable = [r for r in terminology.ancestors(code, include_self=True) if r in rules]
        decisive = [r for r in applicable
                    if not any(o != r and r in ancestry[o] for o in applicable)]
        if decisive and all(rules[r] for r in decisive):
            kept.append(code)
    concepts = terminology.lookup_many(kept)
    by_code = {c.code: c for c in imported.codes}
    rows = [by_code.get(code) or ImportedCode(code, concepts[code].term if code in concepts
                                              else "", extra={"from": "definition"})
            for code in kept]
    rows += [c for c in imported.codes if not c.included]
    return Imported(imported.system, rows, imported.meta, imported.source,
                    imported.format + " (expanded)", imported.notes)


# -- what an OpenCodelists-compatible server serves ---------------------------------------
def _crlf_csv(rows) -> str:
    """CSV as OpenCodelists writes it (Python's csv defaults: ``\\r\\n``, minimal quoting)."""
    import csv
    import io

    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue()


def download(codelist: Codelist) -> str:
    """``download.csv`` of a version built from codes: ``code,term``, sorted by code.

    This is OpenCodelists' rule for lists made with its builder or from codes; a code
    without a term gets ``[Unknown]``, as there.
    """
    system = codelist.system.id
    terms = codelist.terms()
    codes = sorted(opencodelists_code(system, c) for c in codelist.active_codes())
    by_written = {opencodelists_code(system, c): c for c in codelist.active_codes()}
    return _crlf_csv([["code", "term"],
                      *([c, terms.get(by_written[c]) or "[Unknown]"] for c in codes)])


def fixed_headers(csv_data: str, *, source: str = "csv_data") -> str:
    """An uploaded table reduced to two columns headed ``code`` and ``term``
    (OpenCodelists' ``?fixed-headers`` download of a list uploaded as CSV)."""
    header, rows = read_csv(source, text=csv_data)
    code_col, term_col = columns(header)
    return _crlf_csv([["code", "term"],
                      *([r[code_col], r.get(term_col, "") if term_col else ""] for r in rows)])


def definition_rows(codelist: Codelist, rules: list[tuple[str, bool]], hierarchy=None
                    ) -> str:
    """``definition.csv``: ``code,term,is_included`` (``+``/``-``), depth first.

    ``rules`` are (code, included) decisions; with a ``hierarchy`` (anything with
    ``parents(code)``; a Terminology also gives terms the list lacks) each rule follows
    the nearest rule above it, roots in code order, as OpenCodelists lists a definition;
    without one they keep their order.
    """
    system = codelist.system.id
    terms = codelist.terms()
    ordered = _depth_first([c for c, _ in rules], hierarchy) if hierarchy else \
        [c for c, _ in rules]
    decided = dict(rules)
    missing = [c for c in ordered if not terms.get(c)]
    if missing and hasattr(hierarchy, "lookup_many"):
        terms.update({c: found.term for c, found in hierarchy.lookup_many(missing).items()})
    return _crlf_csv([["code", "term", "is_included"],
                      *([opencodelists_code(system, c), terms.get(c, ""),
                         "+" if decided[c] else "-"] for c in ordered)])


def _depth_first(codes: list[str], hierarchy) -> list[str]:
    """Rule codes ordered depth first under their nearest ruled ancestor."""
    chosen = set(codes)
    under: dict[str | None, list[str]] = {}
    for code in codes:
        above = _nearest_ruled_ancestor(code, chosen, hierarchy)
        under.setdefault(above, []).append(code)
    out: list[str] = []

    def visit(parent):
        for child in sorted(under.get(parent, [])):
            out.append(child)
            visit(child)

    visit(None)
    return out


def _nearest_ruled_ancestor(code: str, chosen: set[str], hierarchy) -> str | None:
    seen, frontier = {code}, list(hierarchy.parents(code))
    while frontier:
        hits = sorted(c for c in frontier if c in chosen)
        if hits:
            return hits[0]
        nxt = []
        for c in frontier:
            if c not in seen:
                seen.add(c)
                nxt.extend(hierarchy.parents(c))
        frontier = [c for c in nxt if c not in seen]
    return None


def dmd_download(bnf_codes: list[str], bnf, dmd=None) -> str:
    """``dmd-download.csv`` of a BNF list: ``dmd_type,dmd_id,dmd_name,bnf_code``, one row
    per dm+d product (VMP or AMP; packs are left out, as OpenCodelists converts a BNF list
    to products) a code maps to in the BNF store (``bnf``); names from the dm+d store
    (``dmd``) when one is installed."""
    from codelists.errors import CodelistsError
    from codelists.terminology.crossmap import map_code

    rows = []
    for code in bnf_codes:
        try:
            entries = map_code(bnf, code, "dmd")
        except CodelistsError:
            continue
        names = dmd.lookup_many([e.target_code for e in entries]) if dmd is not None else {}
        for entry in entries:
            if (entry.relation or "").upper() not in ("VMP", "AMP"):
                continue
            concept = names.get(entry.target_code)
            rows.append([entry.relation or "", entry.target_code,
                         concept.term if concept else "", code])
    rows.sort(key=lambda r: (r[3], r[0], r[2], r[1]))
    return _crlf_csv([["dmd_type", "dmd_id", "dmd_name", "bnf_code"], *rows])
