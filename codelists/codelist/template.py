"""A new codelist, scaffolded as ``sct codelist new`` does (same keys, order, warnings)."""

from __future__ import annotations

import datetime as _dt
import re
from pathlib import Path

from codelists.codelist.model import COMMENT, Codelist, Line
from codelists.codelist.systems import resolve_system

_COPYRIGHT = {
    "snomedct": "Copyright holder. SNOMED CT content © IHTSDO, used under NHS England "
                "national licence.",
    "dmd": "Copyright holder. dm+d content © NHS Business Services Authority.",
}


#: the text a new codelist holds until its authors write their own (sct's wording)
PLACEHOLDERS: dict[str, str] = {
    "appropriate_use": "Describe appropriate use here.",
    "misuse": "Describe misuse here.",
}


def default_description(title: str) -> str:
    """The description a new or imported codelist gets until its authors write one."""
    return f"{title} codes"


def is_placeholder(key: str, value: object, *, title: str | None = None) -> bool:
    """Whether a front-matter value is still the scaffold's placeholder (or empty); with
    the list's ``title``, the default description counts as one too."""
    text = str(value or "").strip()
    if key == "description" and title is not None and text == default_description(title):
        return True
    return not text or text == PLACEHOLDERS.get(key)


def _warnings(system_id: str) -> list[dict[str, str]]:
    warnings = [
        {"code": "not-universal-definition", "severity": "info",
         "message": "This codelist was developed for a specific purpose and may not meet "
                    "the needs of other studies."},
        {"code": "draft-not-reviewed", "severity": "info",
         "message": "This codelist has not yet been reviewed. Check status before use."},
    ]
    if system_id == "snomedct":
        warnings.append({"code": "snomed-release-age", "severity": "caution",
                         "message": "Validate against the current SNOMED release before "
                                    "use in research."})
    if system_id == "dmd":
        warnings.append({"code": "dmd-currency", "severity": "warning",
                         "message": "dm+d codes change frequently. Check VMP code changes "
                                    "since snomed_release."})
        warnings.append({"code": "dmd-vmp-code-change", "severity": "caution",
                         "message": "VMP codes may have been superseded. Validate against "
                                    "current dm+d release."})
    return warnings


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "untitled"


def new_codelist(path: str | Path | None = None, *, id: str | None = None,
                 title: str | None = None, description: str | None = None,
                 terminology: str = "snomedct", author: str | None = None,
                 today: str | None = None) -> Codelist:
    """A draft codelist with every required key and sct's standard warnings."""
    stem = Path(path).stem if path is not None else (id or "untitled")
    system = resolve_system(terminology)
    title = title or stem.replace("-", " ").replace("_", " ")
    today = today or _dt.date.today().isoformat()
    meta = {
        "id": id or stem.lower().replace(" ", "-"),
        "title": title,
        "description": description or default_description(title),
        "terminology": system.name,
        "created": today,
        "updated": today,
        "version": 1,
        "status": "draft",
        "licence": "CC-BY-4.0",
        "copyright": _COPYRIGHT.get(system.id, "Copyright holder."),
        "appropriate_use": PLACEHOLDERS["appropriate_use"],
        "misuse": PLACEHOLDERS["misuse"],
    }
    if author:
        meta["authors"] = [{"name": author, "role": "author"}]
    meta["warnings"] = _warnings(system.id)
    # sct writes a blank line after the closing '---', then its body: blank, heading, blank
    lines = [Line("blank"), Line("blank"), Line(COMMENT, text="# concepts"), Line("blank")]
    return Codelist(meta, lines, path=path)
