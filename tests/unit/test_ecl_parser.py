"""The ECL parser: the official examples, the specification's syntax rules, typed errors."""

from __future__ import annotations

import pytest

from codelists.ecl import ast, parse, render
from codelists.errors import ECLSyntaxError
from tests.conftest import SHARED
from tests.plugins.ecl import example_files

EXAMPLES = example_files(SHARED)


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_every_official_example_parses_and_its_canonical_form_round_trips(path):
    tree = parse(path.read_text(encoding="utf-8"))
    canonical = render(tree)
    assert parse(canonical) == tree
    assert render(parse(canonical)) == canonical


def test_the_example_folder_is_complete():
    chapters = {p.parent.name for p in EXAMPLES}
    assert len(chapters) == 12 and len(EXAMPLES) > 90


@pytest.mark.parametrize("text, canonical", [
    ("<<73211009|Diabetes mellitus|", "<< 73211009 |Diabetes mellitus|"),
    ("<  19829001 and < 301867009", "< 19829001 AND < 301867009"),
    ("< 19829001 , < 301867009", "< 19829001 AND < 301867009"),
    ("(< 1234567 OR < 7654321) MINUS 3456789", "(< 1234567 OR < 7654321) MINUS 3456789"),
    ("^ [ mapTarget , mapGroup ] 447562003", "^ [mapTarget, mapGroup] 447562003"),
    ("< 1234567: [0..*] R 7654321 = *", "< 1234567 : [0..*] R 7654321 = *"),
    ("< 1234567 {{ d term = match:\"a \\\"b\\\"\" }}", '< 1234567 {{ D term = "a \\"b\\"" }}'),
    ("< 1234567 {{ c active = 1 }}", "< 1234567 {{ C active = true }}"),
    ("< 1234567 {{+history_min}}", "< 1234567 {{ + HISTORY-MIN }}"),
    ("< 1234567 {{ + HISTORY (1234567 OR 7654321) }}",
     "< 1234567 {{ + HISTORY (1234567 OR 7654321) }}"),
    ("/* c */ < 1234567 /* d */", "< 1234567"),
    ("!!> (<< 1234567)", "!!> (<< 1234567)"),
    ('"LOINC#54486 6"', '"LOINC#54486 6"'),
    ("< 1234567 : 7654321 >= #-1.50", "< 1234567 : 7654321 >= #-1.50"),
    ("< 1234567 : 7654321 = TRUE", "< 1234567 : 7654321 = true"),
])
def test_canonical_form(text, canonical):
    assert render(parse(text)) == canonical
    assert parse(canonical) == parse(text)


def test_tree_shape_of_a_grouped_refinement():
    tree = parse("< 404684003 : [1..3] { [0..0] 363698007 != << 39057004 }")
    assert isinstance(tree, ast.Refined)
    group = tree.refinement
    assert group.cardinality == ast.Cardinality(1, 3)
    attribute = group.attributes
    assert attribute.cardinality == ast.Cardinality(0, 0)
    assert attribute.operator == "!="
    assert attribute.value.operator == "<<"


def test_filters_bind_to_the_sub_expression_and_operators_to_member_of():
    tree = parse("<< ^ 700043003 {{ M active = 1 }} {{ C active = 1 }}")
    assert tree.operator == "<<" and tree.member_of == ast.MemberOf()
    assert len(tree.member_filters) == 1 and len(tree.filters) == 1


@pytest.mark.parametrize("text", [
    "< 1234567 AND < 7654321 OR < 2345678",      # mixed AND / OR
    "< 1234567 OR < 7654321 MINUS < 2345678",    # mixed OR / MINUS
    "< 1234567 MINUS < 7654321 MINUS < 2345678",  # MINUS is binary
    "< 1234567 : 7654321 = 1234567, 2345678 = 1234567 OR 3456789 = 1234567",
    "< 1234567 : { 7654321 = 1234567 OR 2345678 = 1234567, 3456789 = 1234567 }",
])
def test_mixing_operators_without_brackets_is_a_syntax_error(text):
    with pytest.raises(ECLSyntaxError) as caught:
        parse(text)
    assert caught.value.line == 1 and caught.value.column > 1


def test_syntax_error_carries_line_column_text_and_expectations():
    with pytest.raises(ECLSyntaxError) as caught:
        parse("< 404684003 :\n  363698007 = ")
    error = caught.value
    assert error.line == 2
    assert error.expected and any("concept id" in e for e in error.expected)
    with pytest.raises(ECLSyntaxError) as caught:
        parse("< 404684003 ]")
    assert (caught.value.line, caught.value.column, caught.value.text) == (1, 13, "]")
    assert "expected" in caught.value.message


@pytest.mark.parametrize("text, keyword", [("<< 404684003 MINUS", "MINUS"),
                                           ("<< 404684003 and", "AND"),
                                           ("(<< 404684003 OR << 64572001) AND", "AND"),
                                           ("<< 404684003 Or", "OR")])
def test_an_expression_ending_after_a_keyword_says_so(text, keyword):
    """Not "unexpected 'MINUS'" with a hint about mixing operators: the keyword is fine,
    what should follow it is missing."""
    with pytest.raises(ECLSyntaxError) as caught:
        parse(text)
    error = caught.value
    assert error.message.startswith(f"the expression ends after {keyword}; expected ")
    assert "a concept id or number" in error.expected and "<<" in error.expected
    assert "mixed" not in (error.hint or "") and f"after it (e.g. `{keyword} <<" in error.hint
    assert (error.line, error.column) == (1, text.upper().rindex(keyword) + 1)


@pytest.mark.parametrize("text, message", [
    ("< 12345", "not a SNOMED CT identifier"),
    ("< 1234567 : [3..1] 7654321 = *", "maximum is below"),
    ("< 1234567 {{ language = eng }}", "'eng' is not a two-letter language code"),
    ("< 1234567 {{ C effectiveTime = \"20211301\" }}", "not a time value"),
    ("< 1234567 {{ C active = 2 }}", "not an active value"),
    ("< 1234567 ANDx < 1", "unexpected"),
])
def test_invalid_values_are_syntax_errors(text, message):
    with pytest.raises(ECLSyntaxError, match=message):
        parse(text)


def test_keywords_need_white_space_after_them():
    with pytest.raises(ECLSyntaxError):
        parse("< 1234567 AND(< 7654321)")
    assert parse("< 1234567 AND/* c */(< 7654321)").operator == "AND"


def test_display_terms_are_kept_with_normalised_spaces():
    ref = parse("73211009 |  Diabetes   mellitus |").focus
    assert ref == ast.ConceptReference(73211009, "Diabetes mellitus")


def test_every_grammar_rule_names_its_abnf_production():
    from codelists.ecl.grammar_parser import GRAMMAR

    lines = GRAMMAR.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines):
        if line[:1].islower() or line.startswith("?"):
            previous = next(lines[j] for j in range(number - 1, -1, -1) if lines[j].strip())
            assert previous.startswith("//"), (
                f"grammar.lark:{number + 1} `{line.split(':')[0]}` has no ABNF comment")
