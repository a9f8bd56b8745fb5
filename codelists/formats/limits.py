"""Parsing budgets for untrusted input: checks that run before (or around) the readers.

A server that parses uploads from anyone must not let one small file hold a worker for
minutes or fill memory: a 600 KB workbook that unzips to 200 MB of XML, a 100 KB JSON
file nested 50,000 deep, a CSV of a million one-character lines, a 1 KB YAML alias bomb
that expands to 10 MB.  :class:`Limits` names each budget; the ``check_*`` functions
refuse input over one with :class:`~codelists.errors.LimitExceeded`, whose ``limit``
says which budget was hit and whose message says by how much.  The checks are cheap
(linear scans of bytes, or the zip directory), so they can run on every upload.

The command line trusts its user and applies none of them; the web repository applies
:data:`WEB` (settings may override it).  YAML aliases in ``.codelist`` front matter are
bounded for everyone, in :mod:`codelists.codelist.frontmatter`.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

from codelists.errors import LimitExceeded

MB = 1024 * 1024
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_BRACKET = re.compile(r"[\[\]{}]")


@dataclass(frozen=True)
class Limits:
    """Budgets for one untrusted file (all inclusive maxima)."""

    #: size of the file as uploaded
    bytes: int = 5 * MB
    #: lines of a delimited table or code lines of a .codelist
    rows: int = 1_000_000
    #: rows x columns of a table
    cells: int = 10_000_000
    #: total uncompressed size of the members of a zip (an .xlsx is one)
    decompressed: int = 60 * MB
    #: members of a zip
    members: int = 2_000
    #: nesting of JSON arrays and objects
    json_depth: int = 64


#: the web repository's defaults
WEB = Limits()


def _refuse(limit: str, message: str, path, hint: str) -> LimitExceeded:
    return LimitExceeded(message, limit=limit, path=path, hint=hint)


def check_bytes(data: bytes | str, limits: Limits = WEB, path=None) -> None:
    size = len(data)
    if size > limits.bytes:
        raise _refuse("bytes", f"the file is {size:,} bytes; the limit is {limits.bytes:,}",
                      path, "split the list into smaller files")


def check_table(text: str, limits: Limits = WEB, path=None) -> None:
    """Rows and cells of delimited text, counted without parsing it."""
    rows = text.count("\n") + (0 if text.endswith("\n") else 1)
    if rows > limits.rows:
        raise _refuse("rows", f"the file has {rows:,} lines; the limit is {limits.rows:,}",
                      path, "split the list into smaller files")
    first = text.split("\n", 1)[0]
    columns = 1 + max(first.count(","), first.count("\t"), first.count(";"), first.count("|"))
    if rows * columns > limits.cells:
        raise _refuse("cells", f"the table has about {rows * columns:,} cells "
                      f"({rows:,} lines x {columns} columns); the limit is {limits.cells:,}",
                      path, "remove columns that are not codes, terms or comments")


def check_zip(data: bytes, limits: Limits = WEB, path=None) -> None:
    """Members and their total uncompressed size, from the zip directory alone."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError) as exc:
        raise LimitExceeded(f"not a valid zip or workbook: {exc}", limit="format", path=path,
                            hint="save the workbook again as .xlsx") from exc
    infos = archive.infolist()
    if len(infos) > limits.members:
        raise _refuse("members", f"the archive has {len(infos):,} members; the limit is "
                      f"{limits.members:,}", path, "save the workbook again as .xlsx")
    total = sum(info.file_size for info in infos)
    if total > limits.decompressed:
        raise _refuse("decompressed", f"the file unpacks to {total:,} bytes; the limit is "
                      f"{limits.decompressed:,}", path,
                      "export the sheet as CSV, or remove other sheets and formatting")


def check_json_depth(text: str, limits: Limits = WEB, path=None) -> None:
    """Nesting depth of JSON text, scanned before ``json.loads`` could recurse on it."""
    depth = 0
    brackets = _STRING.sub('""', text)
    for match in _BRACKET.finditer(brackets):
        depth += 1 if match.group() in "[{" else -1
        if depth > limits.json_depth:
            raise LimitExceeded(
                f"JSON nested more than {limits.json_depth} levels deep",
                limit="json_depth", path=path, line=brackets.count("\n", 0, match.start()) + 1,
                hint="a ValueSet or concept set is only a few levels deep")


def check_upload(data: bytes, name: str, limits: Limits = WEB) -> None:
    """Every budget that applies to an uploaded file, judged by its name."""
    check_bytes(data, limits, name)
    lower = name.lower()
    if lower.endswith((".xlsx", ".xlsm", ".zip")):
        check_zip(data, limits, name)
        return
    text = data.decode("utf-8", errors="replace")
    if lower.endswith(".json") or text.lstrip().startswith(("{", "[")):
        check_json_depth(text, limits, name)
    else:
        check_table(text, limits, name)


def check_text(text: str, name: str, limits: Limits = WEB) -> None:
    """The budgets of text that arrived as text (a ``.codelist`` posted to the API)."""
    check_bytes(text.encode("utf-8"), limits, name)
    if name.lower().endswith(".json") or text.lstrip().startswith(("{", "[")):
        check_json_depth(text, limits, name)
    else:
        check_table(text, limits, name)
