"""Property-based round trips of the .codelist format."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from codelists.codelist.fileformat import dumps, parse
from codelists.codelist.model import Codelist, Line

WORD = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zs", "Zl", "Zp")),
               min_size=1, max_size=8)
TERM = st.lists(WORD, min_size=0, max_size=5).map(" ".join)
SCTID = st.integers(100000, 10**15).map(str)
TAGS = st.dictionaries(st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True),
                       st.from_regex(r"[A-Za-z0-9:._-]{1,8}", fullmatch=True), max_size=3)
FREE = st.one_of(st.none(), TERM.filter(lambda t: t and "=" not in t.split()[0]))
META_VALUE = st.one_of(
    st.text(max_size=40), st.integers(-5, 10**6), st.booleans(), st.none(),
    st.lists(st.text(max_size=12), max_size=3),
    st.dictionaries(st.from_regex(r"[a-z]{1,6}", fullmatch=True), st.text(max_size=12),
                    max_size=3),
)
META = st.dictionaries(st.from_regex(r"[a-z_]{1,12}", fullmatch=True), META_VALUE,
                       max_size=6)


@st.composite
def code_lines(draw):
    kind = draw(st.sampled_from(["active", "excluded", "pending"]))
    return Line(kind, draw(SCTID), draw(TERM), draw(FREE), draw(TAGS))


@st.composite
def other_lines(draw):
    kind = draw(st.sampled_from(["heading", "comment", "blank"]))
    if kind == "blank":
        return Line("blank")
    text = draw(TERM)
    lead = "# ── " if kind == "heading" else "# note "
    return Line(kind, text=(lead + text).strip())


@st.composite
def codelists(draw):
    meta = {"id": "x", "terminology": "SNOMED CT", **draw(META)}
    meta["terminology"] = "SNOMED CT"
    lines = draw(st.lists(st.one_of(code_lines(), other_lines()), max_size=12))
    return Codelist(meta, lines)


def _semantic(cl: Codelist):
    return (cl.meta, [(ln.kind, ln.code, ln.term, ln.tags, ln.comment)
                      for ln in cl.lines if ln.is_code])


@settings(max_examples=120, deadline=None)
@given(codelists())
def test_model_to_text_to_model(cl):
    text = dumps(cl)
    again = parse(text)
    assert _semantic(again) == _semantic(cl)
    assert dumps(again) == text  # and the text is stable


@settings(max_examples=120, deadline=None)
@given(codelists(), st.sampled_from(["\n", "\r\n"]), st.booleans())
def test_text_round_trips_byte_for_byte(cl, newline, final):
    text = dumps(cl).replace("\n", newline)
    if not final:
        text = text.rstrip("\r\n")
    assert dumps(parse(text)) == text


@settings(max_examples=60, deadline=None)
@given(codelists(), SCTID, TERM, TAGS)
def test_edits_keep_untouched_lines(cl, code, term, tags):
    text = dumps(cl)
    parsed = parse(text)
    if parsed.line_for(code) is None:
        parsed.add_active(code, term, tags=tags)
        out = dumps(parsed)
        body = text.split("\n---\n", 1)[1]
        assert body.rstrip("\n") in out
        assert parse(out).line_for(code).tags == tags


SYSTEM_CODES = {
    "ICD-10": st.from_regex(r"[A-Z][0-9]{2}(\.[0-9]{1,2})?", fullmatch=True),
    "CTV3": st.from_regex(r"[A-Za-z0-9.]{5}", fullmatch=True),
    "Read v2": st.from_regex(r"[A-Za-z0-9.]{5}([0-9A-Za-z]{2})?", fullmatch=True),
    "OPCS-4": st.from_regex(r"[A-Z][0-9]{2}(\.[0-9])?", fullmatch=True),
    "BNF": st.from_regex(r"[0-9]{2}[0-9A-Z]{0,13}", fullmatch=True),
    "local": st.from_regex(r"[A-Za-z][A-Za-z0-9._-]{0,30}", fullmatch=True),
}


@st.composite
def other_system_codelists(draw):
    name = draw(st.sampled_from(sorted(SYSTEM_CODES)))
    codes = SYSTEM_CODES[name]

    @st.composite
    def line(draw):
        kind = draw(st.sampled_from(["active", "excluded", "pending"]))
        return Line(kind, draw(codes), draw(TERM), draw(FREE), draw(TAGS))

    lines = draw(st.lists(st.one_of(line(), other_lines()), max_size=10))
    return Codelist({"id": "x", "terminology": name}, lines)


@settings(max_examples=80, deadline=None)
@given(other_system_codelists())
def test_every_coding_system_round_trips(cl):
    text = dumps(cl)
    again = parse(text)
    assert _semantic(again) == _semantic(cl)
    assert dumps(again) == text
