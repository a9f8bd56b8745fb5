"""The reference evaluator: ECL evaluated naively over an in-memory :class:`Substrate`.

Written for clarity, not speed, straight from the specification's wording; it is the
test oracle for the SQL compiler (the generative tests require both to agree).  The
choices where the specification leaves room are documented in
docs/reference/ecl-conformance.md and shared with the compiler through semantics.py.
"""

from __future__ import annotations

import operator as op
from collections import defaultdict

from codelists.ecl import ast
from codelists.ecl.parser import parse
from codelists.ecl.semantics import (
    ACCEPTABILITY_TOKENS,
    ALTERNATE_SCHEMES,
    COMMON_FIELDS,
    DEFINITION_STATUS_TOKENS,
    DIALECT_ALIASES,
    HISTORY_PROFILES,
    IDENTIFIER_SCHEME,
    TYPE_TOKENS,
    ECLResult,
    fold,
    holds_components,
    member_string_matches,
    scheme_named,
    string_value_matches,
    term_matches,
    wild_matches,
)
from codelists.ecl.substrate import Substrate
from codelists.errors import ECLError, NotSupportedError

COMPARE = {"=": op.eq, "!=": op.ne, "<": op.lt, "<=": op.le, ">": op.gt, ">=": op.ge}
ANY = None  # an unconstrained attribute name or value (``*``)


def evaluate_reference(expression: str | ast.Expression, substrate: Substrate) -> ECLResult:
    tree = parse(expression) if isinstance(expression, str) else expression
    return Reference(substrate).result(tree)


class Reference:
    def __init__(self, substrate: Substrate):
        self.s = substrate
        self.by_source: dict[int, list] = defaultdict(list)
        self.by_destination: dict[int, list] = defaultdict(list)
        for r in substrate.relationships:
            self.by_source[r.source_id].append(r)
            self.by_destination[r.destination_id].append(r)
        self.concrete_by_source: dict[int, list] = defaultdict(list)
        for c in substrate.concrete_values:
            self.concrete_by_source[c.source_id].append(c)
        self.memo: dict = {}
        self.descriptions_of: dict[int, list] = defaultdict(list)
        for d in substrate.descriptions.values():
            self.descriptions_of[d.concept_id].append(d)

    # ---- results ---------------------------------------------------------------------
    def result(self, tree) -> ECLResult:
        unknown = sorted({r.id for r in ast.concept_references(tree)
                          if r.id not in self.s.concepts})
        warnings = [f"unknown concept {i}" for i in unknown]
        for ref in ast.concept_references(tree):
            if ref.id not in self.s.concepts:
                continue
            if ref.term and not any(fold(d.term) == fold(ref.term)
                                      for d in self.descriptions_of[ref.id]):
                warnings.append(f"{ref.id} |{ref.term}|: the term is not a description of "
                                "this concept")
        if _returns_rows(tree):
            columns, rows = self.member_rows(tree)
            return ECLResult(frozenset(), tuple(warnings), tuple(unknown), columns, tuple(rows))
        return ECLResult(frozenset(self.eval(tree)), tuple(warnings), tuple(unknown))

    # ---- expressions -----------------------------------------------------------------
    def eval(self, node) -> set[int]:
        """The set of an expression (memoised: filters ask for the same sets repeatedly)."""
        cached = self.memo.get(node)
        if cached is None:
            cached = self.memo[node] = frozenset(self._eval(node))
        return set(cached)

    def _eval(self, node) -> set[int]:
        if isinstance(node, ast.Compound):
            sets = [self.eval(o) for o in node.operands]
            if node.operator == "AND":
                return set.intersection(*sets)
            if node.operator == "OR":
                return set.union(*sets)
            return sets[0] - sets[1]
        if isinstance(node, ast.Refined):
            focus = self.eval(node.focus)
            return self.refine(focus, node.refinement)
        if isinstance(node, ast.Dotted):
            current = self.eval(node.focus)
            for attribute in node.attributes:
                names = self.names(attribute)
                current = {r.destination_id for c in current for r in self.by_source[c]
                           if names is ANY or r.type_id in names}
            return current
        return self.sub(node)

    def prime(self, nodes) -> None:
        """Evaluate every expression nested in filters eagerly, so that an unsupported
        feature fails even when no concept reaches it (as the compiled SQL does)."""
        for part in nodes:
            for inner in ast.walk(part):
                if isinstance(inner, ast.SubExpression | ast.Compound | ast.Refined | ast.Dotted):
                    self.eval(inner)

    def sub(self, node: ast.SubExpression) -> set[int]:
        self.prime((*node.member_filters, *node.filters,
                    *((node.history.subset,) if node.history and node.history.subset else ())))
        if node.member_of is not None:
            name = _component_field(node.member_of)
            values = (_member_value(m, name) for m in self.members(node))
            ids = {int(v) for v in values if v is not None and str(v).isdigit()}
        else:
            ids = self.focus(node.focus)
        ids = self.apply_operator(node.operator, ids)
        for block in node.filters:
            if isinstance(block, ast.DescriptionFilters):
                ids = {c for c in ids if any(self.description_passes(d, block)
                                             for d in self.descriptions_of[c])}
            else:
                ids = {c for c in ids if c in self.s.concepts
                       and all(self.concept_passes(self.s.concepts[c], f) for f in block.filters)}
        if node.history is not None:
            ids = ids | self.history(node.history, ids)
        return ids

    def focus(self, focus) -> set[int]:
        if isinstance(focus, ast.Wildcard):
            return set(self.s.concepts)
        if isinstance(focus, ast.ConceptReference):
            return {focus.id} if focus.id in self.s.concepts else set()
        if isinstance(focus, ast.AlternateIdentifier):
            return self.alternate(focus)
        return self.eval(focus)

    def alternate(self, alt: ast.AlternateIdentifier) -> set[int]:
        held = {i.scheme_id for i in self.s.identifiers}
        schemes = {s: {d.term for d in self.descriptions_of[s] if d.active} for s in
                   held | (self.s.descendants(IDENTIFIER_SCHEME) & set(self.s.concepts))}
        named = scheme_named(alt.scheme, schemes)
        if len(named) > 1:
            raise ECLError(f"alternate identifier scheme {alt.scheme!r} is ambiguous")
        if named and named <= held:
            scheme_id = named.pop()
            return {i.referenced_component_id for i in self.s.identifiers
                    if i.active and i.scheme_id == scheme_id and i.alternate_identifier == alt.code}
        scheme = ALTERNATE_SCHEMES.get(alt.scheme.lower())
        if scheme is None or scheme[0] not in self.s.refsets():
            raise NotSupportedError(f"alternate identifier scheme {alt.scheme!r} is not held "
                                    "in this store")
        return {m.referenced_component_id for m in self.s.members_of(scheme[0])
                if m.field("mapTarget") == alt.code}

    def apply_operator(self, operator: str | None, ids: set[int]) -> set[int]:
        s = self.s
        if operator is None:
            return ids
        if operator in ("<", "<<"):
            out = set().union(*(s.descendants(c) for c in ids)) if ids else set()
            return out | ids if operator == "<<" else out
        if operator in (">", ">>"):
            out = set().union(*(s.ancestors(c) for c in ids)) if ids else set()
            return out | ids if operator == ">>" else out
        if operator in ("<!", "<<!"):
            out = {k for c in ids for k in s.children().get(c, ())}
            return out | ids if operator == "<<!" else out
        if operator in (">!", ">>!"):
            out = {p for c in ids for p in s.parents().get(c, ())}
            return out | ids if operator == ">>!" else out
        if operator == "!!>":
            return {c for c in ids if not (s.ancestors(c) & ids)}
        return {c for c in ids if not (s.descendants(c) & ids)}  # !!<

    # ---- member of -------------------------------------------------------------------
    def members(self, node: ast.SubExpression) -> list:
        if isinstance(node.focus, ast.Wildcard):
            refsets = self.s.refsets()
        elif isinstance(node.focus, ast.ConceptReference):
            refsets = {node.focus.id}  # members count even if the refset concept is missing
        else:
            refsets = self.focus(node.focus)
        found = [m for r in sorted(refsets) for m in self.s.members_of(r)]
        if any(isinstance(f, ast.ActiveFilter) for b in node.member_filters for f in b.filters):
            found += [m for r in sorted(refsets) for m in self.s.inactive_members_of(r)]
        for block in node.member_filters:
            found = [m for m in found if all(self.member_passes(m, f) for f in block.filters)]
        return found

    def member_rows(self, node: ast.SubExpression):
        members = self.members(node)
        names = node.member_of.fields
        if names == ("*",):
            names = tuple(COMMON_FIELDS) + tuple(sorted({n for m in members
                                                          for n, _ in m.fields}))
        rows = dict.fromkeys(tuple(_member_value(m, n) for n in names) for m in members)
        return tuple(names), list(rows)

    def member_passes(self, m, f) -> bool:
        if isinstance(f, ast.ModuleFilter):
            return _in(f.operator, m.module_id, self.values(f.value))
        if isinstance(f, ast.EffectiveTimeFilter):
            return _time_passes(f.operator, m.effective_time, f.times)
        if isinstance(f, ast.ActiveFilter):
            return _in(f.operator, m.active, {f.active})
        value = _member_value(m, f.field)
        if value is None or value == "":
            return False
        return _value_passes(f.operator, f.value, value, self)

    # ---- filters -------------------------------------------------------------------
    def values(self, value) -> set[int]:
        if isinstance(value, tuple):
            return {r.id for r in value}
        return self.eval(value)

    def description_passes(self, d, block: ast.DescriptionFilters) -> bool:
        if not any(isinstance(f, ast.ActiveFilter) for f in block.filters) and not d.active:
            return False
        return all(self.description_filter(d, f) for f in block.filters)

    def description_filter(self, d, f) -> bool:
        o = f.operator
        if isinstance(f, ast.TermFilter):
            hit = any(term_matches(t.text, d.term) if t.kind == "match"
                      else wild_matches(t.text, d.term) for t in f.terms)
            return hit if o == "=" else not hit
        if isinstance(f, ast.LanguageFilter):
            return _in(o, d.language_code.lower(), set(f.codes))
        if isinstance(f, ast.TypeFilter):
            types = {TYPE_TOKENS[t] for t in f.tokens} if f.tokens else self.values(f.ids)
            return _in(o, d.type_id, types)
        if isinstance(f, ast.DialectFilter):
            return self.dialect_passes(d, f)
        if isinstance(f, ast.ModuleFilter):
            return _in(o, d.module_id, self.values(f.value))
        if isinstance(f, ast.EffectiveTimeFilter):
            return _time_passes(o, d.effective_time, f.times)
        if isinstance(f, ast.ActiveFilter):
            return _in(o, d.active, {f.active})
        if isinstance(f, ast.DescriptionIdFilter):
            return _in(o, d.id, set(f.ids))
        raise NotSupportedError(f"filter {type(f).__name__} on descriptions")

    def dialect_passes(self, d, f: ast.DialectFilter) -> bool:
        hit = False
        for refsets, accepted in self.dialects(f):
            for refset in refsets:
                for m in self.s.members_of(refset):
                    if m.referenced_component_id == d.id and (
                            accepted is None or int(m.field("acceptabilityId")) in accepted):
                        hit = True
        return hit if f.operator == "=" else not hit

    def dialects(self, f: ast.DialectFilter):
        for dialect in f.dialects:
            if f.by_id:
                refsets = self.eval(dialect.refset)
            else:
                if dialect.alias not in DIALECT_ALIASES:
                    raise ECLError(f"unknown dialect alias {dialect.alias!r}",
                                   hint="use a dialectId = <language refset> filter instead")
                refsets = {DIALECT_ALIASES[dialect.alias]}
            acceptability = dialect.acceptability or f.acceptability
            yield refsets, _acceptability_ids(acceptability)

    def concept_passes(self, c, f) -> bool:
        o = f.operator
        if isinstance(f, ast.DefinitionStatusFilter):
            wanted = ({DEFINITION_STATUS_TOKENS[t] for t in f.tokens} if f.tokens
                      else self.values(f.ids))
            return _in(o, c.definition_status_id, wanted)
        if isinstance(f, ast.ModuleFilter):
            return _in(o, c.module_id, self.values(f.value))
        if isinstance(f, ast.EffectiveTimeFilter):
            return _time_passes(o, c.effective_time, f.times)
        return _in(o, c.active, {f.active})

    def history(self, h: ast.HistorySupplement, ids: set[int]) -> set[int]:
        if h.subset is not None:
            refsets = self.eval(h.subset)
        else:
            chosen = HISTORY_PROFILES[h.profile or "MAX"]
            refsets = set(chosen) if chosen is not None else {
                r for r, names in self.s.refset_fields.items() if names == ("targetComponentId",)}
        return {m.referenced_component_id for r in refsets for m in self.s.members_of(r)
                if m.field("targetComponentId") is not None
                and int(m.field("targetComponentId")) in ids
                and isinstance(m.referenced_component_id, int)}

    # ---- refinements -----------------------------------------------------------------
    def names(self, name: ast.SubExpression):
        if _is_any(name):
            return ANY
        return self.eval(name)

    def refine(self, focus: set[int], refinement) -> set[int]:
        self.prime((refinement,))
        if isinstance(refinement, ast.RefinementCompound):
            parts = [self.refine(focus, o) for o in refinement.operands]
            return set.intersection(*parts) if refinement.operator == "AND" else set.union(*parts)
        if isinstance(refinement, ast.AttributeGroup):
            return {c for c in focus if self.group_count_ok(c, refinement)}
        matcher = self.attribute_matcher(refinement)
        card = refinement.cardinality or ast.Cardinality(1, None)
        return {c for c in focus if _within(len(matcher(c, None)), card)}

    def group_count_ok(self, concept: int, group: ast.AttributeGroup) -> bool:
        groups = {r.group for r in self.by_source[concept] if r.group} | {
            v.group for v in self.concrete_by_source[concept] if v.group}
        count = sum(1 for g in groups if self.in_group(concept, g, group.attributes))
        return _within(count, group.cardinality or ast.Cardinality(1, None))

    def in_group(self, concept: int, g: int, attributes) -> bool:
        if isinstance(attributes, ast.RefinementCompound):
            parts = [self.in_group(concept, g, a) for a in attributes.operands]
            return all(parts) if attributes.operator == "AND" else any(parts)
        if attributes.reverse:
            raise NotSupportedError("reverse attributes inside an attribute group")
        matcher = self.attribute_matcher(attributes)
        return _within(len(matcher(concept, g)), attributes.cardinality or ast.Cardinality(1, None))

    def attribute_matcher(self, a: ast.Attribute):
        """A function (concept, group or None) -> the matching relationships."""
        names = self.names(a.name)

        def named(type_id):
            return names is ANY or type_id in names

        value = a.value
        if isinstance(value, ast.SubExpression):
            wanted = ANY if _is_any(value) else self.eval(value)
            if a.reverse:
                return lambda c, g: [r for r in self.by_destination[c] if named(r.type_id)
                                     and _value_in(a.operator, r.source_id, wanted)]
            return lambda c, g: [r for r in self.by_source[c] if named(r.type_id)
                                 and (g is None or r.group == g)
                                 and _value_in(a.operator, r.destination_id, wanted)]
        if a.reverse:
            raise NotSupportedError("reverse attributes with concrete values")
        return lambda c, g: [v for v in self.concrete_by_source[c] if named(v.type_id)
                             and (g is None or v.group == g)
                             and _concrete_passes(a.operator, value, v.value)]


# ---- helpers -----------------------------------------------------------------------------

def _is_any(value: ast.SubExpression) -> bool:
    return (isinstance(value.focus, ast.Wildcard) and value.operator is None
            and value.member_of is None and not value.filters and value.history is None)


def _value_in(operator: str, value: int, wanted) -> bool:
    if wanted is ANY:
        return operator == "="
    return (value in wanted) if operator == "=" else (value not in wanted)


def _within(count: int, card: ast.Cardinality) -> bool:
    return count >= card.min and (card.max is None or count <= card.max)


def _in(operator: str, value, wanted: set) -> bool:
    return (value in wanted) if operator == "=" else (value not in wanted)


def _time_passes(operator: str, effective_time: int, times: tuple[str, ...]) -> bool:
    values = []
    for t in times:
        if not t:
            if operator not in ("=", "!="):
                raise NotSupportedError('an ordering comparison with the empty time ""')
            values.append(0)
        else:
            values.append(int(t))
    if operator == "=":
        return effective_time in values
    if operator == "!=":
        return effective_time not in values
    return any(COMPARE[operator](effective_time, v) for v in values)


def _acceptability_ids(acceptability: ast.Acceptability | None):
    if acceptability is None:
        return None
    if acceptability.tokens:
        return {ACCEPTABILITY_TOKENS[t] for t in acceptability.tokens}
    return {r.id for r in acceptability.ids}


def _concrete_passes(operator: str, value, raw: str) -> bool:
    if isinstance(value, ast.NumericValue):
        return raw.startswith("#") and COMPARE[operator](float(raw[1:]), value.value)
    if isinstance(value, ast.BooleanValue):
        return raw in ("true", "false") and COMPARE[operator](raw == "true", value.value)
    if not (raw.startswith('"') and raw.endswith('"') and len(raw) >= 2):
        return False
    hit = any(string_value_matches(t.kind, t.text, raw[1:-1]) for t in value.terms)
    return hit if operator == "=" else not hit


def _member_value(m, name: str):
    common = {"id": m.id, "effectiveTime": m.effective_time, "active": int(m.active),
              "moduleId": m.module_id, "refsetId": m.refset_id,
              "referencedComponentId": m.referenced_component_id}
    if name in common:
        return common[name]
    return m.field(name)


def _value_passes(operator: str, value, raw, ref: Reference) -> bool:
    text = str(raw)
    if isinstance(value, ast.NumericValue):
        try:
            number = float(text)
        except ValueError:
            return False
        return COMPARE[operator](number, value.value)
    if isinstance(value, ast.BooleanValue):
        return COMPARE[operator](text.lower() in ("1", "true"), value.value)
    if isinstance(value, ast.StringValue):
        hit = any(member_string_matches(t.kind, t.text, text) for t in value.terms)
        return hit if operator == "=" else not hit
    if isinstance(value, ast.TimeValues):
        return text.isdigit() and _time_passes(operator, int(text), value.times)
    if not text.isdigit():
        return False
    wanted = ANY if _is_any(value) else ref.eval(value)
    return _value_in(operator, int(text), wanted)


def _returns_rows(tree) -> bool:
    """A whole expression selecting fields that are not one field of component ids."""
    if not (isinstance(tree, ast.SubExpression) and tree.member_of and tree.member_of.fields
            and tree.operator is None and not tree.filters and tree.history is None):
        return False
    fields = tree.member_of.fields
    return not (len(fields) == 1 and fields[0] != "*" and holds_components(fields[0]))


def _component_field(member_of: ast.MemberOf) -> str:
    """The field whose values a nested member-of yields (referencedComponentId unless one
    field of component ids is selected); any other selection is not a set of concepts."""
    fields = member_of.fields
    if not fields:
        return "referencedComponentId"
    if len(fields) == 1 and fields[0] != "*" and holds_components(fields[0]):
        return fields[0]
    raise ECLError(f"^ [{', '.join(fields)}] selects refset fields whose values are not a "
                   "set of concepts; here a set of concepts is needed")
