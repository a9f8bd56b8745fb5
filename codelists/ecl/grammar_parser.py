"""The full ECL 2.2 parser: the grammar, compiled by lark.

The grammar (``grammar.lark``) follows the normative ABNF rule by rule; this module turns
lark's parse tree into the records of :mod:`codelists.ecl.ast` and lark's errors into
:class:`~codelists.errors.ECLSyntaxError` (line, column, offending text, expected tokens).
Call :func:`codelists.ecl.parser.parse`, which reads the simplest shapes without this
module (importing lark costs a fresh process ~40 ms) and caches trees.
"""

from __future__ import annotations

import functools
import hashlib
import os
import sys
from pathlib import Path

import lark
from lark import Token, Transformer, v_args

from codelists.ecl import ast
from codelists.errors import ECLSyntaxError

GRAMMAR = Path(__file__).with_name("grammar.lark")

#: readable names for the grammar's terminals, used in "expected ..." messages
TOKEN_NAMES = {
    "DIGITS": "a concept id or number", "TERM": "|term|", "STAR": "*", "LPAR": "(",
    "RPAR": ")", "LSQB": "[", "RSQB": "]", "COLON": ":", "COMMA": ",", "DOT": ".",
    "CIRCUMFLEX": "^", "EQ": "=", "NE": "!=", "LT": "<", "GT": ">", "LE": "<=", "GE": ">=",
    "DESCENDANT_OR_SELF": "<<", "CHILD_OF": "<!", "CHILD_OR_SELF": "<<!",
    "ANCESTOR_OR_SELF": ">>", "PARENT_OF": ">!", "PARENT_OR_SELF": ">>!", "TOP": "!!>",
    "BOTTOM": "!!<", "CONJUNCTION": "AND", "DISJUNCTION": "OR", "EXCLUSION": "MINUS",
    "LBRACE": "{", "RBRACE": "}", "STRING": "a quoted string", "NUMERIC_VALUE": "#number",
    "BOOLEAN": "true or false", "ALT_IDENTIFIER": "SCHEME#code", "REVERSE": "R",
    "FIELD_NAME": "a refset field name", "DIALECT_ALIAS": "a dialect alias or language code",
    "$END": "the end of the expression",
}


#: how the grammar is compiled (part of the cache key)
LARK_OPTIONS = {"parser": "lalr", "lexer": "contextual", "maybe_placeholders": True,
                "propagate_positions": False}


def cache_file(grammar: str, folder: Path | None = None) -> Path:
    """Where the parser compiled from ``grammar`` is cached: named by a hash of the
    grammar's text, the options and the lark and Python versions, so that any change to
    grammar.lark (or an upgrade) finds no file and compiles afresh."""
    key = hashlib.sha256("\0".join((grammar, repr(sorted(LARK_OPTIONS.items())),
                                     lark.__version__, sys.version)).encode()).hexdigest()
    return (folder or parser_cache_folder()) / f"ecl-parser-{key[:24]}.lark"


def parser_cache_folder() -> Path:
    from codelists.cachedir import cache_folder

    return cache_folder("ecl")


def build(grammar: str, folder: Path | None = None) -> lark.Lark:
    """The LALR parser of ``grammar``, loaded from its cache file when one exists (a few
    ms) instead of compiled (~0.1 s); compiled once and written atomically otherwise.  An
    unreadable or unwritable cache is skipped: the parser is then compiled in memory."""
    path = cache_file(grammar, folder)
    try:
        fh = open(path, "rb")
    except OSError:  # not cached yet (or no cache folder)
        fh = None
    if fh is not None:
        with fh:
            try:
                return lark.Lark.load(fh)
            except Exception:  # damaged (say, a disk filled up): compile it again
                pass
    parser = lark.Lark(grammar, **LARK_OPTIONS)
    import tempfile  # only when writing: it imports shutil, bz2, lzma, random...

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("wb", dir=path.parent, prefix=".ecl-parser-",
                                         delete=False) as fh:
            parser.save(fh)
        os.replace(fh.name, path)
    except OSError:
        pass
    return parser


@functools.cache
def _lark() -> lark.Lark:
    return build(GRAMMAR.read_text(encoding="utf-8"))


def _name(terminal: str) -> str:
    if terminal in TOKEN_NAMES:
        return TOKEN_NAMES[terminal]
    if terminal.endswith("_KEYWORD"):
        return terminal.removesuffix("_KEYWORD").replace("_", " ").lower()
    if terminal.startswith("__ANON") or terminal.endswith("_OPEN"):
        return {"CONCEPT_FILTER_OPEN": "{{ C", "MEMBER_FILTER_OPEN": "{{ M",
                "HISTORY_OPEN": "{{ +"}.get(terminal, "{{ or }}")
    return terminal.replace("_", " ").lower()


#: AND, OR and MINUS and their terminals (a keyword is one only with white space after it)
_KEYWORDS = {"AND": "CONJUNCTION", "OR": "DISJUNCTION", "MINUS": "EXCLUSION"}
#: what may start a sub-expression
_SUB_EXPRESSION_START = sorted({TOKEN_NAMES[t] for t in (
    "DIGITS", "STAR", "LPAR", "CIRCUMFLEX", "LT", "DESCENDANT_OR_SELF", "CHILD_OF",
    "CHILD_OR_SELF", "GT", "ANCESTOR_OR_SELF", "PARENT_OF", "PARENT_OR_SELF", "TOP",
    "BOTTOM")})


def _ends_after_keyword(word: str, line, column) -> ECLSyntaxError:
    """``<< 404684003 MINUS`` (nothing after the keyword): say so, not "unexpected"."""
    keyword = word.upper()
    return ECLSyntaxError(
        f"the expression ends after {keyword}; expected " + ", ".join(_SUB_EXPRESSION_START),
        line=line, column=column, text=word, expected=_SUB_EXPRESSION_START,
        hint=f"write what {keyword} applies to after it (e.g. `{keyword} << 73211009`), "
             f"or remove {keyword}")


def _syntax_error(text: str, exc: lark.exceptions.LarkError) -> ECLSyntaxError:
    line = getattr(exc, "line", None)
    column = getattr(exc, "column", None)
    if isinstance(exc, lark.exceptions.UnexpectedToken):
        token = exc.token
        expected = sorted({_name(t) for t in exc.expected})
        if token.type == "$END":
            lines = text.splitlines() or [""]
            line, column = len(lines), len(lines[-1]) + 1
            message = "the expression ends too soon"
            offending = ""
        elif (str(token).upper() in _KEYWORDS and token.type not in _KEYWORDS.values()
              and not text[token.end_pos:].strip()):
            return _ends_after_keyword(str(token), line, column)
        else:
            offending = str(token)
            message = f"unexpected {offending!r}"
    elif isinstance(exc, lark.exceptions.UnexpectedCharacters):
        expected = sorted({_name(t) for t in exc.allowed or ()})
        offending = text[exc.pos_in_stream:exc.pos_in_stream + 12].split("\n")[0]
        message = f"unexpected {offending!r}"
    else:  # pragma: no cover - other lark errors carry no position
        expected, offending, message = [], "", str(exc)
    hint = None
    if expected and {"AND", "OR", "MINUS"} & set(expected) and offending.upper() in {
            "AND", "OR", "MINUS", ","}:
        hint = "AND, OR and MINUS cannot be mixed without brackets: add ( )"
    if expected:
        message += "; expected " + ", ".join(expected[:12])
    return ECLSyntaxError(message, line=line, column=column, text=offending,
                          expected=expected, hint=hint)


class _Invalid(Exception):
    def __init__(self, token: Token, message: str):
        self.token = token
        self.message = message


def _check_sctid(token: Token) -> int:
    text = str(token)
    if not (6 <= len(text) <= 18) or text[0] == "0":
        raise _Invalid(token, f"{text!r} is not a SNOMED CT identifier (6 to 18 digits)")
    return int(text)


def _unescape(body: str) -> str:
    """The text of a quoted string: escapedChar (BS QM, BS BS) replaced by the character."""
    out, i = [], 0
    while i < len(body):
        if body[i] == "\\" and i + 1 < len(body) and body[i + 1] in ('"', "\\"):
            out.append(body[i + 1])
            i += 2
            continue
        out.append(body[i])
        i += 1
    return "".join(out)


def _time(token: Token) -> str:
    value = str(token)[1:-1]
    if value and not (len(value) == 8 and value.isdigit() and value[0] != "0"
                      and "01" <= value[4:6] <= "12" and "01" <= value[6:] <= "31"):
        raise _Invalid(token, f"{token} is not a time value \"yyyymmdd\" (or \"\")")
    return value


def _is_acceptability(item) -> bool:
    return isinstance(item, ast.Acceptability)


@v_args(inline=True)
class _ToAst(Transformer):
    # ---- expressions ------------------------------------------------------------------
    def start(self, expression):
        return expression

    def refined_expression_constraint(self, focus, refinement):
        return ast.Refined(focus, refinement)

    def _compound(self, operator, items):
        return ast.Compound(operator, tuple(i for i in items if isinstance(i, ast.SubExpression)))

    def conjunction_expression_constraint(self, *items):
        return self._compound("AND", items)

    def disjunction_expression_constraint(self, *items):
        return self._compound("OR", items)

    def exclusion_expression_constraint(self, left, _minus, right):
        return ast.Compound("MINUS", (left, right))

    def dotted_expression_constraint(self, focus, *attributes):
        return ast.Dotted(focus, attributes)

    def conjunction(self, token=None):
        return "," if token is None or str(token) == "," else "AND"

    def sub_expression_constraint(self, operator, focus_part, *rest):
        history = rest[-1]
        filters = tuple(rest[:-1])
        if isinstance(focus_part, tuple):  # member_focus
            member_of, focus, member_filters = focus_part
        else:
            member_of, focus, member_filters = None, focus_part, ()
        return ast.SubExpression(focus=focus, operator=operator, member_of=member_of,
                                 member_filters=member_filters, filters=filters,
                                 history=history)

    def member_focus(self, member_of, focus, *member_filters):
        return (member_of, focus, tuple(member_filters))

    def nested(self, expression):
        return expression

    def member_of(self, *fields):
        names = tuple(str(f) for f in fields if f is not None)
        return ast.MemberOf(names or None)

    def refset_field_name(self, token):
        return str(token)

    def ecl_concept_reference(self, digits, term):
        return ast.ConceptReference(_check_sctid(digits), _term(term))

    def ecl_concept_reference_set(self, *refs):
        return tuple(refs)

    def alt_identifier(self, token, term):
        text = str(token)
        if text.startswith('"'):
            text = _unescape(text[1:-1])
        scheme, _, code = text.partition("#")
        return ast.AlternateIdentifier(scheme, code, _term(term))

    def wild_card(self, _star):
        return ast.Wildcard()

    def constraint_operator(self, token):
        return str(token)

    # ---- refinements -----------------------------------------------------------------
    def _refinement_compound(self, operator, items):
        return ast.RefinementCompound(
            operator, tuple(i for i in items if not isinstance(i, str | Token)))

    def conjunction_refinement(self, *items):
        return self._refinement_compound("AND", items)

    def disjunction_refinement(self, *items):
        return self._refinement_compound("OR", items)

    def bracketed(self, inner):
        return inner

    def ecl_attribute_group(self, cardinality, attributes):
        return ast.AttributeGroup(attributes, cardinality)

    def ecl_attribute(self, cardinality, reverse, name, comparison):
        operator, value = comparison
        return ast.Attribute(name=name, operator=operator, value=value,
                             cardinality=cardinality, reverse=reverse is not None)

    def ecl_attribute_name(self, sub):
        return sub

    def cardinality(self, low, high):
        low_value = int(low)
        high_value = None if str(high) == "*" else int(high)
        for tok in (low, high):
            if str(tok) != "*" and len(str(tok)) > 1 and str(tok)[0] == "0":
                raise _Invalid(tok, f"{tok} is not a non-negative integer (no leading zeros)")
        if high_value is not None and high_value < low_value:
            raise _Invalid(high, f"cardinality [{low}..{high}]: the maximum is below the minimum")
        return ast.Cardinality(low_value, high_value)

    def expression_comparison(self, operator, value):
        return (operator, value)

    def numeric_comparison(self, operator, token):
        return (operator, ast.NumericValue(str(token)[1:]))

    def string_comparison(self, operator, terms):
        return (operator, _string_value(terms))

    def boolean_comparison(self, operator, token):
        return (operator, ast.BooleanValue(str(token).lower() == "true"))

    def equality(self, token):
        return str(token)

    numeric_operator = equality
    ordering = equality

    def match_term(self, _keyword, token):
        return ast.TypedSearchTerm("match", _unescape(str(token)[1:-1]))

    def wild_term(self, _keyword, token):
        # wild terms keep their escapes (\\* is a literal star): see reference.wild_regex
        return ast.TypedSearchTerm("wild", str(token)[1:-1])

    def typed_search_term_set(self, *terms):
        return list(terms)

    # ---- filters ---------------------------------------------------------------------
    def description_filter_constraint(self, d, *filters):
        return ast.DescriptionFilters(tuple(filters))

    def concept_filter_constraint(self, _open, *filters):
        return ast.ConceptFilters(tuple(filters))

    def member_filter_constraint(self, _open, *filters):
        return ast.MemberFilters(tuple(filters))

    def description_id_filter(self, _kw, operator, *ids):
        return ast.DescriptionIdFilter(operator, tuple(_check_sctid(i) for i in ids))

    def term_filter(self, _kw, operator, terms):
        value = _string_value(terms)
        return ast.TermFilter(operator, value.terms)

    def language_filter(self, _kw, operator, *codes):
        for code in codes:
            if not (len(code) == 2 and str(code).isalpha()):
                raise _Invalid(code, f"{str(code)!r} is not a two-letter language code")
        return ast.LanguageFilter(operator, tuple(str(c).lower() for c in codes))

    def type_filter(self, keyword, operator, *values):
        if keyword.type == "TYPE_KEYWORD":
            return ast.TypeFilter(operator, tokens=tuple(str(v).lower() for v in values))
        return ast.TypeFilter(operator, ids=values[0])

    def dialect_filter(self, keyword, operator, value, acceptability):
        by_id = keyword.type == "DIALECT_ID_KEYWORD"
        if isinstance(value, tuple):
            return ast.DialectFilter(operator, value, by_id, acceptability=acceptability)
        dialect = ast.Dialect(refset=value) if by_id else ast.Dialect(alias=str(value).lower())
        return ast.DialectFilter(operator, (dialect,), by_id, acceptability=acceptability)

    def dialect_alias_set(self, *items):
        return tuple(items)

    def dialect_alias_item(self, alias, acceptability):
        return ast.Dialect(alias=str(alias).lower(), acceptability=acceptability)

    def dialect_id_set(self, *items):
        dialects, current = [], None
        for item in items:
            if item is None:
                continue
            if _is_acceptability(item):
                dialects[-1] = ast.Dialect(refset=current, acceptability=item)
            elif isinstance(item, ast.Dialect):
                dialects.append(item)
            else:
                current = ast.SubExpression(focus=item)
                dialects.append(ast.Dialect(refset=current))
        return tuple(dialects)

    def dialect_id_item(self, reference, acceptability):
        return ast.Dialect(refset=ast.SubExpression(focus=reference), acceptability=acceptability)

    def acceptability_set(self, *items):
        if items and isinstance(items[0], ast.ConceptReference):
            return ast.Acceptability(ids=tuple(items))
        return ast.Acceptability(tokens=tuple(str(t).lower() for t in items))

    def definition_status_filter(self, keyword, operator, *values):
        if keyword.type == "DEFINITION_STATUS_KEYWORD":
            return ast.DefinitionStatusFilter(operator, tokens=tuple(str(v).lower() for v in values))
        return ast.DefinitionStatusFilter(operator, ids=values[0])

    def module_filter(self, _kw, operator, value):
        return ast.ModuleFilter(operator, value)

    def effective_time_filter(self, _kw, operator, times):
        return ast.EffectiveTimeFilter(operator, times.times)

    def time_values(self, *tokens):
        return ast.TimeValues(tuple(_time(t) for t in tokens))

    def active_filter(self, _kw, operator, token):
        text = str(token).lower()
        if text not in ("0", "1", "true", "false"):
            raise _Invalid(token, f"{token!r} is not an active value (1, 0, true or false)")
        return ast.ActiveFilter(operator, text in ("1", "true"))

    def member_field_expression(self, field, operator, value):
        return ast.MemberFieldFilter(str(field), operator, value)

    def member_field_numeric(self, field, operator, token):
        return ast.MemberFieldFilter(str(field), operator, ast.NumericValue(str(token)[1:]))

    def member_field_string(self, field, operator, terms):
        return ast.MemberFieldFilter(str(field), operator, _string_value(terms))

    def member_field_boolean(self, field, operator, token):
        return ast.MemberFieldFilter(str(field), operator,
                                     ast.BooleanValue(str(token).lower() == "true"))

    def member_field_time(self, field, operator, times):
        return ast.MemberFieldFilter(str(field), operator, times)

    def history_supplement(self, _open, keyword, subset=None):
        text = str(keyword).upper()
        if text.startswith("HISTORY") and len(text) > len("HISTORY"):
            return ast.HistorySupplement(profile=text[-3:])
        return ast.HistorySupplement(subset=subset)


def _term(token) -> str | None:
    if token is None:
        return None
    return " ".join(str(token)[1:-1].split())


def _string_value(terms) -> ast.StringValue:
    if isinstance(terms, list):
        return ast.StringValue(tuple(terms))
    return ast.StringValue((terms,))


def parse_grammar(text: str) -> ast.Expression:
    """Parse an ECL expression with the grammar; raises ECLSyntaxError with line, column
    and expectations."""
    try:
        tree = _lark().parse(text)
        return _ToAst().transform(tree)
    except lark.exceptions.VisitError as exc:
        inner = exc.orig_exc
        if isinstance(inner, _Invalid):
            tok = inner.token
            raise ECLSyntaxError(inner.message, line=getattr(tok, "line", None),
                                 column=getattr(tok, "column", None), text=str(tok)) from None
        raise
    except lark.exceptions.UnexpectedInput as exc:
        raise _syntax_error(text, exc) from None
