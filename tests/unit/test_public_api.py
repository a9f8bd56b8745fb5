"""Every name in codelists.__all__ resolves, and importing the package stays cheap."""

import subprocess
import sys

import codelists


def test_every_public_name_resolves():
    for name in codelists.__all__:
        assert getattr(codelists, name) is not None, name


def test_unknown_name_is_an_attribute_error():
    import pytest

    with pytest.raises(AttributeError):
        codelists.no_such_thing  # noqa: B018


def test_import_does_not_load_heavy_modules():
    code = ("import sys, codelists, codelists.cli.main; "
            "print(sorted(m for m in ('pandas', 'ibis', 'duckdb', 'matplotlib', 'django', "
            "'openpyxl', 'pyspark', 'lark') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_round_trip_through_the_public_api(tmp_path):
    text = ("---\nid: x\ntitle: X\ndescription: d\nterminology: icd10cm\ncreated: '2026-01-01'\n"
            "updated: '2026-01-01'\nversion: 1\nstatus: draft\nlicence: CC-BY-4.0\n"
            "copyright: c\nappropriate_use: a\nmisuse: m\n---\n\nR06.02  Shortness of breath\n")
    cl = codelists.parse(text)
    assert cl.active_codes() == ["R06.02"]
    assert codelists.dumps(cl) == text
