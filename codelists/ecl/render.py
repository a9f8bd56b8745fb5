"""Render an ECL tree in canonical brief syntax.

Canonical form: single spaces, keywords in upper case (``AND``, ``OR``, ``MINUS``,
``HISTORY-MIN``, the ``D``/``C``/``M`` filter letters), ``,`` written as ``AND``, display
terms kept as ``|term|``, brackets exactly where nesting requires them.  For every tree
``parse(render(tree)) == tree``.
"""

from __future__ import annotations

from codelists.ecl import ast

#: the characters of an alternate identifier's code written without quotes
_PLAIN_ALT_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-")


def render(node) -> str:
    """The canonical text of an expression (or of any sub-tree)."""
    return _render(node)


def _render(node) -> str:
    method = _RENDERERS.get(type(node))
    if method is None:
        raise TypeError(f"cannot render {type(node).__name__}")
    return method(node)


def _reference(node: ast.ConceptReference) -> str:
    return f"{node.id} |{node.term}|" if node.term else str(node.id)


def _alternate(node: ast.AlternateIdentifier) -> str:
    if node.code and _PLAIN_ALT_CHARS.issuperset(node.code):
        text = f"{node.scheme}#{node.code}"
    else:
        text = '"' + _escape(f"{node.scheme}#{node.code}") + '"'
    return f"{text} |{node.term}|" if node.term else text


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _focus(focus) -> str:
    if isinstance(focus, ast.ConceptReference | ast.AlternateIdentifier | ast.Wildcard):
        return _render(focus)
    return f"({_render(focus)})"


def _sub(node: ast.SubExpression) -> str:
    parts = []
    if node.operator:
        parts.append(node.operator)
    if node.member_of is not None:
        fields = node.member_of.fields
        parts.append(f"^ [{', '.join(fields)}]" if fields else "^")
    parts.append(_focus(node.focus))
    parts.extend(_render(f) for f in node.member_filters)
    parts.extend(_render(f) for f in node.filters)
    if node.history is not None:
        parts.append(_render(node.history))
    return " ".join(parts)


def _compound(node: ast.Compound) -> str:
    return f" {node.operator} ".join(_render(o) for o in node.operands)


def _refined(node: ast.Refined) -> str:
    return f"{_render(node.focus)} : {_render(node.refinement)}"


def _dotted(node: ast.Dotted) -> str:
    return " . ".join([_render(node.focus), *(_render(a) for a in node.attributes)])


def _cardinality(node: ast.Cardinality | None) -> str:
    if node is None:
        return ""
    high = "*" if node.max is None else str(node.max)
    return f"[{node.min}..{high}] "


def _attribute(node: ast.Attribute) -> str:
    reverse = "R " if node.reverse else ""
    return (f"{_cardinality(node.cardinality)}{reverse}{_render(node.name)} "
            f"{node.operator} {_value(node.value)}")


def _value(value) -> str:
    if isinstance(value, ast.NumericValue):
        return f"#{value.text}"
    if isinstance(value, ast.BooleanValue):
        return "true" if value.value else "false"
    if isinstance(value, ast.StringValue):
        return _terms(value.terms)
    if isinstance(value, ast.TimeValues):
        return _set([f'"{t}"' for t in value.times])
    return _render(value)


def _group(node: ast.AttributeGroup) -> str:
    return f"{_cardinality(node.cardinality)}{{ {_render(node.attributes)} }}"


def _refinement_compound(node: ast.RefinementCompound) -> str:
    parts = []
    for operand in node.operands:
        text = _render(operand)
        parts.append(f"({text})" if isinstance(operand, ast.RefinementCompound) else text)
    return f" {node.operator} ".join(parts)


def _set(items: list[str]) -> str:
    return items[0] if len(items) == 1 else "(" + " ".join(items) + ")"


def _typed_term(term: ast.TypedSearchTerm) -> str:
    if term.kind == "wild":
        return f'wild:"{term.text}"'
    return f'"{_escape(term.text)}"'


def _terms(terms) -> str:
    return _set([_typed_term(t) for t in terms])


def _ids_or_expression(value) -> str:
    if isinstance(value, tuple):
        return "(" + " ".join(_reference(r) for r in value) + ")"
    return _render(value)


def _acceptability(node: ast.Acceptability | None) -> str:
    if node is None:
        return ""
    items = node.tokens or tuple(_reference(r) for r in node.ids)
    return " (" + " ".join(items) + ")"


def _filter(node) -> str:
    op = node.operator
    match node:
        case ast.TermFilter():
            return f"term {op} {_terms(node.terms)}"
        case ast.LanguageFilter():
            return f"language {op} {_set(list(node.codes))}"
        case ast.TypeFilter():
            if node.tokens:
                return f"type {op} {_set(list(node.tokens))}"
            return f"typeId {op} {_ids_or_expression(node.ids)}"
        case ast.DialectFilter():
            return _dialect_filter(node)
        case ast.ModuleFilter():
            return f"moduleId {op} {_ids_or_expression(node.value)}"
        case ast.EffectiveTimeFilter():
            return f"effectiveTime {op} {_set([f'{chr(34)}{t}{chr(34)}' for t in node.times])}"
        case ast.ActiveFilter():
            return f"active {op} {'true' if node.active else 'false'}"
        case ast.DescriptionIdFilter():
            return f"id {op} {_set([str(i) for i in node.ids])}"
        case ast.DefinitionStatusFilter():
            if node.tokens:
                return f"definitionStatus {op} {_set(list(node.tokens))}"
            return f"definitionStatusId {op} {_ids_or_expression(node.ids)}"
        case ast.MemberFieldFilter():
            return f"{node.field} {op} {_value(node.value)}"
    raise TypeError(f"cannot render filter {type(node).__name__}")


def _dialect_filter(node: ast.DialectFilter) -> str:
    items = []
    for dialect in node.dialects:
        if node.by_id:
            text = _render(dialect.refset)
        else:
            text = dialect.alias
        items.append(text + _acceptability(dialect.acceptability))
    keyword = "dialectId" if node.by_id else "dialect"
    single = len(items) == 1 and node.dialects[0].acceptability is None
    value = items[0] if single else "(" + " ".join(items) + ")"
    return f"{keyword} {node.operator} {value}{_acceptability(node.acceptability)}"


def _filters(letter: str):
    def render_block(node) -> str:
        return "{{ " + letter + " " + ", ".join(_filter(f) for f in node.filters) + " }}"
    return render_block


def _history(node: ast.HistorySupplement) -> str:
    if node.profile:
        return "{{ + HISTORY-" + node.profile + " }}"
    if node.subset is not None:
        return "{{ + HISTORY (" + _render(node.subset) + ") }}"
    return "{{ + HISTORY }}"


_RENDERERS = {
    ast.ConceptReference: _reference,
    ast.AlternateIdentifier: _alternate,
    ast.Wildcard: lambda node: "*",
    ast.SubExpression: _sub,
    ast.Compound: _compound,
    ast.Refined: _refined,
    ast.Dotted: _dotted,
    ast.Attribute: _attribute,
    ast.AttributeGroup: _group,
    ast.RefinementCompound: _refinement_compound,
    ast.DescriptionFilters: _filters("D"),
    ast.ConceptFilters: _filters("C"),
    ast.MemberFilters: _filters("M"),
    ast.HistorySupplement: _history,
}
