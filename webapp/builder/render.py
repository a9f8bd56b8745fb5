"""The builder's tree as HTML: an ARIA tree whose items carry a status and
include/exclude buttons; deeper branches load when opened (so a search of 20,000
concepts shows its first levels at once)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from codelists.codelist.definition import Status

LABEL = {Status.INCLUDED: "included", Status.EXCLUDED: "excluded",
         Status.CONFLICTED: "conflicted", Status.UNRESOLVED: "unresolved"}
MARK = {Status.INCLUDED: "✓", Status.EXCLUDED: "✗", Status.CONFLICTED: "!",
        Status.UNRESOLVED: "·"}
#: the first levels are rendered with the page; deeper ones when opened
EAGER_LEVELS = 2
#: with more roots than this, the roots start closed
OPEN_ROOTS = 12


def node(draft, space, statuses, decided, code: str, level: int, eager: int) -> str:
    status = statuses.get(code, Status.UNRESOLVED)
    label = LABEL[status]
    kids = space.tree().kids(code)
    term = escape(space.terms.get(code, ""))
    rule = decided.get(code)
    attrs = (f'role="treeitem" aria-level="{level}" data-code="{escape(code)}" '
             f'class="node {label}{" decided" if rule is not None else ""}" tabindex="-1"')
    opened = bool(kids) and level < eager
    if kids:
        attrs += f' aria-expanded="{"true" if opened else "false"}"'
    matched = " matched" if code in space.matches else ""
    out = [f'<li {attrs}><span class="row{matched}">'
           f'<span class="mark" aria-hidden="true">{MARK[status]}</span> '
           f'<code>{escape(code)}</code> <span class="term">{term}</span> '
           f'<span class="status">{label}{" (decided here)" if rule is not None else ""}</span>'
           f'{_below(space, code, kids)}{_buttons(code, term, rule)}</span>']
    if kids:
        if opened:
            out.append('<ul role="group">')
            out += [node(draft, space, statuses, decided, kid, level + 1, eager)
                    for kid in kids]
            out.append("</ul>")
        else:
            src = reverse("builder:children", args=[draft.pk, code]) + f"?level={level + 1}"
            out.append(f'<ul role="group" hidden data-src="{escape(src)}"></ul>')
    out.append("</li>")
    return "".join(out)


def _below(space, code: str, kids) -> str:
    """How many concepts a branch opens to (its direct children: cheap at any size)."""
    if not kids:
        return ""
    return f' <span class="count muted">{len(kids):,} narrower</span>'


def _buttons(code: str, term: str, rule) -> str:
    on_in = "true" if rule is True else "false"
    on_out = "true" if rule is False else "false"
    return (f'<span class="decide"><button type="button" tabindex="-1" data-decide="include" '
            f'aria-pressed="{on_in}" aria-label="Include {escape(code)} {term} and its '
            f'descendants">+ include</button> <button type="button" tabindex="-1" '
            f'data-decide="exclude" aria-pressed="{on_out}" aria-label="Exclude '
            f'{escape(code)} {term} and its descendants">− exclude</button></span>')


def tree(draft, space, statuses, decided) -> SafeString:
    roots = space.tree().roots
    eager = EAGER_LEVELS if len(roots) <= OPEN_ROOTS else 1
    items = "".join(node(draft, space, statuses, decided, code, 1, eager) for code in roots)
    return mark_safe(  # noqa: S308 -- every value is escaped above
        f'<ul role="tree" class="tree builder-tree" aria-label="Concepts found by the '
        f'searches" aria-describedby="tree-help">{items}</ul>')


def children(draft, space, statuses, decided, code: str, level: int) -> SafeString:
    return mark_safe("".join(  # noqa: S308 -- escaped in node()
        node(draft, space, statuses, decided, kid, level, level)
        for kid in space.tree().kids(code)))
