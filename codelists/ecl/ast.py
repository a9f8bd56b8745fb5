"""The ECL abstract syntax tree: frozen records, one per construct of the brief syntax.

The tree keeps everything needed to render an expression back (display terms included)
and nothing about layout (white space, comments), so ``parse(render(tree)) == tree``.
Names follow the ABNF productions in ``../shared/ecl/syntax/abnf-brief.txt``.
Nodes are :class:`codelists.records.Record` classes: frozen dataclasses in behaviour,
without the cost of importing :mod:`dataclasses` when the command line starts.
"""

from __future__ import annotations

from codelists.records import Record, fields

# constraintOperator spellings, canonical form
DESCENDANT_OF = "<"
DESCENDANT_OR_SELF_OF = "<<"
CHILD_OF = "<!"
CHILD_OR_SELF_OF = "<<!"
ANCESTOR_OF = ">"
ANCESTOR_OR_SELF_OF = ">>"
PARENT_OF = ">!"
PARENT_OR_SELF_OF = ">>!"
TOP = "!!>"
BOTTOM = "!!<"
OPERATORS = (DESCENDANT_OF, DESCENDANT_OR_SELF_OF, CHILD_OF, CHILD_OR_SELF_OF, ANCESTOR_OF,
             ANCESTOR_OR_SELF_OF, PARENT_OF, PARENT_OR_SELF_OF, TOP, BOTTOM)


# --- focus concepts -------------------------------------------------------------------

class ConceptReference(Record):
    """eclConceptReference: ``conceptId [|term|]``."""

    id: int
    term: str | None = None


class AlternateIdentifier(Record):
    """altIdentifier: ``SCHEME#code [|term|]``."""

    scheme: str
    code: str
    term: str | None = None


class Wildcard(Record):
    """wildCard ``*``: any concept."""


class MemberOf(Record):
    """memberOf ``^`` with optional ``[fields]`` (``fields == ("*",)`` for ``[*]``)."""

    fields: tuple[str, ...] | None = None


# --- filters --------------------------------------------------------------------------

class TypedSearchTerm(Record):
    """typedSearchTerm: ``match:"words"`` (the default) or ``wild:"pat*tern"``.

    ``text`` is the unescaped content between the quotes.
    """

    kind: str  # "match" | "wild"
    text: str


class TermFilter(Record):
    operator: str  # "=" | "!="
    terms: tuple[TypedSearchTerm, ...]


class LanguageFilter(Record):
    operator: str
    codes: tuple[str, ...]  # lower case


class TypeFilter(Record):
    """typeFilter: ``type = syn`` tokens, or ``typeId = expr`` / a set of references."""

    operator: str
    tokens: tuple[str, ...] = ()  # "syn" | "fsn" | "def" (lower case)
    ids: Expression | tuple[ConceptReference, ...] | None = None


class Acceptability(Record):
    """acceptabilitySet: tokens (``accept``/``prefer``) or concept references."""

    tokens: tuple[str, ...] = ()
    ids: tuple[ConceptReference, ...] = ()


class Dialect(Record):
    """One dialect of a dialect filter: an alias (``en-gb``) or a language refset."""

    alias: str | None = None
    refset: Expression | None = None
    acceptability: Acceptability | None = None


class DialectFilter(Record):
    operator: str
    dialects: tuple[Dialect, ...]
    by_id: bool  # dialectId (True) or dialect alias (False)
    acceptability: Acceptability | None = None  # after the value (applies to all)


class ModuleFilter(Record):
    operator: str
    value: Expression | tuple[ConceptReference, ...]


class EffectiveTimeFilter(Record):
    operator: str  # = != < <= > >=
    times: tuple[str, ...]  # "yyyymmdd" or "" (unpublished)


class ActiveFilter(Record):
    operator: str
    active: bool


class DescriptionIdFilter(Record):
    operator: str
    ids: tuple[int, ...]


class DefinitionStatusFilter(Record):
    operator: str
    tokens: tuple[str, ...] = ()  # "primitive" | "defined"
    ids: Expression | tuple[ConceptReference, ...] | None = None


class MemberFieldFilter(Record):
    """memberFieldFilter: ``field op value`` where value is an expression, a number,
    search terms, a boolean or time values."""

    field: str
    operator: str
    value: object  # Expression | NumericValue | StringValue | BooleanValue | TimeValues


class TimeValues(Record):
    times: tuple[str, ...]


class DescriptionFilters(Record):
    """descriptionFilterConstraint ``{{ D ... }}``: all filters hold for one description."""

    filters: tuple


class ConceptFilters(Record):
    """conceptFilterConstraint ``{{ C ... }}``."""

    filters: tuple


class MemberFilters(Record):
    """memberFilterConstraint ``{{ M ... }}``: all filters hold for one refset member."""

    filters: tuple


class HistorySupplement(Record):
    """historySupplement ``{{ + HISTORY[-MIN|-MOD|-MAX|(subset)] }}``."""

    profile: str | None = None  # "MIN" | "MOD" | "MAX" | None
    subset: Expression | None = None


# --- expressions ----------------------------------------------------------------------

class SubExpression(Record):
    """subExpressionConstraint: ``[op] [^ [fields]] focus {{M}}* {{D|C}}* [{{+HISTORY}}]``.

    ``focus`` is a ConceptReference, AlternateIdentifier, Wildcard or a nested
    expression (written in brackets).
    """

    focus: Focus
    operator: str | None = None
    member_of: MemberOf | None = None
    member_filters: tuple[MemberFilters, ...] = ()
    filters: tuple[DescriptionFilters | ConceptFilters, ...] = ()
    history: HistorySupplement | None = None


class Compound(Record):
    """conjunction / disjunction / exclusion expression constraint.

    ``operator`` is "AND" (also written ``,``), "OR" or "MINUS" (exactly two operands).
    """

    operator: str
    operands: tuple[SubExpression, ...]


class Refined(Record):
    """refinedExpressionConstraint ``sub : refinement``."""

    focus: SubExpression
    refinement: Refinement


class Dotted(Record):
    """dottedExpressionConstraint ``sub . attr . attr``."""

    focus: SubExpression
    attributes: tuple[SubExpression, ...]


# --- refinements ----------------------------------------------------------------------

class Cardinality(Record):
    min: int
    max: int | None  # None for ``*`` (many)


class NumericValue(Record):
    """``#number``; ``text`` keeps the literal as written (without ``#``)."""

    text: str

    @property
    def value(self) -> float:
        return float(self.text)


class StringValue(Record):
    terms: tuple[TypedSearchTerm, ...]


class BooleanValue(Record):
    value: bool


class Attribute(Record):
    """eclAttribute ``[card] [R] name op value``."""

    name: SubExpression
    operator: str  # "=" | "!=" | "<" | "<=" | ">" | ">="
    value: SubExpression | NumericValue | StringValue | BooleanValue
    cardinality: Cardinality | None = None
    reverse: bool = False


class AttributeGroup(Record):
    """eclAttributeGroup ``[card] { attribute set }``."""

    attributes: AttributeSet
    cardinality: Cardinality | None = None


class RefinementCompound(Record):
    """Conjunction or disjunction of refinements or attribute sets (``operator`` AND/OR).

    Brackets are implied by nesting: a compound operand of a compound is bracketed.
    """

    operator: str
    operands: tuple


Expression = SubExpression | Compound | Refined | Dotted
Focus = ConceptReference | AlternateIdentifier | Wildcard | Expression
AttributeSet = Attribute | RefinementCompound
Refinement = Attribute | AttributeGroup | RefinementCompound


def walk(node):
    """Every node of a tree, depth first (the node itself first)."""
    yield node
    if isinstance(node, tuple):
        for item in node:
            yield from walk(item)
        return
    if isinstance(node, Record):
        for name in fields(node):
            value = getattr(node, name)
            if isinstance(value, Record | tuple):
                yield from walk(value)


def concept_references(node) -> list[ConceptReference]:
    """Every concept reference in a tree, in order."""
    return [n for n in walk(node) if isinstance(n, ConceptReference)]
