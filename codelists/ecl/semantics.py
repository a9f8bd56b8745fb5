"""Meanings both ECL evaluators share: well-known concept ids, dialect aliases, the term
collation, wildcard patterns, refset field names and the result type.

Only *definitions* live here; the SQL compiler (to_sql.py) and the reference evaluator
(reference.py) each implement evaluation on their own, so one can test the other.
"""

from __future__ import annotations

import functools

#: ``typing.TYPE_CHECKING`` without importing typing; ``re`` is imported where it is used
#: (``codelist ecl expand`` of a simple shape never needs it)
TYPE_CHECKING = False
if TYPE_CHECKING:
    import re

IS_A = 116680003
FSN = 900000000000003001
SYNONYM = 900000000000013009
DEFINITION = 900000000000550004
PRIMITIVE = 900000000000074008
DEFINED = 900000000000073002
PREFERRED = 900000000000548007
ACCEPTABLE = 900000000000549004

SAME_AS = 900000000000527005
REPLACED_BY = 900000000000526001
WAS_A = 900000000000528000
PARTIALLY_EQUIVALENT_TO = 1186924009

#: historySupplement profiles -> association refsets (None: every association refset)
HISTORY_PROFILES: dict[str, tuple[int, ...] | None] = {
    "MIN": (SAME_AS,),
    "MOD": (SAME_AS, REPLACED_BY, WAS_A, PARTIALLY_EQUIVALENT_TO),
    "MAX": None,
}

TYPE_TOKENS = {"syn": SYNONYM, "fsn": FSN, "def": DEFINITION}
DEFINITION_STATUS_TOKENS = {"primitive": PRIMITIVE, "defined": DEFINED}
ACCEPTABILITY_TOKENS = {"prefer": PREFERRED, "accept": ACCEPTABLE}

#: dialect aliases (lower case) -> language reference set
DIALECT_ALIASES: dict[str, int] = {
    "en-gb": 900000000000508004,
    "en-us": 900000000000509007,
    "en-nhs-clinical": 999001261000000100,
    "en-nhs-pharmacy": 999000691000001104,
    "en-nhs-dmd": 999000671000001103,
    "en-au": 32570271000036106,
    "en-nz": 271000210107,
    "en-ca": 19491000087109,
    "fr-ca": 20581000087109,
    "en-ie": 21000220103,
    "es": 450828004,
    "sv-se": 46011000052107,
    "da-dk": 554461000005103,
    "nl-nl": 31000146106,
    "nl-be": 31000172101,
    "fr-be": 21000172104,
    "de-ch": 2041000195100,
    "fr-ch": 2021000195106,
    "it-ch": 2031000195108,
    "no-no": 61000202103,
    "et-ee": 71000181105,
}

#: the parent of identifier scheme concepts (the schemes of the Identifier file)
IDENTIFIER_SCHEME = 900000000000453004

#: alternate identifier schemes answered through a simple map refset when the release's
#: Identifier file does not hold them -> (refset id, member table column)
ALTERNATE_SCHEMES: dict[str, tuple[int, str]] = {
    "ctv3": (900000000000497000, "map_target"),
}


def scheme_named(alias: str, schemes: dict[int, set[str]]) -> set[int]:
    """The identifier schemes an ``altIdentifierSchemeAlias`` names: the concept whose id
    it is, else every scheme with a description equal to it (case- and
    diacritic-insensitive).  ``schemes`` maps each scheme concept to its terms."""
    if alias.isdigit():
        return {int(alias)}
    wanted = fold(alias)
    return {s for s, terms in schemes.items() if any(fold(t) == wanted for t in terms)}

#: refset field names (camelCase, as in RF2 headers) -> member table columns
FIELD_COLUMNS = {
    "id": "id", "effectiveTime": "effective_time", "active": "active",
    "moduleId": "module_id", "refsetId": "refset_id",
    "referencedComponentId": "referenced_component_id",
    "acceptabilityId": "acceptability_id", "targetComponentId": "target_component_id",
    "valueId": "value_id", "mapTarget": "map_target", "mapGroup": "map_group",
    "mapPriority": "map_priority", "mapRule": "map_rule", "mapAdvice": "map_advice",
    "correlationId": "correlation_id", "mapCategoryId": "map_category_id",
    "mapBlock": "map_block",
}
COMMON_FIELDS = ("id", "effectiveTime", "active", "moduleId", "refsetId",
                 "referencedComponentId")


def fold(text: str) -> str:
    """The collation of term filters: case- and diacritic-insensitive."""
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


@functools.cache
def _word_pattern() -> re.Pattern:
    import re

    return re.compile(r"[^\W_]+")


def words(text: str) -> list[str]:
    """The words of a term, as the store's full-text index splits them."""
    if text.isascii():
        return _word_pattern().findall(text.lower())
    return _word_pattern().findall(fold(text))


@functools.lru_cache(maxsize=256)
def match_words(search: str) -> tuple[str, ...]:
    """The words of a ``match:`` search term: each must prefix some word of the term."""
    return tuple(words(search))


def term_matches(search: str, term: str) -> bool:
    """``match:`` semantics: every search word is the start of a word of the term."""
    wanted = match_words(search)
    have = words(term)
    return bool(wanted) and all(any(w.startswith(s) for w in have) for s in wanted)


def wild_regex(pattern: str, fold_case: bool = True) -> re.Pattern:
    """``wild:`` semantics: the whole term matches; ``*`` is any run of characters and
    ``\\*``, ``\\"``, ``\\\\`` are literal."""
    import re

    literal = fold if fold_case else (lambda ch: ch)
    parts, i = [], 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            parts.append(re.escape(literal(pattern[i + 1])))
            i += 2
            continue
        parts.append(".*" if ch == "*" else re.escape(literal(ch)))
        i += 1
    return re.compile("".join(parts), re.DOTALL)


def wild_matches(pattern: str, term: str) -> bool:
    return wild_regex(pattern).fullmatch(fold(term)) is not None


def member_string_matches(kind: str, text: str, value: str) -> bool:
    """A member field's string against a typed search term, as in description term
    filters: ``match`` (the default) is word-prefix matching, ``wild`` a whole-value
    pattern, both case- and diacritic-insensitive."""
    return term_matches(text, value) if kind == "match" else wild_matches(text, value)


def holds_components(field_name: str) -> bool:
    """Whether a refset field holds component ids (SCTIDs): by RF2's naming convention
    every field whose name ends in ``Id`` does (``referencedComponentId``,
    ``targetComponentId``, ``valueId``, ...), except the member's own UUID ``id``."""
    return field_name.endswith("Id")


def string_value_matches(kind: str, text: str, value: str) -> bool:
    """A concrete string value against a typed search term: ``match`` is exact
    equality, ``wild`` a case-sensitive whole-value pattern."""
    if kind == "wild":
        return wild_regex(text, fold_case=False).fullmatch(value) is not None
    return value == text


class ECLResult:
    """The outcome of evaluating an expression.

    ``ids`` is the set of matching component ids and ``codes()`` the same ids as decimal
    strings, ascending; ``rows`` the member fields when the expression asked for them
    (``^ [mapTarget] ...``), with ``columns`` naming them; ``warnings`` are human-readable
    problems (unknown ids, mismatched terms) and ``unknown`` the concept ids the store
    does not hold.

    The evaluator may hand over the ids in whichever form it read them: a set (``ids``),
    ascending ints (``ascending``) or ascending strings (``codes``), each of the last two
    as a list or a function making one; the other forms are made on first use,
    so a caller wanting strings never pays for a set of ints, nor the reverse.
    Immutable, like a frozen dataclass.
    """

    __slots__ = ("_ids", "_ascending", "_codes", "warnings", "unknown", "columns", "rows")

    def __init__(self, ids=None, warnings: tuple[str, ...] = (), unknown: tuple[int, ...] = (),
                 columns: tuple[str, ...] = (), rows: tuple[tuple, ...] = (), *,
                 ascending=None, codes=None):
        if ids is None and ascending is None and codes is None:
            raise TypeError("ECLResult needs ids, ascending or codes")
        put = object.__setattr__
        put(self, "_ids", None if ids is None else frozenset(ids))
        put(self, "_ascending", ascending)
        put(self, "_codes", codes)
        put(self, "warnings", tuple(warnings))
        put(self, "unknown", tuple(unknown))
        put(self, "columns", tuple(columns))
        put(self, "rows", tuple(rows))

    def __setattr__(self, name, value):
        raise AttributeError(f"ECLResult is immutable: cannot set {name}")

    def _ascending_ids(self):
        """The ascending ids if they were given (made now when given as a function)."""
        if callable(self._ascending):
            object.__setattr__(self, "_ascending", self._ascending())
        return self._ascending

    @property
    def ids(self) -> frozenset[int]:
        if self._ids is None:
            ascending = self._ascending_ids()
            source = ascending if ascending is not None else map(int, self.codes())
            ids = frozenset(source.tolist() if hasattr(source, "tolist") else source)
            object.__setattr__(self, "_ids", ids)
        return self._ids

    def codes(self) -> list[str]:
        """The ids as decimal strings (SCTIDs as text), in ascending numeric order."""
        if callable(self._codes):
            object.__setattr__(self, "_codes", self._codes())
        if self._codes is None:
            ascending = self._ascending_ids()
            ascending = ascending if ascending is not None else sorted(self._ids)
            object.__setattr__(self, "_codes", list(map(str, ascending)))
        return list(self._codes)

    def __len__(self) -> int:
        if self._ids is not None:
            return len(self._ids)
        ascending = self._ascending_ids()
        return len(ascending) if ascending is not None else len(self.codes())

    def __iter__(self):
        ascending = self._ascending_ids()
        return iter(ascending if ascending is not None else sorted(self.ids))

    def __contains__(self, item) -> bool:
        return item in self.ids

    def _key(self):
        return (self.ids, self.warnings, self.unknown, self.columns, self.rows)

    def __eq__(self, other) -> bool:
        return isinstance(other, ECLResult) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (f"ECLResult(ids=<{len(self)} ids>, warnings={self.warnings!r}, "
                f"unknown={self.unknown!r}, columns={self.columns!r})")
