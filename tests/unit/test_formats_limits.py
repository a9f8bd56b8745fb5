"""Parsing budgets (codelists.formats.limits) and the YAML alias bound of front matter."""

from __future__ import annotations

import io
import zipfile

import pytest

from codelists.codelist.fileformat import parse
from codelists.errors import InputFileError, LimitExceeded
from codelists.formats import limits
from codelists.formats.fhir import load_json

SMALL = limits.Limits(bytes=1000, rows=10, cells=25, decompressed=5000, members=3,
                      json_depth=4)


def test_each_budget_names_itself():
    cases = [
        (lambda: limits.check_bytes(b"x" * 1001, SMALL, "a.csv"), "bytes"),
        (lambda: limits.check_table("c\n" * 11, SMALL, "a.csv"), "rows"),
        (lambda: limits.check_table("a,b,c\n" * 9, SMALL, "a.csv"), "cells"),
        (lambda: limits.check_json_depth('{"a": [[[[1]]]]}', SMALL, "a.json"), "json_depth"),
    ]
    for call, name in cases:
        with pytest.raises(LimitExceeded) as info:
            call()
        assert info.value.limit == name
        assert "a." in str(info.value)


def test_within_budget_passes():
    limits.check_table("code,term\n1,x\n", SMALL)
    limits.check_json_depth('{"a": "[[[[[[[[[[ in a string ]"}', SMALL)


def test_zip_budget_reads_only_the_directory():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("big.xml", "x" * 6000)
    with pytest.raises(LimitExceeded, match="unpacks to 6,000 bytes") as info:
        limits.check_zip(buffer.getvalue(), SMALL, "book.xlsx")
    assert info.value.limit == "decompressed"
    with pytest.raises(LimitExceeded) as info:
        limits.check_zip(b"not a zip", SMALL, "book.xlsx")
    assert info.value.limit == "format"


def _bomb(levels: int) -> str:
    lines = ['a0: &a0 "lol"']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 10) + "]"
              for i in range(1, levels + 1)]
    return "---\nid: b\ntitle: B\nterminology: snomedct\n" + "\n".join(lines) + "\n---\n1 x\n"


def test_yaml_alias_bomb_is_refused_before_expansion():
    with pytest.raises(LimitExceeded, match="aliases") as info:
        parse(_bomb(9), path="bomb.codelist")  # 10^9 nodes if expanded
    assert info.value.limit == "yaml_aliases"
    assert info.value.path == "bomb.codelist"


def test_modest_aliases_still_work():
    text = ("---\nid: a\ntitle: A\nterminology: snomedct\nauthors: &who [Ada, Alan]\n"
            "reviewers: *who\n---\n195967001 Asthma\n")
    assert parse(text).meta["reviewers"] == ["Ada", "Alan"]


def test_deep_json_is_an_input_error_not_a_recursion_error(tmp_path):
    with pytest.raises(InputFileError, match="nested"):
        load_json(tmp_path / "deep.json", "[" * 100_000 + "]" * 100_000)
