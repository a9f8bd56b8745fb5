"""The one-match reading of plain ``CODE  term`` lines gives the same Line as the full
line parser, for any line (tricky whitespace, hashes, escapes and other systems' codes
included)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from codelists.codelist.fileformat import _parse_body, parse_line
from codelists.codelist.systems import SYSTEMS

PIECES = st.sampled_from(["195967001", "H33..", "J45.9", "0301012A0AAABAB", " ", "  ",
                          "\t", "\u00a0", "#", " # ", "\\#", "?", "Asthma", "x=1",
                          "reason=scope", "é", "\u2028", "a", "."])
RAW = st.lists(PIECES, max_size=8).map("".join)


@settings(max_examples=600, deadline=None)
@given(RAW, st.sampled_from(sorted(SYSTEMS)))
def test_plain_lines_read_as_the_full_parser_reads_them(raw, system_id):
    system = SYSTEMS[system_id]
    assert _parse_body([raw], system, 7) == [parse_line(raw, system, 7)]
