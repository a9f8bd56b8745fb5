"""Window parsing, column presets, code sets and date-format detection."""

from __future__ import annotations

import pytest

from codelists.errors import UsageError
from codelists.frequency.inputs import (
    CodeSet,
    Window,
    column_map,
    detect_date_format,
)


@pytest.mark.parametrize("text, start, end", [
    ("-365:-1", -365, -1), ("-365:0", -365, 0), (":-1", None, -1), ("-30:", -30, None),
    (" -7 : 7 ", -7, 7), ("0:0", 0, 0),
])
def test_window_parse(text, start, end):
    window = Window.parse(text)
    assert (window.start, window.end) == (start, end)
    assert Window.parse(window.as_text()) == window


@pytest.mark.parametrize("text", ["", ":", "365", "-1:-365", "a:b", "-365..-1"])
def test_window_rejects(text):
    with pytest.raises(UsageError):
        Window.parse(text)


def test_window_describes_both_boundaries():
    assert Window(-365, -1).describe() == "[index-365d, index-1d]"
    assert Window(None, 0).describe() == "[-inf, index+0d]"


def test_presets_and_overrides():
    gold = column_map("gold")
    assert (gold.patient, gold.code, gold.date) == ("patid", "medcode", "eventdate")
    aurum = column_map("aurum", date="enterdate")
    assert (aurum.patient, aurum.code, aurum.date) == ("patid", "medcodeid", "enterdate")
    assert column_map().code == "code"
    with pytest.raises(UsageError):
        column_map("vision")
    with pytest.raises(UsageError):
        column_map(date_format="mdy")


@pytest.mark.parametrize("samples, expected", [
    (["01/02/2020", "31/12/1999"], "dmy"), (["20200201"], "ymd"),
    (["2020-02-01", "2020-02-01 10:00:00"], "iso"), ([], "iso"),
    (["01/02/2020", "2020-01-01"], "iso"),
])
def test_detect_date_format(samples, expected):
    assert detect_date_format(samples) == expected


def test_codeset_normalises_codes_and_reads_uncertainty():
    codes = CodeSet.from_mapping("cprd_medcode", {"719.0": "0", " 12 ": 1, "5": None},
                                 terms={"719.0": "Cough"})
    assert codes.uncertainty == {"719": 0, "12": 1, "5": None}
    assert codes.terms == {"719": "Cough"}


def test_codeset_icd10_canonical_and_keys():
    codes = CodeSet.from_mapping("icd10", {"J450": 0, "I10X": 1, "M7700": 2})
    assert set(codes.uncertainty) == {"J45.0", "I10", "M77.00"}
    assert codes.keys() == {"J450": "J45.0", "I10": "I10", "M7700": "M77.00"}


@pytest.mark.parametrize("bad", [3, "high", -1])
def test_codeset_rejects_bad_uncertainty(bad):
    with pytest.raises(UsageError, match="uncertainty"):
        CodeSet.from_mapping("icd10", {"J45.0": bad})


def test_codeset_needs_codes():
    with pytest.raises(UsageError):
        CodeSet.from_mapping("icd10", {})


def test_codeset_from_codelist(freq_scenario):
    from codelists.codelist.fileformat import load

    codes = CodeSet.from_codelist(load(freq_scenario.codelist))
    assert codes.system == "cprd_medcode"
    assert codes.uncertainty == freq_scenario.uncertainty
    assert codes.terms["101"] == "Shortness of breath"
    assert codes.name == "breathless-scenario"
