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
_spaces: OrderedDict[str, Workspace] = OrderedDict()


def searches_of(draft) -> list[Search]:
    return [Search.from_mapping(s) for s in draft.searches]


def rules_of(draft) -> tuple[Rule, ...]:
    return tuple(Rule(str(r["code"]), bool(r["include"])) for r in draft.rules)


def terminology(draft):
    found = library.terminology_for(draft.coding_system)
    if found is None:
        raise UserError(f"no {library.system_name(draft.coding_system)} release is installed "
                        "on this site", hint="an administrator imports one with "
                        "`codelist terminology import`")
    return found


def workspace(draft) -> Workspace:
    """The draft's workspace (cached by its searches and the installed release)."""
    source = terminology(draft)
    stamp = str(getattr(source, "metadata", ""))
    key = hashlib.sha256(json.dumps([draft.coding_system, stamp, draft.searches],
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
    if meta is None:
        return ""
    return " ".join(p for p in (meta.edition, str(meta.release_date or "")) if p)
