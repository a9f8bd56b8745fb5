"""A draft's workspace, built once per (draft searches, release) and kept in memory.

The library's :class:`~codelists.codelist.workspace.Workspace` holds the concepts of the
draft's searches and their hierarchy; deciding a code then resolves every status in
memory (the library's semantics), which is what keeps a click under 100 ms on a
370,000-concept release.  Workspaces are kept per process, the most recent few.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict

from codelists.codelist.definition import Rule
from codelists.codelist.workspace import Search, Workspace
from codelists.errors import UserError
from webapp.repository import library

KEEP = 8
_lock = threading.Lock()
_local = threading.local()
_spaces: OrderedDict[str, Workspace] = OrderedDict()


def searches_of(draft) -> list[Search]:
    return [Search.from_mapping(s) for s in draft.searches]


def rules_of(draft) -> tuple[Rule, ...]:
    return tuple(Rule(str(r["code"]), bool(r["include"])) for r in draft.rules)


def releases() -> list[tuple[str, str, str]]:
    """(choice, system, label) for every release a draft can be built on: each coding
    system's installed release (choice = the system), then the other releases of the
    data directory (choice = ``system:file name``), newest first."""
    from codelists.terminology.installed import installed
    from codelists.terminology.locate import list_stores

    current = installed()
    out = [(system, system, _label(meta)) for system, (_, meta) in sorted(current.items())]
    for info in list_stores():
        system = info.metadata.terminology
        if system in current and current[system][0] != info.path:
            out.append((f"{system}:{info.path.name}", system,
                        _label(info.metadata) + " (an earlier release)"))
    return out


def _label(meta) -> str:
    return " ".join(p for p in (meta.edition, str(meta.release_date or "")) if p)


def _chosen(draft):
    """The draft's own store (one of the data directory's), opened once per thread."""
    from codelists.terminology.locate import data_dir
    from codelists.terminology.registry import open_terminology

    path = data_dir() / draft.store
    if "/" in draft.store or not path.is_file():
        return None
    stamp = (str(path), path.stat().st_mtime_ns)
    opened = _local.__dict__.setdefault("stores", {})
    if opened.get(draft.store, (None,))[0] != stamp:
        opened[draft.store] = (stamp, open_terminology(path))
    return opened[draft.store][1]


def terminology(draft):
    found = _chosen(draft) if draft.store else library.terminology_for(draft.coding_system)
    if found is None:
        hint = "an administrator imports one with `codelist terminology import`"
        if draft.store:
            raise UserError(f"the release {draft.store} is no longer installed on this site",
                            hint=hint)
        raise UserError(f"no {library.system_name(draft.coding_system)} release is installed "
                        "on this site", hint=hint)
    return found


def workspace(draft) -> Workspace:
    """The draft's workspace (cached by its searches and the installed release)."""
    source = terminology(draft)
    stamp = str(getattr(source, "metadata", ""))
    key = hashlib.sha256(json.dumps([draft.coding_system, draft.store, stamp, draft.searches],
                                    sort_keys=True).encode()).hexdigest()
    with _lock:
        space = _spaces.get(key)
        if space is not None:
            _spaces.move_to_end(key)
            return space
    space = Workspace(source, searches_of(draft))
    with _lock:
        _spaces[key] = space
        while len(_spaces) > KEEP:
            _spaces.popitem(last=False)
    return space


def release_label(draft) -> str:
    meta = getattr(terminology(draft), "metadata", None)
    return "" if meta is None else _label(meta)


def titled(system_name: str, release: str) -> str:
    """A release as a heading names it: the system's name once (editions such as
    "ICD-10-CM FY2026 (CDC)" already start with it)."""
    if release.lower().startswith(system_name.lower()):
        return release
    return " ".join(p for p in (system_name, release) if p)
