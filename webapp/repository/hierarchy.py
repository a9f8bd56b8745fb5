"""A codelist version's codes as a tree, and its code table in the orders readers use.

The tree itself is the library's (:func:`codelists.codelist.tree.build_tree`) over the
terminology store installed on the site (:func:`library.terminology_for`, the same store
location as the command line).  This module only shapes it for the page: an ARIA tree
(``role="tree"``, ``treeitem``, ``group``) rendered once per version and store, cached.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from codelists.codelist.tree import Tree, build_tree, natural_key
from webapp.repository import library
from webapp.repository.models import CodeStatus

#: a fully expanded tree larger than this shows each code once (where first reached)
MAX_ROWS = 20_000
#: trees up to this size open fully; larger ones open their top level only
OPEN_ALL = 60
ORDERS = {"hierarchy": "hierarchy", "code": "code", "file": "as in the file"}

STATUS_LABEL = {CodeStatus.ACTIVE: "included", CodeStatus.EXCLUDED: "excluded",
                CodeStatus.PENDING: "pending"}
STATUS_MARK = {CodeStatus.ACTIVE: "✓", CodeStatus.EXCLUDED: "✗", CodeStatus.PENDING: "?"}


@dataclass(frozen=True)
class VersionTree:
    tree: Tree
    rows: dict[str, tuple[str, str]]  # code -> (term, status)
    release: str  # the store's terminology release, e.g. "snomedct 20200415"


def _store_label(terminology) -> str:
    meta = getattr(terminology, "metadata", None)
    if meta is None:
        return ""
    parts = [getattr(meta, "edition", ""), str(getattr(meta, "release_date", "") or "")]
    return " ".join(p for p in parts if p)


def version_tree(version, system_id: str) -> VersionTree | None:
    """The tree of every code of the version (all statuses); None without a store."""
    terminology = library.terminology_for(system_id)
    if terminology is None:
        return None
    rows = {c["code"]: (c["term"], c["status"])
            for c in version.codes.values("code", "term", "status").order_by("line", "pk")}
    missing = [code for code, (term, _) in rows.items() if not term]
    if missing:
        found = terminology.lookup_many(missing)
        rows.update({code: (found[code].term, rows[code][1]) for code in missing
                     if code in found})
    tree = build_tree(rows, terminology,
                      sort_key=lambda code: (rows.get(code, ("",))[0].casefold(),
                                             natural_key(code)))
    return VersionTree(tree, rows, _store_label(terminology))


def tree_html(version, system_id: str, label: str) -> SafeString | None:
    """The rendered ARIA tree of a version (cached per version and store); None when no
    store for the coding system is installed."""
    terminology = library.terminology_for(system_id)
    if terminology is None:
        return None
    key = cache_key("version-tree", version.sha256, system_id, _store_label(terminology), label)
    cached = cache.get(key)
    if cached is not None:
        return mark_safe(cached)  # noqa: S308 -- rendered and escaped below
    built = version_tree(version, system_id)
    html = render_tree(built, label)
    cache.set(key, str(html), 24 * 3600)
    return html


def render_tree(built: VersionTree, label: str) -> SafeString:
    """``<ul role="tree">`` with every node; collapsed sensibly (data-open), escaped."""
    tree, rows = built.tree, built.rows
    total = tree.size()
    once = total > MAX_ROWS
    shown: set[str] = set()
    out: list[str] = []
    if tree.unknown:
        known = len(rows) - len(tree.unknown)
        out.append(f'<p class="notice">The installed release ({escape(built.release)}) knows '
                   f'{known:,} of the {len(rows):,} codes of this list; the '
                   f'{len(tree.unknown):,} it does not know are listed at the top level.</p>')
    out.append(f'<ul role="tree" class="tree" aria-label="{escape(label)}">')

    below = _below_counts(tree)

    stack: list[tuple[str, int, bool]] = [(code, 1, False) for code in reversed(tree.roots)]
    while stack:
        code, level, closing = stack.pop()
        if closing:
            out.append("</ul></li>")
            continue
        if once and code in shown:
            continue
        shown.add(code)
        term, status = rows.get(code, ("", ""))
        kids = [k for k in tree.kids(code) if not (once and k in shown)]
        opened = total <= OPEN_ALL or level == 1 and len(tree.roots) <= 10
        attrs = f' aria-level="{level}" data-code="{escape(code)}" class="node {status}"'
        if kids:
            attrs += f' aria-expanded="{"true" if opened else "false"}"'
        out.append(f'<li role="treeitem"{attrs} tabindex="-1">'
                   f'<span class="row"><span class="mark" aria-hidden="true">'
                   f'{STATUS_MARK.get(status, "")}</span> '
                   f'<code>{escape(code)}</code> {escape(term)} '
                   f'<span class="status">{STATUS_LABEL.get(status, "")}</span>')
        if kids:
            n = below[code]
            out.append(f' <span class="count muted">{n} below</span></span>'
                       f'<ul role="group"{"" if opened else " hidden"}>')
            stack.append((code, level, True))
            stack.extend((kid, level + 1, False) for kid in reversed(kids))
        else:
            out.append("</span></li>")
    out.append("</ul>")
    return mark_safe("".join(out))  # noqa: S308 -- every value above is escaped


def _below_counts(tree: Tree) -> dict[str, int]:
    """How many distinct codes of the list lie below each code (post-order, once)."""
    sets: dict[str, frozenset[str]] = {}
    stack = [(code, False) for code in tree.roots]
    while stack:
        code, ready = stack.pop()
        if code in sets:
            continue
        if ready:
            found: set[str] = set()
            for kid in tree.kids(code):
                found.add(kid)
                found |= sets.get(kid, frozenset())
            sets[code] = frozenset(found)
        else:
            stack.append((code, True))
            stack.extend((kid, False) for kid in tree.kids(code) if kid not in sets)
    return {code: len(below) for code, below in sets.items()}


def ordered_rows(version, system_id: str, status: str, order: str, q: str = "") -> list:
    """The version's codes of one status as dicts (code, term, comment, depth), ordered
    by hierarchy (depth-first; needs a store), naturally by code, or as in the file."""
    qs = version.codes.filter(status=status)
    if q:
        from django.db.models import Q

        qs = qs.filter(Q(code__istartswith=q) | Q(term__icontains=q))
    rows = list(qs.values("code", "term", "comment").order_by("line", "pk"))
    if order == "code":
        rows.sort(key=lambda r: natural_key(r["code"]))
    elif order == "hierarchy":
        built = _cached_order(version, system_id)
        if built is not None:
            position = {code: (i, depth) for i, (depth, code) in enumerate(built)}
            end = (len(position), 0)
            rows.sort(key=lambda r: position.get(r["code"], end)[0])
            for r in rows:
                r["depth"] = position.get(r["code"], end)[1]
    return rows


def _cached_order(version, system_id: str) -> list[tuple[int, str]] | None:
    terminology = library.terminology_for(system_id)
    if terminology is None:
        return None
    key = cache_key("version-order", version.sha256, system_id, _store_label(terminology))
    order = cache.get(key)
    if order is None:
        built = version_tree(version, system_id)
        order = list(built.tree.depth_first())
        cache.set(key, order, 24 * 3600)
    return order


def cache_key(kind: str, *parts: str) -> str:
    import hashlib

    return f"{kind}:" + hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()


def default_order(system_id: str) -> str:
    return "hierarchy" if library.terminology_for(system_id) is not None else "code"


def release_of(system_id: str) -> str:
    """The installed release the tree is drawn from (edition and date), or ''."""
    terminology = library.terminology_for(system_id)
    return _store_label(terminology) if terminology is not None else ""
