"""The .codelist file format: sct byte-for-byte compatibility, line kinds, errors."""

from __future__ import annotations

import os

import pytest

from codelists.codelist.fileformat import dumps, load, parse, parse_line, save, write_atomic
from codelists.codelist.systems import SYSTEMS
from codelists.codelist.template import new_codelist
from codelists.errors import CodelistFormatError, InputFileError

SNOMED = SYSTEMS["snomedct"]


@pytest.fixture
def sct_dir(test_data):
    return test_data / "codelist-sct"


@pytest.mark.parametrize("name", [
    "asthma-diagnosis.codelist", "asthma-diagnosis.after-add.codelist",
    "asthma-diagnosis.after-remove.codelist", "new-asthma-diagnosis.codelist",
])
def test_sct_written_files_round_trip_byte_for_byte(sct_dir, name):
    data = (sct_dir / name).read_bytes()
    assert dumps(parse(data.decode("utf-8"))).encode("utf-8") == data


def test_add_gives_the_bytes_sct_writes(sct_dir):
    cl = load(sct_dir / "asthma-diagnosis.codelist")
    cl.add_active("22298006", "Myocardial infarction", comment="from review")
    cl.touch("2026-04-01")
    expected = (sct_dir / "asthma-diagnosis.after-add.codelist").read_text(encoding="utf-8")
    assert dumps(cl) == expected


def test_remove_gives_the_bytes_sct_writes(sct_dir):
    cl = load(sct_dir / "asthma-diagnosis.codelist")
    cl.exclude("389145006", comment="separate pathway")
    cl.touch("2026-04-01")
    expected = (sct_dir / "asthma-diagnosis.after-remove.codelist").read_text(encoding="utf-8")
    assert dumps(cl) == expected


def test_new_gives_the_bytes_sct_writes(sct_dir):
    cl = new_codelist("codelists/asthma-diagnosis.codelist", title="Asthma diagnosis",
                      author="Marcus Baw", today="2026-03-28")
    assert dumps(cl) == (sct_dir / "new-asthma-diagnosis.codelist").read_text(encoding="utf-8")


def test_line_kinds_of_the_sct_example(sct_dir):
    cl = load(sct_dir / "asthma-diagnosis.codelist")
    assert cl.active_codes() == ["195967001", "389145006", "266361008"]
    assert cl.excluded_codes() == ["41553006"]
    assert cl.pending_codes() == ["57607007"]
    kinds = [line.kind for line in cl.lines]
    assert kinds.count("heading") == 3 and kinds.count("comment") == 1
    line = cl.line_for("266361008")
    assert (line.term, line.comment, line.lineno) == (
        "Non-allergic asthma", "confirmed by clinical lead", 33)
    assert cl.meta["created"] == "2026-03-28"  # a string, as in sct, not a date
    assert cl.meta["snomed_release"] == "20260301"
    assert cl.system.id == "snomedct"


@pytest.mark.parametrize("raw,kind,code,term,tags,comment", [
    ("195967001      Asthma", "active", "195967001", "Asthma", {}, None),
    ("195967001 Asthma  # uncertainty=1 reason=check looks odd", "active", "195967001",
     "Asthma", {"uncertainty": "1", "reason": "check"}, "looks odd"),
    ("# 41553006      Occupational asthma  # reason=negation", "excluded", "41553006",
     "Occupational asthma", {"reason": "negation"}, None),
    ("# ? 57607007  Irritant-induced asthma  # source=search:3", "pending", "57607007",
     "Irritant-induced asthma", {"source": "search:3"}, None),
    ("# ── Excluded ──", "heading", None, "", {}, None),
    ("# concepts", "comment", None, "", {}, None),
    ("# 2020 review", "comment", None, "", {}, None),  # 4 digits: not a SNOMED code
    ("   ", "blank", None, "", {}, None),
    ("123456789  # just a note", "active", "123456789", "", {}, "just a note"),
    ("123456789  Term with \\# hash", "active", "123456789", "Term with # hash", {}, None),
])
def test_parse_line(raw, kind, code, term, tags, comment):
    line = parse_line(raw, SNOMED)
    assert (line.kind, line.code, line.term, line.tags, line.comment) == (
        kind, code, term, tags, comment)


def test_other_systems_use_their_code_pattern():
    text = ("---\nid: x\nterminology: CTV3\n---\n"
            "XaBVJ  Asthma\n# Notes on this list\n# X1234 excluded thing\n"
            "# XaIfG        Word-like excluded\nH33..  Asthma (Read)\n")
    cl = parse(text)
    assert cl.active_codes() == ["XaBVJ", "H33.."]
    assert cl.excluded_codes() == ["X1234", "XaIfG"]
    assert [ln.kind for ln in cl.lines][1] == "comment"
    assert dumps(cl) == text


def test_icd10_codelist():
    cl = parse("---\nid: ami\nterminology: icd10\n---\nI21  Acute MI\nI21.0 Anterior\n"
               "# D05  in situ  # reason=scope\n")
    assert cl.active_codes() == ["I21", "I21.0"]
    assert cl.line_for("D05").tags == {"reason": "scope"}


def test_crlf_and_bom_are_preserved():
    text = "\ufeff---\r\nid: x\r\nterminology: SNOMED CT\r\n---\r\n\r\n195967001  Asthma\r\n"
    cl = parse(text)
    assert cl.active_codes() == ["195967001"]
    assert dumps(cl) == text
    cl.add_active("389145006", "Allergic asthma")
    assert dumps(cl).endswith("\r\n389145006      Allergic asthma\r\n")


def test_no_final_newline_is_preserved():
    text = "---\nid: x\n---\n195967001 Asthma"
    assert dumps(parse(text)) == text


def test_stray_text_line_is_kept_as_comment_for_validate():
    cl = parse("---\nid: x\n---\nAsthma codes follow\n")
    assert cl.lines[0].kind == "comment"
    assert dumps(cl) == "---\nid: x\n---\nAsthma codes follow\n"


@pytest.mark.parametrize("text,line,words", [
    ("id: x\n", 1, "starts with a '---'"),
    ("---\nid: x\n", 1, "no closing"),
    ("---\nid: x\ntitle: [unclosed\n---\n", 3, "not valid YAML"),
    ("---\n- a\n- b\n---\n", 2, "mapping"),
    ("---\nterminology: klingon\n---\n", 2, "unknown terminology"),
])
def test_bad_files_name_the_line_and_a_fix(text, line, words):
    with pytest.raises(CodelistFormatError) as info:
        parse(text, path="bad.codelist")
    err = info.value
    assert words in err.message
    assert err.path == "bad.codelist" and err.line == line and err.hint


def test_load_missing_and_non_utf8(tmp_path):
    with pytest.raises(InputFileError):
        load(tmp_path / "nope.codelist")
    bad = tmp_path / "bad.codelist"
    bad.write_bytes(b"---\nid: x\n---\n195967001 Caf\xe9\n")
    with pytest.raises(CodelistFormatError) as info:
        load(bad)
    assert info.value.line == 4


def test_save_is_atomic_and_keeps_permissions(tmp_path, sct_dir):
    target = tmp_path / "a.codelist"
    cl = load(sct_dir / "asthma-diagnosis.codelist")
    save(cl, target)
    os.chmod(target, 0o600)
    cl.add_active("22298006", "Myocardial infarction")
    save(cl)
    assert cl.path == target
    assert (target.stat().st_mode & 0o777) == 0o600
    assert "22298006" in target.read_text()
    assert [p.name for p in tmp_path.iterdir()] == ["a.codelist"]  # no temp files left


def test_failed_write_leaves_the_old_file(tmp_path):
    target = tmp_path / "a.txt"
    target.write_text("old")

    class Boom:
        def encode(self, *_):
            raise RuntimeError("boom")

    with pytest.raises(TypeError):
        write_atomic(target, Boom())  # type: ignore[arg-type]
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]
