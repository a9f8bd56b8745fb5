"""Properties of code normalisation, over generated codes and arbitrary text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from codelists.terminology.normalise import (
    SYSTEMS,
    code_pattern,
    normalise_code,
    sctid_problem,
    verhoeff_digit,
)

printable = st.one_of(
    st.text(max_size=20),
    st.text(alphabet="0123456789.eE+ABHXYZahxz'\" -*", max_size=20),
)


@settings(max_examples=400, deadline=None)
@given(system=st.sampled_from(SYSTEMS), raw=printable)
def test_normalising_is_idempotent_and_canonical(system, raw):
    result = normalise_code(system, raw)
    assert result.raw == raw
    if result.code is None:
        assert result.problem
        return
    assert code_pattern(system).match(result.code)
    again = normalise_code(system, result.code)
    assert again.code == result.code
    assert again.repaired is False and again.problem is None


@st.composite
def sctids(draw):
    partition = draw(st.sampled_from(["00", "10"]))
    item = draw(st.integers(min_value=100, max_value=10**8 - 1 if partition == "10" else 10**14))
    stem = f"{item}{'1000001' if partition == '10' else ''}{partition}"
    return stem + verhoeff_digit(stem)


@settings(max_examples=300, deadline=None)
@given(code=sctids(), position=st.integers(min_value=0), delta=st.integers(1, 9))
def test_verhoeff_catches_every_single_digit_error(code, position, delta):
    assert sctid_problem(code) is None
    assert normalise_code("snomedct", code + ".0").code == code
    i = position % len(code)
    wrong = code[:i] + str((int(code[i]) + delta) % 10) + code[i + 1:]
    if wrong[0] != "0":
        assert normalise_code("snomedct", wrong).code is None


@st.composite
def icd10_codes(draw):
    letter = draw(st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    digits = draw(st.text(alphabet="0123456789", min_size=2, max_size=2))
    tail = draw(st.text(alphabet="0123456789", min_size=0, max_size=2))
    return f"{letter}{digits}", tail


@given(parts=icd10_codes(), spaces=st.text(alphabet=" ", max_size=3))
def test_icd10_dotted_and_undotted_forms_are_one_code(parts, spaces):
    head, tail = parts
    dotted = f"{head}.{tail}" if tail else head
    forms = {head + tail, dotted, dotted.lower() + spaces, spaces + head + tail}
    assert {normalise_code("icd10", f).code for f in forms} == {dotted}


@given(code=st.from_regex(r"[A-Z][0-9][0-9A-Z]\.[0-9A-Z]{1,4}", fullmatch=True))
def test_icd10cm_undotted_round_trip(code):
    assert normalise_code("icd10cm", code.replace(".", "")).code == code


@given(stem=st.text(alphabet="ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
                    min_size=1, max_size=4))
def test_read_codes_that_lost_their_dots_are_padded(stem):
    result = normalise_code("readv2", stem)
    if stem.isdigit():
        assert result.code in (stem.ljust(5, "."), None)
    else:
        assert result.code == stem.ljust(5, ".") and result.repaired
