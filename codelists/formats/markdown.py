"""A Markdown page for a codelist: title, metadata, and a table of its codes."""

from __future__ import annotations

from codelists.codelist.model import Codelist
from codelists.formats.table import untag_value


def _cell(text: object) -> str:
    return str(text if text is not None else "").replace("|", "\\|").replace("\n", " ")


def write(codelist: Codelist) -> str:
    meta = codelist.meta
    out = [f"# {_cell(codelist.title)}", ""]
    if meta.get("description"):
        out += [_cell(meta["description"]), ""]
    facts = [("Terminology", codelist.system.name), ("Version", meta.get("version")),
             ("Status", meta.get("status")), ("Updated", meta.get("updated")),
             ("Licence", meta.get("licence"))]
    out.append(" | ".join(f"**{k}:** {_cell(v)}" for k, v in facts if v not in (None, "")))
    out.append("")
    for key, label in (("appropriate_use", "Appropriate use"), ("misuse", "Misuse"),
                       ("copyright", "Copyright")):
        if meta.get(key):
            out += [f"**{label}:** {_cell(meta[key])}", ""]
    active = codelist.active_codes()
    out += [f"## Codes ({len(active)})", "", "| Code | Term | Notes |", "|---|---|---|"]
    for code in active:
        line = codelist.line_for(code, "active")
        notes = " ".join([f"{k}={untag_value(v)}" for k, v in line.tags.items()]
                         + ([line.comment] if line.comment else []))
        out.append(f"| {_cell(code)} | {_cell(line.term)} | {_cell(notes)} |")
    excluded = [c for c in codelist.excluded_codes() if c not in set(active)]
    if excluded:
        out += ["", f"## Excluded ({len(excluded)})", "", "| Code | Term | Reason |",
                "|---|---|---|"]
        for code in excluded:
            line = codelist.line_for(code, "excluded")
            reason = untag_value(line.tags.get("reason", "")) or (line.comment or "")
            out.append(f"| {_cell(code)} | {_cell(line.term)} | {_cell(reason)} |")
    return "\n".join(out) + "\n"
