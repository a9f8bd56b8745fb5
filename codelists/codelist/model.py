"""The in-memory codelist: front matter plus body lines, preserved exactly.

API summary (stable; other areas build on it)::

    from codelists.codelist.model import Codelist, Line
    from codelists.codelist.fileformat import parse, load, dumps, save

    cl = load("asthma.codelist")          # or parse(text, path=None)
    cl.meta                               # front matter: ordered dict (``method:`` incl.)
    cl.meta["title"]; cl.method           # the optional ``method:`` block (dict or None)
    cl.definition                         # the ``definition:`` key (codelist/definition.py)
    cl.system                             # CodeSystem from ``terminology:`` (.id "snomedct")
    cl.lines                              # list[Line], every body line in file order
    cl.active_codes() / excluded_codes() / pending_codes()   # ordered, de-duplicated
    cl.code_lines(kind=None)              # Line objects that carry a code
    cl.line_for(code) / lines_for(code)   # first line / all lines for a code
    cl.add_active(code, term, comment=None, tags=None)   -> Line   (appends; dedup)
    cl.add_pending(code, term, tags=None)                -> Line
    cl.add_excluded(code, term, reason=None, comment=None) -> Line
    cl.accept(code, tags=None, term=None)   # pending -> active (keeps its place)
    cl.exclude(code, reason=None, comment=None)  # active/pending -> excluded
    cl.set_tags(code, **tags)             # merge key=value tags into a code's line
    cl.touch(today=None)                  # bump ``version``, set ``updated`` (as sct does)
    dumps(cl) == original text            # when nothing changed: byte for byte
    save(cl, path)                        # atomic write

A :class:`Line` is frozen: edits replace the line in ``cl.lines`` with a new one (whose
``raw`` is None so it is rendered in the canonical sct layout).  Line kinds:
``active``, ``excluded``, ``pending``, ``heading``, ``comment``, ``blank``.
Tags are the leading ``key=value`` words of a code line's comment
(``# uncertainty=1 reason=negation free text``).
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from codelists.codelist.definition import Definition
from codelists.codelist.systems import CodeSystem, resolve_system
from codelists.errors import CodelistFormatError

ACTIVE, EXCLUDED, PENDING = "active", "excluded", "pending"
HEADING, COMMENT, BLANK = "heading", "comment", "blank"
CODE_KINDS = (ACTIVE, EXCLUDED, PENDING)
LINE_KINDS = (ACTIVE, EXCLUDED, PENDING, HEADING, COMMENT, BLANK)

#: front-matter keys sct requires, in sct's order
REQUIRED_KEYS = ("id", "title", "description", "terminology", "created", "updated",
                 "version", "status", "licence", "copyright", "appropriate_use", "misuse")
#: optional keys in the order sct writes them; ours (``method``) last
OPTIONAL_KEYS = ("includes", "snomed_release", "authors", "organisation", "methodology",
                 "signoffs", "warnings", "population", "care_setting", "tags",
                 "opencodelists_id", "opencodelists_url", "canonical_url", "scope",
                 "definition", "method")
KEY_ORDER = REQUIRED_KEYS + OPTIONAL_KEYS

TAG_RE = re.compile(r"([A-Za-z_][A-Za-z0-9_.-]*)=(\S+)")


@dataclass(frozen=True)
class Line:
    """One body line.  ``raw`` is the exact original text (None for new/edited lines)."""

    kind: str
    code: str | None = None
    term: str = ""
    comment: str | None = None  # free text after the tags (None when absent)
    tags: dict[str, str] = field(default_factory=dict)
    text: str = ""  # heading/comment text, e.g. "# ── Excluded ──"
    raw: str | None = None
    lineno: int | None = None  # 1-based line number in the file it was read from

    @classmethod
    def plain_active(cls, code: str, term: str, raw: str, lineno: int | None) -> Line:
        """An active line without comment or tags, as read from ``raw`` (the reader's
        fast path: the same Line as the constructor gives, built without its checks)."""
        line = object.__new__(cls)
        line.__dict__.update(kind=ACTIVE, code=code, term=term, comment=None, tags={},
                             text="", raw=raw, lineno=lineno)
        return line

    @property
    def is_code(self) -> bool:
        return self.kind in CODE_KINDS

    def full_comment(self) -> str | None:
        """The comment as written: tags first, then the free text."""
        words = [f"{k}={v}" for k, v in self.tags.items()]
        if self.comment:
            words.append(self.comment)
        return " ".join(words) if words else None

    def with_(self, **changes: Any) -> Line:
        """A copy with changes, marked for re-rendering."""
        return replace(self, raw=None, **changes)

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind, "line": self.lineno}
        if self.is_code:
            data.update(code=self.code, term=self.term, tags=dict(self.tags),
                        comment=self.comment)
        elif self.kind != BLANK:
            data["text"] = self.text
        return data


def split_comment(text: str | None) -> tuple[dict[str, str], str | None]:
    """Split a comment into its leading ``key=value`` tags and the free text."""
    if not text:
        return {}, None
    tags: dict[str, str] = {}
    words = text.split()
    i = 0
    while i < len(words):
        m = TAG_RE.fullmatch(words[i])
        if not m:
            break
        tags[m.group(1)] = m.group(2)
        i += 1
    if i == 0:
        return {}, text.strip() or None
    rest = text.strip()
    for word in words[:i]:
        rest = rest[len(word):].lstrip()
    return tags, rest or None


def _clean_tags(tags: dict[str, Any] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in (tags or {}).items():
        if not TAG_RE.fullmatch(f"{key}={value}"):
            raise CodelistFormatError(
                f"tag {key}={value!r} cannot be written",
                hint="tag keys are words and values have no spaces (use - or _)",
            )
        out[str(key)] = str(value)
    return out


def _clean_text(value: str | None, what: str) -> str | None:
    if value is None:
        return None
    if "\n" in value or "\r" in value:
        raise CodelistFormatError(f"{what} {value!r} spans lines",
                                  hint=f"write the {what} on one line")
    return value.strip()


class Codelist:
    """A parsed ``.codelist`` file; see the module docstring for the API."""

    def __init__(self, meta: dict[str, Any] | None = None, lines: list[Line] | None = None,
                 *, path: str | Path | None = None) -> None:
        self.meta: dict[str, Any] = dict(meta or {})
        self.lines: list[Line] = list(lines or [])
        self.path: Path | None = Path(path) if path is not None else None
        # set by the parser: exact text, to write unchanged front matter back byte for byte
        self.front_matter_raw: str | None = None
        self.front_matter_snapshot: Any = None
        self.newline = "\n"
        self.final_newline = True
        self.body_offset = 0  # line number of the first body line, minus one
        self.bom = False
        self._index: dict[str, list[int]] = {}
        self._index_key: tuple = ()

    # -- front matter ------------------------------------------------------------
    @property
    def system(self) -> CodeSystem:
        return resolve_system(self.meta.get("terminology"), path=self.path)

    @property
    def id(self) -> str:
        return str(self.meta.get("id") or (self.path.stem if self.path else ""))

    @property
    def title(self) -> str:
        return str(self.meta.get("title") or self.id)

    @property
    def method(self) -> dict[str, Any] | None:
        return self.meta.get("method")

    @method.setter
    def method(self, value: dict[str, Any] | None) -> None:
        if value is None:
            self.meta.pop("method", None)
        else:
            self.meta["method"] = value

    @property
    def definition(self) -> Definition:
        """The ``definition:`` key (an empty Definition when the file has none)."""
        return Definition.from_mapping(self.meta.get("definition"), source=self.path)

    @definition.setter
    def definition(self, value: Definition | None) -> None:
        if value is None or value.is_empty():
            self.meta.pop("definition", None)
        else:
            self.meta["definition"] = value.to_mapping()

    @property
    def includes(self) -> list[str]:
        return [str(x) for x in (self.meta.get("includes") or [])]

    def code_state(self) -> frozenset[tuple[str, str]]:
        """What ``version`` follows: which codes are active, excluded and pending."""
        return frozenset((line.kind, line.code) for line in self.code_lines())

    def touch(self, today: str | None = None, *,
              since: frozenset[tuple[str, str]] | None = None) -> None:
        """Record an edit as sct does: ``updated`` to today, ``version`` plus one.

        With ``since`` (a :meth:`code_state` taken before the edit), ``version`` moves only
        when the code lines changed; recording method metadata alone does not bump it.
        """
        self.meta["updated"] = today or _dt.date.today().isoformat()
        if since is not None and since == self.code_state():
            return
        version = self.meta.get("version")
        if isinstance(version, int) and not isinstance(version, bool):
            self.meta["version"] = version + 1
        elif version is None:
            self.meta["version"] = 1

    # -- reading -----------------------------------------------------------------
    def code_lines(self, kind: str | None = None) -> Iterator[Line]:
        for line in self.lines:
            if line.is_code and (kind is None or line.kind == kind):
                yield line

    def _codes(self, kind: str) -> list[str]:
        seen: dict[str, None] = {}
        for line in self.code_lines(kind):
            seen.setdefault(line.code, None)
        return list(seen)

    def active_codes(self) -> list[str]:
        return self._codes(ACTIVE)

    def excluded_codes(self) -> list[str]:
        return self._codes(EXCLUDED)

    def pending_codes(self) -> list[str]:
        return self._codes(PENDING)

    def lines_for(self, code: str) -> list[Line]:
        return [self.lines[i] for i in self._positions(code) if self.lines[i].is_code]

    def _positions(self, code: str) -> list[int]:
        """Where a code's lines are (an index rebuilt when ``lines`` changed shape).

        Edits through this class keep it right; code that assigns ``lines[i]`` directly
        should call :meth:`reindex` afterwards.
        """
        key = (id(self.lines), len(self.lines))
        if key != self._index_key:
            self.reindex()
        positions = self._index.get(code, [])
        if any(self.lines[i].code != code for i in positions):
            self.reindex()
            positions = self._index.get(code, [])
        return positions

    def reindex(self) -> None:
        self._index = {}
        for i, line in enumerate(self.lines):
            if line.is_code:
                self._index.setdefault(line.code, []).append(i)
        self._index_key = (id(self.lines), len(self.lines))

    def line_for(self, code: str, kind: str | None = None) -> Line | None:
        for i in self._positions(code):
            line = self.lines[i]
            if line.is_code and (kind is None or line.kind == kind):
                return line
        return None

    def terms(self) -> dict[str, str]:
        """code -> term for every code line (first occurrence wins)."""
        out: dict[str, str] = {}
        for line in self.code_lines():
            out.setdefault(line.code, line.term)
        return out

    def _find(self, code: str, kinds: tuple[str, ...]) -> int | None:
        for i in self._positions(code):
            if self.lines[i].kind in kinds:
                return i
        return None

    # -- editing -----------------------------------------------------------------
    def _check_code(self, code: str) -> str:
        code = str(code).strip()
        if not self.system.is_code(code):
            raise CodelistFormatError(
                f"{code!r} is not a {self.system.name} code", path=self.path,
                hint="check the code, or the codelist's `terminology:`",
            )
        return code

    def _append(self, line: Line) -> Line:
        self._positions(line.code)  # bring the index up to date first
        self.lines.append(line)
        self._index.setdefault(line.code, []).append(len(self.lines) - 1)
        self._index_key = (id(self.lines), len(self.lines))
        return line

    def add_active(self, code: str, term: str = "", *, comment: str | None = None,
                   tags: dict[str, Any] | None = None) -> Line:
        """Append an active line; an existing active line for the code is returned as is."""
        code = self._check_code(code)
        existing = self.line_for(code, ACTIVE)
        if existing is not None:
            return existing
        return self._append(Line(ACTIVE, code, _clean_text(term, "term") or "",
                                 _clean_text(comment, "comment") or None, _clean_tags(tags)))

    def add_pending(self, code: str, term: str = "", *, comment: str | None = None,
                    tags: dict[str, Any] | None = None) -> Line:
        code = self._check_code(code)
        existing = self.line_for(code)
        if existing is not None:
            return existing
        return self._append(Line(PENDING, code, _clean_text(term, "term") or "",
                                 _clean_text(comment, "comment") or None, _clean_tags(tags)))

    def add_excluded(self, code: str, term: str = "", *, reason: str | None = None,
                     comment: str | None = None) -> Line:
        code = self._check_code(code)
        existing = self.line_for(code, EXCLUDED)
        if existing is not None:
            return existing
        tags = _clean_tags({"reason": reason} if reason else None)
        return self._append(Line(EXCLUDED, code, _clean_text(term, "term") or "",
                                 _clean_text(comment, "comment") or None, tags))

    def _move(self, code: str, from_kinds: tuple[str, ...], to_kind: str,
              tags: dict[str, Any] | None, comment: str | None, term: str | None) -> Line:
        index = self._find(code, from_kinds)
        if index is None:
            where = " or ".join(from_kinds)
            raise CodelistFormatError(f"{code} is not a {where} code in this codelist",
                                      path=self.path, hint="check the code")
        old = self.lines[index]
        merged = {**old.tags, **_clean_tags(tags)}
        new = old.with_(kind=to_kind, tags=merged,
                        comment=_clean_text(comment, "comment") if comment else old.comment,
                        term=_clean_text(term, "term") if term is not None else old.term)
        self.lines[index] = new
        return new

    def accept(self, code: str, *, tags: dict[str, Any] | None = None,
               term: str | None = None, comment: str | None = None) -> Line:
        """Move a pending line to active in place (adding tags, e.g. ``source=``)."""
        return self._move(code, (PENDING,), ACTIVE, tags, comment, term)

    def exclude(self, code: str, *, reason: str | None = None, comment: str | None = None,
                tags: dict[str, Any] | None = None) -> Line:
        """Move an active or pending line to excluded in place, with a ``reason=`` tag."""
        tags = {**(tags or {}), **({"reason": reason} if reason else {})}
        return self._move(code, (ACTIVE, PENDING), EXCLUDED, tags, comment, None)

    def reinstate(self, code: str, *, tags: dict[str, Any] | None = None) -> Line:
        """Move an excluded line back to active (dropping its ``reason`` tag)."""
        line = self._move(code, (EXCLUDED,), ACTIVE, tags, None, None)
        if "reason" in line.tags:
            index = self.lines.index(line)
            kept = {k: v for k, v in line.tags.items() if k != "reason"}
            line = self.lines[index] = line.with_(tags=kept)
        return line

    def set_tags(self, code: str, **tags: Any) -> Line:
        """Merge tags into the first line of a code (value None removes a tag)."""
        index = self._find(code, CODE_KINDS)
        if index is None:
            raise CodelistFormatError(f"{code} is not in this codelist", path=self.path)
        old = self.lines[index]
        merged = dict(old.tags)
        for key, value in tags.items():
            if value is None:
                merged.pop(key, None)
            else:
                merged.update(_clean_tags({key: value}))
        self.lines[index] = old.with_(tags=merged)
        return self.lines[index]

    def remove_line(self, code: str) -> None:
        """Delete every line of a code (use :meth:`exclude` to keep an audit trail)."""
        self.lines = [ln for ln in self.lines if not (ln.is_code and ln.code == code)]

    def __repr__(self) -> str:
        return (f"Codelist(id={self.id!r}, active={len(self.active_codes())}, "
                f"lines={len(self.lines)})")
