"""What a reviewer sees beside each code: where it sits in the hierarchy, how often it is used.

The hierarchy comes from an installed terminology store of the codelist's coding system
(a path of preferred terms from the top of the hierarchy down to the code's parent);
without a store, from the heading the code sits under in the codelist file.  Usage
counts come from a frequency result recorded in the ``method:`` block, when there is one.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from codelists.errors import CodelistsError

MAX_DEPTH = 12


def headings(codelist) -> dict[str, str]:
    """Each code's nearest heading above it in the file."""
    out: dict[str, str] = {}
    current = ""
    for line in codelist.lines:
        if line.kind == "heading":
            current = line.text.strip("#─- ").strip()
        elif line.is_code and current:
            out.setdefault(line.code, current)
    return out


def _open_store(system_id: str):
    from codelists.terminology.locate import list_stores
    from codelists.terminology.registry import open_terminology
    from codelists.terminology.store import read_metadata

    try:
        paths = [s.path for s in list_stores() if s.metadata.terminology == system_id]
        env = os.environ.get("CODELISTS_DB")
        if env and os.path.exists(env) and read_metadata(env).terminology == system_id:
            paths.insert(0, env)
        return open_terminology(paths[0]) if paths else None
    except (CodelistsError, OSError, IndexError):
        return None


def _path_up(terminology, code: str) -> list[str]:
    """The first-parent path up from a code (empty for a code the store does not know)."""
    chain: list[str] = []
    current = code
    for _ in range(MAX_DEPTH):
        try:
            parents = sorted(terminology.parents(current))
        except CodelistsError:
            break
        if not parents or parents[0] in chain:
            break
        chain.append(parents[0])
        current = parents[0]
    return list(reversed(chain))


def hierarchy(codelist, codes: Iterable[str]) -> dict[str, list[str]]:
    """Per code, a list of labels from the top of the hierarchy down to its parent."""
    codes = list(codes)
    terminology = _open_store(codelist.system.id)
    if terminology is None:
        found = headings(codelist)
        return {code: [found[code]] for code in codes if code in found}
    found = headings(codelist)
    try:
        chains = {code: _path_up(terminology, code) for code in codes}
        wanted = sorted({c for chain in chains.values() for c in chain})
        concepts = terminology.lookup_many(wanted) if wanted else {}
        out = {code: [f"{c} {concepts[c].term}" if c in concepts else c for c in chain]
               for code, chain in chains.items() if chain}
    except CodelistsError:
        out = {}
    finally:
        terminology.close()
    for code in codes:  # codes the store does not place: their heading in the file
        if code not in out and code in found:
            out[code] = [found[code]]
    return out


def usage_counts(codelist) -> dict[str, Any]:
    """Patients per code from a recorded frequency check (0 for codes never used)."""
    entry = (codelist.method or {}).get("frequency")
    if not isinstance(entry, dict):
        return {}
    out: dict[str, Any] = {str(c): 0 for c in entry.get("codes_never_used") or []}
    for row in entry.get("top_codes") or []:
        if isinstance(row, dict) and "code" in row:
            out[str(row["code"])] = row.get("patients", row.get("episodes"))
    for row in entry.get("codes") or []:  # a fuller per-code table, when recorded
        if isinstance(row, dict) and "code" in row:
            out[str(row["code"])] = row.get("patients", row.get("episodes"))
    return out
