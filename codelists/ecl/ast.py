"""The ECL abstract syntax tree: frozen dataclasses, one per construct of the brief syntax.

The tree keeps everything needed to render an expression back (display terms included)
and nothing about layout (white space, comments), so ``parse(render(tree)) == tree``.
Names follow the ABNF productions in ``../shared/ecl/syntax/abnf-brief.txt``.
"""

from __future__ import annotations

from dataclasses import dataclass

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

@dataclass(frozen=True)
class ConceptReference:
    """eclConceptReference: ``conceptId [|term|]``."""

    id: int
    term: str | None = None


@dataclass(frozen=True)
class AlternateIdentifier:
    """altIdentifier: ``SCHEME#code [|term|]``."""

    scheme: str
    code: str
    term: str | None = None


@dataclass(frozen=True)
class Wildcard:
    """wildCard ``*``: any concept."""


@dataclass(frozen=True)
class MemberOf:
    """memberOf ``^`` with optional ``[fields]`` (``fields == ("*",)`` for ``[*]``)."""

    fields: tuple[str, ...] | None = None


# --- filters --------------------------------------------------------------------------

@dataclass(frozen=True)
class TypedSearchTerm:
    """typedSearchTerm: ``match:"words"`` (the default) or ``wild:"pat*tern"``.

    ``text`` is the unescaped content between the quotes.
    """

    kind: str  # "match" | "wild"
    text: str


@dataclass(frozen=True)
class TermFilter:
    operator: str  # "=" | "!="
    terms: tuple[TypedSearchTerm, ...]


@dataclass(frozen=True)
class LanguageFilter:
    operator: str
    codes: tuple[str, ...]  # lower case


@dataclass(frozen=True)
class TypeFilter:
    """typeFilter: ``type = syn`` tokens, or ``typeId = expr`` / a set of references."""

    operator: str
    tokens: tuple[str, ...] = ()  # "syn" | "fsn" | "def" (lower case)
    ids: Expression | tuple[ConceptReference, ...] | None = None


@dataclass(frozen=True)
class Acceptability:
    """acceptabilitySet: tokens (``accept``/``prefer``) or concept references."""

    tokens: tuple[str, ...] = ()
    ids: tuple[ConceptReference, ...] = ()


@dataclass(frozen=True)
class Dialect:
    """One dialect of a dialect filter: an alias (``en-gb``) or a language refset."""

    alias: str | None = None
    refset: Expression | None = None
    acceptability: Acceptability | None = None


@dataclass(frozen=True)
class DialectFilter:
    operator: str
    dialects: tuple[Dialect, ...]
    by_id: bool  # dialectId (True) or dialect alias (False)
    acceptability: Acceptability | None = None  # after the value (applies to all)


@dataclass(frozen=True)
class ModuleFilter:
    operator: str
    value: Expression | tuple[ConceptReference, ...]


@dataclass(frozen=True)
class EffectiveTimeFilter:
    operator: str  # = != < <= > >=
    times: tuple[str, ...]  # "yyyymmdd" or "" (unpublished)


@dataclass(frozen=True)
class ActiveFilter:
    operator: str
    active: bool


@dataclass(frozen=True)
class DescriptionIdFilter:
    operator: str
    ids: tuple[int, ...]


@dataclass(frozen=True)
class DefinitionStatusFilter:
    operator: str
    tokens: tuple[str, ...] = ()  # "primitive" | "defined"
    ids: Expression | tuple[ConceptReference, ...] | None = None


@dataclass(frozen=True)
class MemberFieldFilter:
    """memberFieldFilter: ``field op value`` where value is an expression, a number,
    search terms, a boolean or time values."""

    field: str
    operator: str
    value: object  # Expression | NumericValue | StringValue | BooleanValue | TimeValues


@dataclass(frozen=True)
class TimeValues:
    times: tuple[str, ...]


@dataclass(frozen=True)
class DescriptionFilters:
    """descriptionFilterConstraint ``{{ D ... }}``: all filters hold for one description."""

    filters: tuple


@dataclass(frozen=True)
class ConceptFilters:
    """conceptFilterConstraint ``{{ C ... }}``."""

    filters: tuple


@dataclass(frozen=True)
class MemberFilters:
    """memberFilterConstraint ``{{ M ... }}``: all filters hold for one refset member."""

    filters: tuple


@dataclass(frozen=True)
class HistorySupplement:
    """historySupplement ``{{ + HISTORY[-MIN|-MOD|-MAX|(subset)] }}``."""

    profile: str | None = None  # "MIN" | "MOD" | "MAX" | None
    subset: Expression | None = None


# --- expressions ----------------------------------------------------------------------

@dataclass(frozen=True)
class SubExpression:
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


@dataclass(frozen=True)
class Compound:
    """conjunction / disjunction / exclusion expression constraint.

    ``operator`` is "AND" (also written ``,``), "OR" or "MINUS" (exactly two operands).
    """

    operator: str
    operands: tuple[SubExpression, ...]


@dataclass(frozen=True)
class Refined:
    """refinedExpressionConstraint ``sub : refinement``."""

    focus: SubExpression
    refinement: Refinement


@dataclass(frozen=True)
class Dotted:
    """dottedExpressionConstraint ``sub . attr . attr``."""

    focus: SubExpression
    attributes: tuple[SubExpression, ...]


# --- refinements ----------------------------------------------------------------------

@dataclass(frozen=True)
class Cardinality:
    min: int
    max: int | None  # None for ``*`` (many)


@dataclass(frozen=True)
class NumericValue:
    """``#number``; ``text`` keeps the literal as written (without ``#``)."""

    text: str

    @property
    def value(self) -> float:
        return float(self.text)


@dataclass(frozen=True)
class StringValue:
    terms: tuple[TypedSearchTerm, ...]


@dataclass(frozen=True)
class BooleanValue:
    value: bool


@dataclass(frozen=True)
class Attribute:
    """eclAttribute ``[card] [R] name op value``."""

    name: SubExpression
    operator: str  # "=" | "!=" | "<" | "<=" | ">" | ">="
    value: SubExpression | NumericValue | StringValue | BooleanValue
    cardinality: Cardinality | None = None
    reverse: bool = False


@dataclass(frozen=True)
class AttributeGroup:
    """eclAttributeGroup ``[card] { attribute set }``."""

    attributes: AttributeSet
    cardinality: Cardinality | None = None


@dataclass(frozen=True)
class RefinementCompound:
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
    if hasattr(node, "__dataclass_fields__"):
        for name in node.__dataclass_fields__:
            value = getattr(node, name)
            if hasattr(value, "__dataclass_fields__") or isinstance(value, tuple):
                yield from walk(value)


def concept_references(node) -> list[ConceptReference]:
    """Every concept reference in a tree, in order."""
    return [n for n in walk(node) if isinstance(n, ConceptReference)]
