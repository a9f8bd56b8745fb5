"""`import_all` on arbitrary files: it returns codelists or raises a UserError that names
the file — never any other exception (a traceback in the CLI).  Hypothesis writes text
tables mixing real code shapes, delimiters, quotes, missing markers and spreadsheet
damage; raw bytes; and JSON shaped like ValueSets, concept sets and cohorts."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codelists.errors import UserError
from codelists.formats import import_all

CELLS = st.sampled_from([
    "195967001", "22298006", "X00AW", "XE0Uh", "H33..", "H33..00", "6627", "J45.0", "J450",
    "B01.2+", "'0301", "719.0", "6.63E+102", "1.23E+05", "NA", ".", "NULL", "", " ", "250 H",
    "E110-1", "2345-7", "EMISICD10|F2381", "\u00a0462\u00a0", "Asthma", "a term, with comma",
    '"quoted"', "=SUM(A1)", "#", "ü", "\t"])
HEADERS = st.sampled_from(["code", "term", "medcode", "medcodeid", "readcode", "Read term",
                           "ICD10", "desc", "ProdCodeId", "conceptId", "n", "Category", "",
                           "code"])
DELIMITERS = st.sampled_from([",", "\t", ";", "|"])
ENDINGS = st.sampled_from(["\n", "\r\n", "\r"])
ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"])


@st.composite
def tables(draw) -> bytes:
    width = draw(st.integers(1, 4))
    delimiter, ending = draw(DELIMITERS), draw(ENDINGS)
    header = [draw(HEADERS) for _ in range(width)]
    rows = [[draw(CELLS) for _ in range(draw(st.integers(0, width + 1)))]
            for _ in range(draw(st.integers(0, 6)))]
    text = ending.join(delimiter.join(r) for r in [header, *rows]) + draw(
        st.sampled_from(["", ending]))
    return text.encode(draw(ENCODINGS), errors="replace")


JSON_LEAVES = st.one_of(st.none(), st.booleans(), st.integers(-5, 10**12), CELLS)
JSON_VALUES = st.recursive(JSON_LEAVES, lambda inner: st.one_of(
    st.lists(inner, max_size=3),
    st.dictionaries(st.sampled_from(["code", "system", "concept", "display", "items",
                                     "expression", "CONCEPT_CODE", "CONCEPT_ID",
                                     "VOCABULARY_ID", "isExcluded", "contains", "include",
                                     "exclude", "compose", "expansion", "files", "name",
                                     "ConceptSets", "resourceType"]), inner, max_size=4)),
    max_leaves=12)


@st.composite
def json_files(draw) -> bytes:
    shape = draw(st.sampled_from(["valueset", "atlas", "cohort", "any"]))
    body = draw(JSON_VALUES)
    if shape == "valueset":
        data = {"resourceType": "ValueSet", "compose": body, "expansion": draw(JSON_VALUES)}
    elif shape == "atlas":
        data = {"items": draw(st.lists(JSON_VALUES, max_size=3))}
    elif shape == "cohort":
        data = {"ConceptSets": draw(st.lists(st.fixed_dictionaries(
            {"id": st.integers(0, 9), "name": CELLS, "expression": JSON_VALUES}), max_size=2))}
    else:
        data = body
    return json.dumps(data).encode()


def _imports_or_refuses(path) -> None:
    try:
        found = import_all(path)
    except UserError as exc:
        assert exc.path is not None or exc.message  # names the file (or the usage)
        assert "Traceback" not in str(exc)
        return
    assert found and all(i.system for i in found)


SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(data=tables(), suffix=st.sampled_from([".csv", ".tsv", ".txt"]))
def test_any_table_imports_or_is_refused(tmp_path, data, suffix):
    path = tmp_path / f"list{suffix}"
    path.write_bytes(data)
    _imports_or_refuses(path)


@SETTINGS
@given(data=json_files())
def test_any_json_imports_or_is_refused(tmp_path, data):
    path = tmp_path / "list.json"
    path.write_bytes(data)
    _imports_or_refuses(path)


@SETTINGS
@given(data=st.binary(max_size=200), suffix=st.sampled_from([".csv", ".xlsx", ".dta",
                                                             ".zip", ".json"]))
def test_any_bytes_import_or_are_refused(tmp_path, data, suffix):
    path = tmp_path / f"list{suffix}"
    path.write_bytes(data)
    _imports_or_refuses(path)
