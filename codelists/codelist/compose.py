"""Composition: ``includes:`` and the effective member set.

An ``includes:`` entry is a bare id (``type-1-diabetes`` -> ``<registry>/type-1-diabetes
.codelist``), a path (contains ``/``, ends ``.codelist`` or starts ``.``/``~``/``/``;
relative to the including file) or an ``http(s)://`` URL (fetched once into the cache;
``refresh=True`` fetches again).  The registry folder is, in order: the ``registry``
argument (``--codelists``), ``CODELISTS_REGISTRY``, ``[codelists] dir`` in the project's
``codelists.toml``, then ``./codelists``.

The effective set is computed live: own active codes plus every included list's
effective codes, minus this file's excluded codes (exclusions win).  Cycles, missing
includes and includes of another coding system are errors.
"""

from __future__ import annotations

import hashlib
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from codelists.codelist.fileformat import load, parse, write_atomic
from codelists.codelist.model import Codelist
from codelists.errors import CodelistFormatError, InputFileError


@dataclass(frozen=True)
class Member:
    code: str
    term: str
    source: str  # "direct" or the includes: entry it came through (outermost first)

    def as_dict(self) -> dict:
        return {"code": self.code, "term": self.term, "source": self.source}


def registry_folder(explicit: str | Path | None = None, start: Path | None = None) -> Path:
    if explicit:
        return Path(explicit)
    env = os.environ.get("CODELISTS_REGISTRY")
    if env:
        return Path(env)
    from codelists.terminology.locate import read_config

    config_path, config = read_config(start)
    folder = (config.get("codelists") or {}).get("dir") if config else None
    if folder and config_path is not None:
        return (config_path.parent / folder).resolve()
    return (start or Path.cwd()) / "codelists"


def kind_of(ref: str) -> str:
    ref = ref.strip()
    if ref.startswith(("http://", "https://")):
        return "url"
    if "/" in ref or ref.endswith(".codelist") or ref.startswith((".", "~")):
        return "path"
    return "id"


def cache_folder() -> Path:
    """Where fetched URL includes are kept (:mod:`codelists.cachedir`)."""
    from codelists.cachedir import cache_folder as folder

    return folder("codelists")


def fetch(url: str, *, refresh: bool = False, timeout: float = 30) -> Path:
    """The cached copy of a codelist URL (downloaded the first time, or on refresh)."""
    target = cache_folder() / (hashlib.sha1(url.encode()).hexdigest() + ".codelist")
    if target.exists() and not refresh:
        return target
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310
            data = response.read()
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise InputFileError(f"cannot fetch included codelist {url}: {exc}",
                             hint="check the URL and your connection; cached copies are "
                                  "used when present") from exc
    parse(data.decode("utf-8"), path=url)  # refuse to cache something that is not a codelist
    write_atomic(target, data)
    return target


def resolve_ref(ref: str, base: Path, registry: Path, *, refresh: bool = False) -> Path:
    kind = kind_of(ref)
    if kind == "url":
        return fetch(ref.strip(), refresh=refresh)
    if kind == "id":
        return registry / f"{ref.strip()}.codelist"
    path = Path(os.path.expanduser(ref.strip()))
    return path if path.is_absolute() else base / path


def _includes_line(cl: Codelist) -> int | None:
    raw = cl.front_matter_raw or ""
    for i, text in enumerate(raw.splitlines()):
        if text.startswith("includes:"):
            return i + 2
    return None


class Resolver:
    """Effective sets of codelists, with includes resolved and cycles detected."""

    def __init__(self, registry: str | Path | None = None, *, refresh: bool = False) -> None:
        self.registry = registry_folder(registry)
        self.refresh = refresh
        self._cache: dict[Path, list[Member]] = {}

    def included(self, cl: Codelist) -> list[tuple[str, Path]]:
        base = cl.path.parent if cl.path is not None else Path.cwd()
        if cl.path is not None and str(cl.path).startswith(("http://", "https://")):
            base = Path.cwd()
        return [(ref, resolve_ref(ref, base, self.registry, refresh=self.refresh))
                for ref in cl.includes]

    def members(self, cl: Codelist, _stack: tuple[Path, ...] = ()) -> list[Member]:
        own = cl.path.resolve() if cl.path is not None else None
        stack = (*_stack, own) if own is not None else _stack
        out: dict[str, Member] = {}
        terms = cl.terms()
        for code in cl.active_codes():
            out[code] = Member(code, terms.get(code, ""), "direct")
        for ref, path in self.included(cl):
            for member in self._members_of(ref, path, cl, stack):
                out.setdefault(member.code, Member(
                    member.code, member.term,
                    ref if member.source == "direct" else f"{ref} > {member.source}"))
        for code in cl.excluded_codes():
            out.pop(code, None)  # exclusions win
        return list(out.values())

    def _members_of(self, ref: str, path: Path, parent: Codelist,
                    stack: tuple[Path, ...]) -> list[Member]:
        resolved = path.resolve()
        if resolved in stack:
            chain = " -> ".join(p.name for p in (*stack, resolved))
            raise CodelistFormatError(f"includes form a cycle: {chain}", path=parent.path,
                                      line=_includes_line(parent),
                                      hint=f"remove {ref!r} from one of these includes")
        if resolved in self._cache:
            return self._cache[resolved]
        if not path.exists():
            raise InputFileError(f"included codelist {ref!r} not found (looked for {path})",
                                 path=parent.path, line=_includes_line(parent),
                                 hint="create it, fix the reference, or pass --codelists DIR")
        child = load(path)
        if child.system.id != parent.system.id:
            raise CodelistFormatError(
                f"included codelist {ref!r} is {child.system.name}, this one is "
                f"{parent.system.name}", path=parent.path, line=_includes_line(parent),
                hint="a codelist has one coding system: map the codes first")
        members = self.members(child, stack)
        self._cache[resolved] = members
        return members


def effective_members(cl: Codelist, *, registry: str | Path | None = None,
                      refresh: bool = False) -> list[Member]:
    """Own and included active codes, minus this file's exclusions."""
    return Resolver(registry, refresh=refresh).members(cl)


def effective_codes(cl: Codelist, **options) -> list[str]:
    return [m.code for m in effective_members(cl, **options)]


def resolve(cl: Codelist, *, registry: str | Path | None = None,
            refresh: bool = False) -> Codelist:
    """A standalone copy: included members written inline, ``includes:`` dropped."""
    from codelists.codelist.model import BLANK, HEADING, Line

    members = effective_members(cl, registry=registry, refresh=refresh)
    flat = parse(_text(cl), path=cl.path)
    flat.meta.pop("includes", None)
    current = None
    for member in members:
        if member.source == "direct":
            continue
        top = member.source.split(" > ")[0]
        if top != current:
            current = top
            flat.lines += [Line(BLANK), Line(HEADING, text=f"# ── included from {top} ──")]
        flat.add_active(member.code, member.term, tags={"included": top.replace(" ", "")})
    return flat


def _text(cl: Codelist) -> str:
    from codelists.codelist.fileformat import dumps

    return dumps(cl)


def include_paths(cl: Codelist, *, registry: str | Path | None = None) -> list[Path]:
    """Every local file a codelist includes, recursively (for lock manifests)."""
    resolver = Resolver(registry)
    seen: list[Path] = []

    def walk(current: Codelist) -> None:
        for ref, path in resolver.included(current):
            if kind_of(ref) == "url" or path.resolve() in seen or not path.exists():
                continue
            seen.append(path.resolve())
            walk(load(path))

    walk(cl)
    return seen
