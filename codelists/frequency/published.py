"""Checking a list against published national code usage (e.g. NHS HES counts by year).

Input: a CSV (optionally gzipped) with one row per code and period, as NHS Digital
publishes hospital code usage (``start_date, end_date, icd10_code|opcs4_code,
description, usage``).  Output (:class:`PublishedCheck`):

* the national usage of every code of the list over the chosen years, and the list's
  codes **never used nationally** (no row, or a total of 0);
* **related codes used but missing from the list**: descendants and siblings of the
  list's codes that were used nationally.  With a terminology (anything with
  ``descendants``, ``parents`` and ``children``, e.g. an ICD-10 store), relations come
  from its hierarchy; without one, from the code structure of ICD-10 and OPCS-4 (a
  code's descendants are the codes that extend it, e.g. ``J45`` -> ``J45.0``; its siblings
  share its parent, e.g. ``J45.0`` and ``J45.9`` under ``J45``).

Published counts are already public; no disclosure control is applied to them.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from codelists.errors import InputFileError, UnknownCodeError, UsageError
from codelists.frequency import codekeys
from codelists.frequency.inputs import CodeSet

PREFIX_SYSTEMS = ("icd10", "opcs4", "icd10cm")


@dataclass(frozen=True)
class PublishedCounts:
    system: str
    usage: dict[str, int]  # canonical code -> total usage over the chosen years
    descriptions: dict[str, str]
    years: tuple[str, ...]  # period start dates included
    source: str = ""


@dataclass(frozen=True)
class RelatedCode:
    code: str
    description: str
    usage: int
    relation: str  # descendant | sibling
    of: str  # the list code it relates to


@dataclass(frozen=True)
class PublishedCheck:
    codelist: str
    system: str
    source: str
    years: tuple[str, ...]
    usage: dict[str, int]  # list code -> national usage
    never_used: tuple[str, ...]
    missing_related: tuple[RelatedCode, ...]
    notes: tuple[str, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["years"] = list(self.years)
        data["never_used"] = list(self.never_used)
        data["missing_related"] = [asdict(r) for r in self.missing_related]
        data["notes"] = list(self.notes)
        return data


def _open_text(path: Path):
    if not path.exists():
        raise InputFileError("file not found", path=path)
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8-sig", newline="")
    return open(path, encoding="utf-8-sig", newline="")


def _columns(header: list[str], path: Path) -> tuple[str, str, str | None, str | None]:
    code = next((h for h in header if h.endswith("_code") or h == "code"), None)
    usage = next((h for h in header if h in ("usage", "count", "activity")), None)
    if code is None or usage is None:
        raise InputFileError(f"need a code column (*_code) and a usage column; found "
                             f"{', '.join(header)}", path=path)
    year = "start_date" if "start_date" in header else None
    desc = "description" if "description" in header else None
    return code, usage, year, desc


def load_counts(path: str | Path, *, system: str | None = None,
                years: tuple[str, ...] | None = None) -> PublishedCounts:
    """Total usage per code over ``years`` (period start years, e.g. ``2023``; all if None)."""
    path = Path(path)
    with _open_text(path) as fh:
        reader = csv.DictReader(fh)
        code_col, usage_col, year_col, desc_col = _columns(reader.fieldnames or [], path)
        system = system or code_col.removesuffix("_code")
        if system not in codekeys.ALIASES and system not in PREFIX_SYSTEMS + (
                "snomedct", "readv2", "ctv3", "dmd", "bnf"):
            raise UsageError(f"cannot tell the coding system of {path.name}",
                             hint="give it with --system")
        usage: dict[str, int] = defaultdict(int)
        descriptions: dict[str, str] = {}
        seen_years: set[str] = set()
        for row in reader:
            year = (row.get(year_col) or "")[:4] if year_col else ""
            if years and year not in years:
                continue
            raw = (row.get(code_col) or "").strip()
            if not raw or raw.upper() == "NULL":
                continue
            code = codekeys.canonical(system, raw)
            usage[code] += _int(row.get(usage_col))
            if desc_col and row.get(desc_col):
                descriptions.setdefault(code, row[desc_col])
            seen_years.add(year)
    return PublishedCounts(system, dict(usage), descriptions,
                           tuple(sorted(y for y in seen_years if y)), path.name)


def _int(text: str | None) -> int:
    try:
        return int(float(text or 0))
    except ValueError:
        return 0  # suppressed cells ("*") count as unknown small, i.e. not evidence of use


def _key(code: str) -> str:
    return code.replace(".", "")


def prefix_relations(codes: list[str], published: list[str]) -> list[tuple[str, str, str]]:
    """(related code, relation, list code) from code structure: extensions and siblings."""
    out = []
    for code in codes:
        key = _key(code)
        parent = key[:-1] if len(key) > 4 else key[:3] if len(key) == 4 else None
        for other in published:
            okey = _key(other)
            if okey == key:
                continue
            if okey.startswith(key):
                out.append((other, "descendant", code))
            elif parent and okey.startswith(parent) and len(okey) == len(key):
                out.append((other, "sibling", code))
    return sorted(out, key=lambda r: (r[1] != "descendant", r[2], r[0]))


def hierarchy_relations(codes: list[str], terminology,
                        unknown: list[str] | None = None) -> list[tuple[str, str, str]]:
    """(related code, relation, list code) from a terminology's hierarchy.

    Codes the terminology does not know are skipped and appended to ``unknown``.
    """
    out = []
    for code in codes:
        try:
            descendants = terminology.descendants(code)
            parents = terminology.parents(code)
        except UnknownCodeError:
            if unknown is not None:
                unknown.append(code)
            continue
        out += [(other, "descendant", code) for other in descendants]
        for parent in parents:
            out += [(other, "sibling", code) for other in terminology.children(parent)
                    if other != code]
    return out


def check_published(codeset: CodeSet, counts: PublishedCounts, *,
                    terminology=None) -> PublishedCheck:
    """Compare a list with published usage (see the module docstring)."""
    system = codekeys.system_name(codeset.system)
    if codekeys.system_name(counts.system) != system:
        raise UsageError(f"the counts are {counts.system} codes but the list is {system}")
    codes = list(codeset.uncertainty)
    usage = {c: counts.usage.get(c, 0) for c in codes}
    notes = []
    if terminology is not None:
        unknown: list[str] = []
        relations = sorted(hierarchy_relations(codes, terminology, unknown),
                           key=lambda r: (r[1] != "descendant", r[2], r[0]))
        if unknown:
            notes.append(f"not in the terminology store, so no related codes: "
                         f"{', '.join(unknown)}")
    elif system in PREFIX_SYSTEMS:
        relations = prefix_relations(codes, list(counts.usage))
        notes.append("related codes found by code structure (no terminology store given)")
    else:
        raise UsageError(f"finding related {system} codes needs a terminology store",
                         hint="give one with --db")
    in_list = set(codes)
    best: dict[str, RelatedCode] = {}
    for other, relation, of in relations:
        used = counts.usage.get(other, 0)
        if other in in_list or used <= 0 or other in best:
            continue
        best[other] = RelatedCode(other, counts.descriptions.get(other, ""), used, relation, of)
    missing = sorted(best.values(), key=lambda r: (-r.usage, r.code))
    return PublishedCheck(
        codeset.name, system, counts.source, counts.years, usage,
        tuple(sorted(c for c, n in usage.items() if n <= 0)), tuple(missing), tuple(notes))


def published_markdown(check: PublishedCheck) -> str:
    years = f"{check.years[0]}-{check.years[-1]}" if check.years else "all years"
    lines = [f"# National usage: {check.codelist or 'codelist'}", "",
             f"- source: `{check.source}` ({years}); system: {check.system}", "",
             "| code | national usage |", "|---|---:|"]
    lines += [f"| {c} | {n:,} |" for c, n in sorted(check.usage.items(), key=lambda x: -x[1])]
    lines += ["", f"## Never used nationally ({len(check.never_used)})", "",
              ", ".join(check.never_used) or "none", "",
              f"## Related codes used but not in the list ({len(check.missing_related)})", "",
              "| code | description | usage | relation | of |", "|---|---|---:|---|---|"]
    lines += [f"| {r.code} | {r.description} | {r.usage:,} | {r.relation} | {r.of} |"
              for r in check.missing_related]
    if check.notes:
        lines += [""] + [f"- {n}" for n in check.notes]
    return "\n".join(lines) + "\n"
