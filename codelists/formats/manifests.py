"""Files found beside codelists that are not codelists, recognised so an import says
what they are instead of failing on them as a malformed codelist:

- OpenSAFELY ``codelists.json`` (``{"files": {name: {"id", "url", "sha"}}}``) and
  ``codelists.txt`` (one ``organisation/codelist/version`` or
  ``user/NAME/codelist/version`` per line): a study's manifest
  of the codelists it uses; ``codelist check`` verifies one.
- an index of codelist files (CALIBER's ``dictionary.csv``: each row names the files of a
  phenotype): import the files it names.
"""

from __future__ import annotations

import re
from typing import Any

from codelists.errors import InputFileError

_OPENSAFELY_ID = re.compile(r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+){1,3}/?$")
_FILE_CELL = re.compile(r"\.(csv|txt|tsv|xlsx|json|codelist|dta)$", re.IGNORECASE)


def _manifest_error(path, what: str) -> InputFileError:
    return InputFileError(
        f"this is {what}, a study's manifest of the codelists it uses, not a codelist",
        path=path, hint="import the codelist files it names; run `codelist check` to "
                        "verify them against the manifest")


def refuse_manifest_json(path, data: Any) -> None:
    if isinstance(data, dict) and isinstance(data.get("files"), dict) and all(
            isinstance(v, dict) and ("sha" in v or "id" in v) for v in data["files"].values()):
        raise _manifest_error(path, "an OpenSAFELY codelists.json")


def refuse_manifest_text(path, text: str) -> None:
    lines = [ln.strip() for ln in text.splitlines()
             if ln.strip() and not ln.strip().startswith("#")]
    if lines and len(lines) <= 10_000 and all(_OPENSAFELY_ID.match(ln) for ln in lines) \
            and any(ln.count("/") == 2 for ln in lines):
        raise _manifest_error(path, "an OpenSAFELY codelists.txt")


def refuse_index(path, table) -> None:
    """A table most of whose non-empty cells name files is an index, not a codelist."""
    cells = [c.strip() for row in table.rows[:200] for c in row if c.strip()]
    named = [c for c in cells if _FILE_CELL.search(c)]
    if cells and len(named) * 2 >= len(cells):
        raise InputFileError(
            f"this is an index of codelist files (e.g. {named[0]}), not a codelist",
            path=path, hint="import each file it names")
