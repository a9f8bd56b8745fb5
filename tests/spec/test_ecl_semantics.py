"""ECL meaning, feature by feature, on tests/data/snomed-small (see its README tree).

Each row is (expression, expected ids); both the SQL evaluator over the imported store
and the reference evaluator over the RF2 files must give exactly the expected set.
"""

from __future__ import annotations

import pytest

from codelists.ecl import evaluate, evaluate_reference, explain
from codelists.errors import ECLError, NotSupportedError
from codelists.terminology.store import Store

DISEASE_DESCENDANTS = {928000, 3723001, 69896004, 128139000, 195967001, 429554009, 439656005}

CASES = [
    # self, wildcard, hierarchy operators
    ("1.1-self", "64572001 |Disease|", {64572001}),
    ("1.2-descendant", "< 64572001", DISEASE_DESCENDANTS),
    ("1.3-descendant-or-self", "<< 64572001", DISEASE_DESCENDANTS | {64572001}),
    ("1.4-ancestor", "> 3723001", {128139000, 928000, 64572001, 404684003, 138875005}),
    ("1.5-ancestor-or-self", ">> 429554009", {429554009, 928000, 64572001, 404684003,
                                               138875005}),
    ("1.8-child", "<! 64572001", {128139000, 928000, 195967001}),
    ("1.8-child-or-self", "<<! 928000", {928000, 3723001, 429554009}),
    ("1.9-parent", ">! 439656005", {3723001, 429554009}),
    ("1.9-parent-or-self", ">>! 439656005", {439656005, 3723001, 429554009}),
    ("12.1-top", "!!> (< 64572001)", {128139000, 928000, 195967001}),
    ("12.2-bottom", "!!< (<< 64572001)", {69896004, 439656005, 195967001}),
    ("1.6-member-of", "^ 1002007", {3723001, 69896004, 439656005}),
    ("7.1-nested", "<< (^ 1002007)", {3723001, 69896004, 439656005}),
    ("4.1-and", "< 64572001 AND ^ 1002007", {3723001, 69896004, 439656005}),
    ("4.1-comma", "< 928000 , < 128139000", {3723001, 69896004, 439656005}),
    ("4.2-or", "<! 928000 OR <! 128139000", {3723001, 429554009}),
    ("5.1-minus", "< 64572001 MINUS << 928000", {128139000, 195967001}),
    # refinements
    ("2.1-attribute", "< 64572001 : 363698007 = 16953009", {69896004, 439656005}),
    ("2.2-attribute-value-operator", "< 64572001 : 363698007 = << 39352004",
     {3723001, 69896004, 439656005}),
    ("2.7-attribute-name-operator", "< 64572001 : << 410662002 = 409774005",
     {3723001, 69896004, 439656005}),
    ("2.12-any-name", "< 64572001 : * = 16953009", {69896004, 439656005}),
    ("2.13-any-value", "< 64572001 : 116676008 = *", {3723001, 69896004, 439656005}),
    ("2.14-reverse", "* : R 363698007 = *", {16953009, 39352004}),
    ("2.16-dotted", "< 64572001 . 363698007", {16953009, 39352004}),
    ("2.19-dotted-chain", "(< 64572001 . 363698007) . 116680003", {39352004, 123037004}),
    ("2.5-group-same-group", "< 64572001 : { 363698007 = 16953009, 116676008 = 409774005 }",
     {439656005}),
    ("2.5-ungrouped-conjunction", "< 64572001 : 363698007 = 16953009, 116676008 = 409774005",
     {69896004, 439656005}),
    ("4.10-group-disjunction",
     "< 64572001 : { 363698007 = 16953009 } OR { 363698007 = 39352004 }",
     {3723001, 69896004, 439656005}),
    ("5.4-not-equal", "< 64572001 : 363698007 != 16953009", {3723001, 69896004}),
    ("5.5-zero-cardinality", "< 64572001 : [0..0] 363698007 = 16953009",
     {928000, 3723001, 128139000, 195967001, 429554009}),
    ("5.6-zero-not-equal", "< 64572001 : [0..0] 363698007 != 16953009",
     {928000, 128139000, 195967001, 429554009, 439656005}),
    ("3.1-zero-to-one", "< 64572001 : [0..1] 363698007 = *",
     {928000, 3723001, 128139000, 195967001, 429554009, 439656005}),
    ("3.x-zero-to-many", "< 64572001 : [0..*] 363698007 = *", DISEASE_DESCENDANTS),
    ("3.10-two-or-more", "< 64572001 : [2..*] 363698007 = *", {69896004}),
    ("3.3-group-cardinality", "< 64572001 : [2..2] { 363698007 = * }", {69896004}),
    ("3.3-no-group", "< 64572001 : [0..0] { 116676008 = * }",
     {928000, 128139000, 195967001, 429554009}),
    ("3.14-reverse-cardinality", "* : [2..*] R 363698007 = *", {16953009, 39352004}),
    # concrete values
    ("2.8-numeric", "< 373873005 : 1142135004 >= #500", {322236009}),
    ("2.8-numeric-grouped", "< 373873005 : { 1142135004 = #500 }", {322236009}),
    ("2.8-numeric-ungrouped-not-in-group", "< 373873005 : { 1142139005 = #1 }", set()),
    ("2.8-numeric-not-equal", "< 373873005 : 1142135004 != #500", set()),
    ("2.10-string", '< 373873005 : 1001000 = "Paracetamol 500 mg tablets"', {322236009}),
    ("2.10-string-wild", '< 373873005 : 1001000 = wild:"Paracetamol*"', {322236009}),
    # filters
    ("8.1-term-match", '< 64572001 {{ term = "arth elb" }}', {429554009, 439656005}),
    ("8.1-term-set", '< 64572001 {{ term = ("asth" "rheum") }}', {69896004, 195967001}),
    ("8.1-term-wild", '< 64572001 {{ term = wild:"*of elbow" }}', {429554009, 439656005}),
    ("8.1-term-wild-case", '< 64572001 {{ term = wild:"*OF ELBOW" }}', {429554009, 439656005}),
    ("8.1-term-wild-literal-star", '< 64572001 {{ term = wild:"*\\*" }}', set()),
    ("8.1-two-blocks", '< 64572001 {{ term = "arth" }} {{ term = "elbow" }}',
     {429554009, 439656005}),
    ("8.3-type", '< 64572001 {{ term = "inflam", type = fsn }}', {128139000}),
    ("8.4-dialect", '< 64572001 {{ term = "clinical", dialect = en-nhs-clinical }}', {195967001}),
    ("8.4-dialect-not-gb", '< 64572001 {{ term = "clinical", dialect = en-gb }}', set()),
    ("8.4-dialect-acceptability", '<< 195967001 {{ dialect = en-us (prefer) }}', {195967001}),
    ("8.2-language", '<< 195967001 {{ language = en }}', {195967001}),
    ("9.1-definition-status", "< 64572001 {{ C definitionStatus = defined }}",
     {69896004, 429554009, 439656005}),
    ("9.4-inactive", "* {{ C active = 0 }}", {1000004, 156659008}),
    ("10.1-member-filter", '^ 447562003 {{ M mapTarget = "M06.9" }}', {69896004}),
    ("10.1-member-filter-wild", '^ 447562003 {{ M mapTarget = wild:"J*" }}', {195967001}),
    # member filters on string fields: a typed search term, match: (word prefix) by default
    ("10.1-member-string-prefix", '^ 447562003 {{ M mapTarget = "J45" }}', {195967001}),
    ("10.1-member-string-case", '^ 447562003 {{ M mapTarget = "m06" }}', {69896004}),
    ("10.1-member-string-match-keyword", '^ 447562003 {{ M mapTarget = match:"J45.9" }}',
     {195967001}),
    ("10.1-member-string-not-a-prefix", '^ 447562003 {{ M mapTarget = "45" }}', set()),
    ("10.1-member-string-uk-block", '^ 999002271000000101 {{ M mapTarget = "M069" }}',
     {69896004}),
    ("10.1-member-string-wild-case", '^ 447562003 {{ M mapTarget = wild:"j45*" }}',
     {195967001}),
    ("10.1-member-string-set", '^ 447562003 {{ M mapTarget = ("J45" wild:"M*") }}',
     {195967001, 69896004}),
    ("10.1-member-string-not-equal", '^ 447562003 {{ M mapTarget != "J45" }}', {69896004}),
    # member field selection: one field of component ids is a set of concepts
    ("6.x-field-selection-targets",
     "^ [targetComponentId] 900000000000527005 |SAME AS association reference set| "
     "{{ M referencedComponentId = 1000004 }}", {3723001}),
    ("6.x-field-selection-nested",
     "<< (^ [targetComponentId] 900000000000523009 {{ M referencedComponentId = 156659008 }})",
     {3723001, 69896004, 439656005}),
    ("6.x-field-selection-default", "^ [referencedComponentId] 1002007",
     {3723001, 69896004, 439656005}),
    ("6.x-field-selection-in-compound",
     "^ [targetComponentId] 900000000000523009 AND < 928000", {3723001, 439656005}),
    ("11.1-history-min", "<< 3723001 {{ + HISTORY-MIN }}", {3723001, 69896004, 439656005,
                                                            1000004}),
    ("11.1-history-max", "<< 3723001 {{ + HISTORY-MAX }}", {3723001, 69896004, 439656005,
                                                            1000004, 156659008}),
    ("11.1-history-subset", "<< 439656005 {{ + HISTORY (900000000000523009) }}",
     {439656005, 156659008}),
]


@pytest.mark.parametrize("expression, expected", [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_both_evaluators_give_the_expected_set(ecl_small, expression, expected):
    store, substrate = ecl_small
    assert set(evaluate(expression, store).ids) == expected
    assert set(evaluate_reference(expression, substrate).ids) == expected


def test_member_fields_are_returned_as_rows(ecl_small):
    """Selecting fields that are not one field of component ids yields rows: the selected
    fields, in the order named, each distinct row once."""
    store, substrate = ecl_small
    for result in (evaluate("^ [mapTarget] 447562003", store, rows=True),
                   evaluate_reference("^ [mapTarget] 447562003", substrate)):
        assert result.columns == ("mapTarget",)
        assert sorted(result.rows) == [("J45.9",), ("M06.9",)]
        assert not result.ids
    text = "^ [referencedComponentId, mapTarget, mapGroup] 999002271000000101"
    for result in (evaluate(text, store, rows=True), evaluate_reference(text, substrate)):
        assert result.columns == ("referencedComponentId", "mapTarget", "mapGroup")
        assert sorted((r[0], r[1], int(r[2])) for r in result.rows) == [
            (69896004, "M069", 1), (69896004, "M0699", 2), (195967001, "J459", 1)]


def test_rows_where_a_set_of_concepts_is_needed_are_an_error(ecl_small):
    store, substrate = ecl_small
    with pytest.raises(ECLError, match="rows of member fields"):
        evaluate("^ [mapTarget] 447562003", store)  # rows not asked for
    for text in ("< 64572001 AND ^ [mapTarget] 447562003",
                 "<< ^ [referencedComponentId, targetComponentId] 900000000000527005",
                 "^ [*] 1002007 MINUS 3723001"):
        for evaluator, source in ((evaluate, store), (evaluate_reference, substrate)):
            with pytest.raises(ECLError, match="not a set of concepts"):
                evaluator(text, source)


def test_members_of_any_refset(ecl_small, snomed_small_release):
    """``^ *``: the referenced components of the active members of every refset (read here
    straight from the release's refset files), not the refsets themselves."""
    expected = set()
    for path in (snomed_small_release / "Snapshot" / "Refset").rglob("*.txt"):
        for line in path.read_text(encoding="utf-8").splitlines()[1:]:
            parts = line.split("\t")
            if parts[2] == "1" and parts[5].isdigit():
                expected.add(int(parts[5]))
    store, substrate = ecl_small
    assert {1002007, 447562003} & expected == set()  # refsets are not their own members
    assert set(evaluate("^ *", store).ids) == expected
    assert set(evaluate_reference("^ *", substrate).ids) == expected
    assert set(evaluate("^ * AND < 64572001", store).ids) == {3723001, 69896004, 439656005,
                                                               195967001}


IDENTIFIER_CASES = [
    ("1.10-alternate-loinc", "LOINC#2345-7", {195967001}),
    ("1.10-alternate-descendants", "<< LOINC#718-7", {3723001, 69896004, 439656005}),
    ("1.10-official-example", "<< LOINC#54486-6",
     {928000, 3723001, 429554009, 439656005, 69896004}),
    ("1.10-scheme-case-insensitive", "loinc#2345-7", {195967001}),
    ("1.10-scheme-by-concept-id", "705114005#718-7", {3723001}),
    ("1.10-no-fuzzy-scheme-names", '"LOINC-Code-System#718-7"', set()),  # not a synonym
    ("1.10-quoted", '"LOINC#718-7" |Arthritis|', {3723001}),
    ("1.10-inactive-identifier", "LOINC#9999-9", set()),
    ("1.10-scheme-outside-the-hierarchy", "LAB#718-7", {69896004}),
    ("1.10-same-code-other-scheme", "LAB#718-7 OR LOINC#718-7", {69896004, 3723001}),
    ("1.10-in-a-conjunction", "LOINC#718-7 AND ^ 1002007", {3723001}),
    ("1.10-ctv3-map-still", "CTV3#X701i", {3723001}),
]


@pytest.mark.parametrize("expression, expected", [c[1:] for c in IDENTIFIER_CASES],
                         ids=[c[0] for c in IDENTIFIER_CASES])
def test_alternate_identifiers_of_any_scheme(ecl_identifiers, expression, expected):
    store, substrate = ecl_identifiers
    if expression.startswith('"LOINC-Code'):
        for evaluator, source in ((evaluate, store), (evaluate_reference, substrate)):
            with pytest.raises(NotSupportedError, match="not held"):
                evaluator(expression, source)
        return
    assert set(evaluate(expression, store).ids) == expected
    assert set(evaluate_reference(expression, substrate).ids) == expected


def test_an_unknown_scheme_names_the_schemes_held(ecl_identifiers):
    store, _ = ecl_identifiers
    with pytest.raises(NotSupportedError) as caught:
        evaluate("LONIC#2345-7", store)
    assert "705114005 (LOINC" in str(caught.value) and "1005003" in str(caught.value)


def test_unknown_ids_and_wrong_terms_warn(ecl_small):
    store, _ = ecl_small
    result = evaluate("< 64572001 |Diseaze| OR 1234567", store)
    assert result.unknown == (1234567,)
    assert any("Diseaze" in w for w in result.warnings)
    assert any("unknown concept 1234567" in w for w in result.warnings)
    assert not evaluate("< 64572001 |disease|", store).warnings  # case-insensitive


def test_features_the_store_cannot_answer_fail_loudly(ecl_small):
    store, substrate = ecl_small
    for evaluator, source in ((evaluate, store), (evaluate_reference, substrate)):
        with pytest.raises(NotSupportedError):
            evaluator("<< LOINC#54486-6", source)
        with pytest.raises(ECLError):
            evaluator("< 64572001 {{ dialect = xx-nowhere }}", source)


def test_member_filters_on_active_reach_inactive_members(ecl_small):
    """1002007 |Arthritis codes| has three active members and an inactive one (195967001);
    without an active filter only active members count."""
    store, substrate = ecl_small
    for evaluator, source in ((evaluate, store), (evaluate_reference, substrate)):
        assert set(evaluator("^ 1002007", source).ids) == {3723001, 69896004, 439656005}
        assert set(evaluator("^ 1002007 {{ M active = 0 }}", source).ids) == {195967001}
        assert set(evaluator("^ 1002007 {{ M active != true }}", source).ids) == {195967001}
        assert set(evaluator("^ 1002007 {{ M active = 1 }}", source).ids) == {
            3723001, 69896004, 439656005}
        assert set(evaluator("^ 447562003 {{ M active = false }}", source).ids) == set()
    rows = evaluate("^ [referencedComponentId, active] 1002007 {{ M active = false }}",
                    store, rows=True).rows
    assert [tuple(r) for r in rows] == [(195967001, 0)]


def test_a_store_without_inactive_members_says_so(snomed_small_store, tmp_path):
    import shutil
    import sqlite3

    copy = tmp_path / "old.db"
    shutil.copy(snomed_small_store, copy)
    conn = sqlite3.connect(copy)
    conn.execute("DROP TABLE refset_simple_inactive")
    conn.commit()
    conn.close()
    with Store.open(copy) as store:
        assert set(evaluate("^ 1002007", store).ids) == {3723001, 69896004, 439656005}
        with pytest.raises(NotSupportedError, match="re-import"):
            evaluate("^ 1002007 {{ M active = 0 }}", store)


def test_explain_counts_each_step(ecl_small):
    store, _ = ecl_small
    steps = explain("< 64572001 MINUS << 928000", store)
    assert [s.count for s in steps][-1] == 2
    assert any(s.label == "<< 928000" and s.count == 5 for s in steps)


def test_a_codelist_sized_disjunction(ecl_small):
    store, substrate = ecl_small
    ids = [64572001, 3723001] + [2000000 + 7 * i for i in range(600)]
    text = " OR ".join(str(i) for i in ids) + " OR << 928000 OR " + " OR ".join(
        f"< {i}" for i in ids[:450])
    result = evaluate(text, store)
    assert result.ids == evaluate_reference(text, substrate).ids
    assert {64572001, 3723001, 928000, 439656005} <= result.ids
    assert len(result.unknown) == 600
