"""Reading and writing ``.codelist`` files (the normative spec is
docs/reference/codelist-format.md).

``parse(text, path=None) -> Codelist``, ``load(path)``, ``dumps(codelist) -> str`` and
``save(codelist, path)`` (atomic).  ``dumps(parse(text)) == text`` for every file this
module accepts (line endings and a byte-order mark included); new and edited lines are
rendered in the layout the Rust ``sct`` tool writes::

    195967001      Asthma  # comment          active   (code padded to 14, one space)
    # 41553006      Occupational asthma       excluded (code padded to 13)
    # ? 57607007  Irritant-induced asthma     pending  (two spaces)
"""

from __future__ import annotations

import contextlib
import copy
import gc
import os
import re
import tempfile
from pathlib import Path

from codelists.codelist.frontmatter import load_yaml, render_front_matter
from codelists.codelist.model import (
    ACTIVE,
    BLANK,
    COMMENT,
    EXCLUDED,
    HEADING,
    KEY_ORDER,
    PENDING,
    Codelist,
    Line,
    split_comment,
)
from codelists.codelist.systems import CodeSystem, resolve_system
from codelists.errors import CodelistFormatError, InputFileError

DELIMITER = "---"
HEADING_STARTS = ("─", "━", "═", "-", "=", "#", "*")
_ESCAPE = re.compile(r"(^|\s)#")
_UNESCAPE = re.compile(r"(^|\s)\\#")


# -- body lines ------------------------------------------------------------------
def _split_term(after: str) -> tuple[str, dict[str, str], str | None]:
    """``term [# comment]`` -> (term, tags, free comment); ``\\#`` escapes a hash."""
    after = after.strip()
    if after.startswith("#"):
        term, comment = "", after[1:]
    else:
        index = after.find(" #")
        if index < 0:
            term, comment = after, None
        else:
            term, comment = after[:index], after[index + 2:]
    tags, free = split_comment(comment.strip() if comment is not None else None)
    term = term.strip()
    return (_UNESCAPE.sub(r"\1#", term) if "\\#" in term else term), tags, free


def _code_token(text: str, system: CodeSystem, *, hashed: bool) -> tuple[str, str] | None:
    """(code, rest) when ``text`` starts with a code of ``system``."""
    parts = text.split(None, 1)
    if not parts or not system.is_code(parts[0]):
        return None
    code = parts[0]
    rest = text[len(code):]
    if hashed and system.word_like and not any(c.isdigit() or c == "." for c in code):
        if not rest.startswith(("  ", "\t")):
            return None  # "# Notes here" is a comment, not an excluded CTV3 code
    return code, rest


def parse_line(raw: str, system: CodeSystem, lineno: int | None = None) -> Line:
    """Classify one body line (``raw`` without its line ending)."""
    text = raw.strip()
    if not text:
        return Line(BLANK, raw=raw, lineno=lineno)
    if text.startswith("#"):
        rest = text[1:].strip()
        if rest.startswith("?"):
            found = _code_token(rest[1:].strip(), system, hashed=False)
            if found:
                term, tags, comment = _split_term(found[1])
                return Line(PENDING, found[0], term, comment, tags, raw=raw, lineno=lineno)
        found = _code_token(rest, system, hashed=True)
        if found:
            term, tags, comment = _split_term(found[1])
            return Line(EXCLUDED, found[0], term, comment, tags, raw=raw, lineno=lineno)
        kind = HEADING if rest.startswith(HEADING_STARTS) else COMMENT
        return Line(kind, text=text, raw=raw, lineno=lineno)
    found = _code_token(text, system, hashed=False)
    if found:
        term, tags, comment = _split_term(found[1])
        return Line(ACTIVE, found[0], term, comment, tags, raw=raw, lineno=lineno)
    # not a code of this system: kept (sct keeps it as a comment); validate reports it
    return Line(COMMENT, text=text, raw=raw, lineno=lineno)


def render_line(line: Line) -> str:
    """The text of a line: its original text if unchanged, else the sct layout."""
    if line.raw is not None:
        return line.raw
    if line.kind == BLANK:
        return ""
    if line.kind in (HEADING, COMMENT):
        text = line.text.strip()
        return text if text.startswith("#") else f"# {text}"
    term = _ESCAPE.sub(r"\1\\#", line.term)
    comment = line.full_comment()
    if line.kind == ACTIVE:
        base = f"{line.code:<14} {term}" if term else line.code
    elif line.kind == EXCLUDED:
        base = f"# {line.code:<13} {term}" if term else f"# {line.code}"
        if term and len(line.code) >= 12 and _needs_pad(line.code):
            base = f"# {line.code}  {term}"  # two spaces: see the word-like rule
        if not term and not comment and _needs_pad(line.code):
            base += "  #"  # "# Notes" alone would read as a comment in word-like systems
    elif line.kind == PENDING:
        base = f"# ? {line.code}  {term}" if term else f"# ? {line.code}"
    else:
        raise CodelistFormatError(f"unknown line kind {line.kind!r}")
    return f"{base}  # {comment}" if comment else base


def _needs_pad(code: str | None) -> bool:
    return bool(code) and not any(c.isdigit() or c == "." for c in code)


# -- whole files -----------------------------------------------------------------
def parse(text: str, path: str | Path | None = None) -> Codelist:
    """Parse the text of a ``.codelist`` file."""
    bom = text.startswith("\ufeff")
    if bom:
        text = text[1:]
    newline = "\r\n" if "\r\n" in text else "\n"
    physical = text.split("\n")
    final_newline = physical[-1] == ""
    if final_newline:
        physical.pop()
    if newline == "\r\n":
        physical = [p[:-1] if p.endswith("\r") else p for p in physical]
    if not physical or physical[0].rstrip() != DELIMITER:
        raise CodelistFormatError(
            "a .codelist file starts with a '---' line and its YAML front matter",
            path=path, line=1,
            hint="add the front matter (`codelist new FILE` writes a template)",
        )
    try:
        close = next(i for i in range(1, len(physical)) if physical[i].rstrip() == DELIMITER)
    except StopIteration:
        raise CodelistFormatError(
            "the front matter has no closing '---' line", path=path, line=1,
            hint="end the YAML front matter with a line '---'",
        ) from None
    raw_yaml = "".join(p + "\n" for p in physical[1:close])
    meta = load_yaml(raw_yaml, path=path, first_line=2)
    codelist = Codelist(meta, path=path)
    codelist.front_matter_raw = raw_yaml
    codelist.front_matter_snapshot = copy.deepcopy(meta)
    codelist.newline, codelist.final_newline, codelist.bom = newline, final_newline, bom
    codelist._delimiters = (physical[0], physical[close])
    codelist.body_offset = close + 1
    system = resolve_system(meta.get("terminology"), path=path,
                            line=_key_line(physical, close, "terminology"))
    codelist.lines = _parse_body(physical[close + 1:], system, close + 2)
    return codelist


_PLAIN: dict[str, re.Pattern] = {}


def _plain_active(system: CodeSystem) -> re.Pattern:
    """``CODE  term`` with no comment, escape or stray whitespace: most lines of a big
    list, read in one match; every other line goes through :func:`parse_line` (which
    gives the same Line for these)."""
    pattern = _PLAIN.get(system.id)
    if pattern is None:
        pattern = _PLAIN[system.id] = re.compile(
            rf"(?P<code>{system.pattern})[ \t]+(?P<term>[^#\\\s](?:[^#\\]*[^#\\\s])?)")
    return pattern


@contextlib.contextmanager
def paused_collection(pause: bool = True):
    """Pause Python's cyclic garbage collector while building many acyclic objects (the
    lines of big codelists): its passes over them cost a third of the reading time.
    Collection resumes afterwards if it was on."""
    was_on = gc.isenabled()
    if pause and was_on:
        gc.disable()
    try:
        yield
    finally:
        if pause and was_on:
            gc.enable()


def _parse_body(raws: list[str], system: CodeSystem, first: int) -> list[Line]:
    plain = _plain_active(system).fullmatch
    lines = []
    with paused_collection(len(raws) > 5_000):
        for i, raw in enumerate(raws, first):
            match = plain(raw)
            if match is not None:
                lines.append(Line.plain_active(match["code"], match["term"], raw, i))
            else:
                lines.append(parse_line(raw, system, i))
    return lines


def _key_line(physical: list[str], close: int, key: str) -> int | None:
    for i in range(1, close):
        if physical[i].startswith(f"{key}:"):
            return i + 1
    return None


def dumps(codelist: Codelist) -> str:
    """The file text of a codelist (exactly the parsed text when nothing changed)."""
    yaml_text = render_front_matter(codelist.meta, codelist.front_matter_raw,
                                    codelist.front_matter_snapshot, KEY_ORDER)
    opening, closing = getattr(codelist, "_delimiters", (DELIMITER, DELIMITER))
    physical = [opening, *yaml_text.splitlines(), closing]
    physical.extend(render_line(line) for line in codelist.lines)
    nl = codelist.newline
    text = nl.join(physical) + (nl if codelist.final_newline else "")
    return ("\ufeff" if codelist.bom else "") + text


def load(path: str | Path) -> Codelist:
    """Read a ``.codelist`` file (UTF-8)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputFileError("no such codelist file", path=path,
                             hint="check the path (create one with `codelist new`)") from None
    except OSError as exc:
        raise InputFileError(f"cannot read: {exc.strerror}", path=path) from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CodelistFormatError("not UTF-8 text", path=path, line=line,
                                  hint="save the file as UTF-8") from exc
    return parse(text, path=path)


def write_atomic(path: str | Path, data: str | bytes, *, encoding: str = "utf-8") -> Path:
    """Write a file atomically: a temporary file beside it, fsync, rename."""
    path = Path(path)
    if isinstance(data, str):
        data = data.encode(encoding)
    folder = path.parent if str(path.parent) else Path(".")
    folder.mkdir(parents=True, exist_ok=True)
    mode = None
    if path.exists():
        mode = path.stat().st_mode & 0o7777
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode if mode is not None else 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    try:
        dir_fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return path
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)
    return path


def save(codelist: Codelist, path: str | Path | None = None) -> Path:
    """Write a codelist atomically (to ``path``, or where it was read from)."""
    target = Path(path) if path is not None else codelist.path
    if target is None:
        raise CodelistFormatError("no path to save the codelist to",
                                  hint="pass a path to save()")
    write_atomic(target, dumps(codelist))
    codelist.path = target
    return target
