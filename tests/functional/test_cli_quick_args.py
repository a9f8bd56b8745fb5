"""Plain command lines read without argparse (codelists.cli.quick_args) give exactly the
arguments argparse gives, and anything else is left to argparse."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from codelists.cli.main import build_parser, read_quickly

WORDS = ["<< 404684003", "^ 700043003 |x|", "-", "expand", "a b", "--db", "--db=s.db", "--db=",
         "-t", "--terminology", "--terminology=snomedct", "--terms", "--json", "--csv", "--sql",
         "-h", "--help", "--", "-x", "--te", "--d", "s.db", "snomedct", "-1", "--json=1",
         "--version", "-tsnomedct", "check", ""]


def _argparse(argv: list[str]) -> dict | None:
    parser = build_parser("ecl", full=False)
    try:
        return vars(parser.parse_args(argv))
    except SystemExit:
        return None


@st.composite
def command_lines(draw) -> list[str]:
    head = draw(st.sampled_from([["ecl", "expand"], ["ecl", "check"], ["ecl", "explain"],
                                 ["ecl"], ["ecl", "other"], ["--version", "ecl"]]))
    return head + draw(st.lists(st.sampled_from(WORDS), max_size=6))


@given(command_lines())
def test_what_the_quick_reader_reads_argparse_reads_the_same(argv):
    quick = read_quickly(argv, "ecl")
    if quick is not None:
        assert vars(quick) == _argparse(argv), argv


@pytest.mark.parametrize("argv", [
    ["ecl", "expand", "<< 404684003", "--db", "s.db"],
    ["ecl", "expand", "--db=s.db", "<< 404684003 |Clinical finding|", "--terms"],
    ["ecl", "expand", "^ 700043003", "-t", "snomedct", "--json"],
    ["ecl", "expand", "-", "--csv", "--terminology", "snomedct"],
    ["ecl", "check", "<< 1", "--json"],
    ["ecl", "explain", "<< 404684003", "--sql", "--db", "s.db"],
])
def test_the_plain_forms_are_read_quickly_as_argparse_reads_them(argv):
    quick = read_quickly(argv, "ecl")
    assert quick is not None
    assert vars(quick) == _argparse(argv)


@pytest.mark.parametrize("argv", [
    ["ecl", "expand", "<< 1", "--help"], ["ecl", "expand", "<< 1", "--json", "--csv"],
    ["ecl", "expand", "<< 1", "--db", "a", "--db", "b"], ["ecl", "expand"],
    ["ecl", "expand", "<< 1", "<< 2"], ["ecl", "expand", "--", "-<< 1"],
    ["ecl", "expand", "<< 1", "--te", "snomedct"], ["ecl", "expand", "<< 1", "--db", "--json"],
])
def test_help_errors_and_unusual_forms_are_left_to_argparse(argv):
    assert read_quickly(argv, "ecl") is None


def test_a_group_without_quick_forms_is_left_to_argparse():
    assert read_quickly(["validate", "x.codelist"], "validate") is None
