"""`codelist terminology ...` end to end through codelists.cli.main.main."""

from __future__ import annotations

import json

import pytest

from codelists.cli.main import main
from tests.plugins.snomed import elbow_release


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def small_db(snomed_small_store):
    return str(snomed_small_store)


def test_import_list_info(capsys, tmp_path, snomed_small_release):
    dest = tmp_path / "small.db"
    code, out, err = run(capsys, "terminology", "import", str(snomed_small_release),
                         "--db", str(dest))
    assert code == 0, err
    assert "Imported snomedct international 20250101" in out
    assert "concepts: 40" in out
    assert dest.is_file()
    code, out, _ = run(capsys, "terminology", "import", str(snomed_small_release), "--json")
    assert code == 0
    summary = json.loads(out)
    assert summary["terminology"] == "snomedct" and summary["concepts"] == "40"
    code, out, _ = run(capsys, "terminology", "list", "--json")
    stores = json.loads(out)["stores"]
    assert [s["path"] for s in stores] == [summary["store"]]
    code, out, _ = run(capsys, "terminology", "list")
    assert "international" in out
    code, out, _ = run(capsys, "terminology", "info", "--json")
    assert json.loads(out)["release_date"] == "20250101"
    code, out, _ = run(capsys, "terminology", "info", "--db", str(dest))
    assert "release date: 20250101" in out


def test_import_detects_nothing_in_a_wrong_file(capsys, tmp_path):
    wrong = tmp_path / "notes.txt"
    wrong.write_text("hello")
    code, _, err = run(capsys, "terminology", "import", str(wrong))
    assert code != 0
    assert "notes.txt" in err and "not a terminology release" in err


def test_import_error_names_file_and_line(capsys, tmp_path, snomed_small_release):
    import shutil

    release = shutil.copytree(snomed_small_release, tmp_path / "rel")
    concept = release / "Snapshot/Terminology/sct2_Concept_Snapshot_INT_20250101.txt"
    with open(concept, "a", encoding="utf-8") as fh:
        fh.write("1\t2\t3\n")
    code, _, err = run(capsys, "terminology", "import", str(release), "--db",
                       str(tmp_path / "x.db"), "--quiet")
    assert code == 6
    assert "sct2_Concept_Snapshot_INT_20250101.txt:42: expected 5 tab-separated columns" \
        in err
    assert not (tmp_path / "x.db").exists()


def test_show_text_and_json(capsys, small_db):
    code, out, _ = run(capsys, "terminology", "show", "69896004", "--db", small_db)
    assert code == 0
    assert "Rheumatoid arthritis" in out and "group 2" in out and "Finding site" in out
    assert "M0699" in out
    code, out, _ = run(capsys, "terminology", "show", "156659008", "--db", small_db)
    assert "INACTIVE" in out and "Ambiguous component" in out
    code, out, _ = run(capsys, "terminology", "show", "322236009", "--db", small_db, "--json")
    data = json.loads(out)
    assert data["preferred_terms"] == {"en-GB": "Paracetamol 500 mg oral tablet",
                                       "en-US": "Acetaminophen 500 mg oral tablet"}
    assert {a["value"] for a in data["attributes"]} == {
        "#500", "#1", '"Paracetamol 500 mg tablets"'}


def test_show_unknown_code(capsys, small_db):
    code, _, err = run(capsys, "terminology", "show", "404", "--db", small_db)
    assert code == 7
    assert "404 is not a concept" in err


def test_descendants_and_ancestors(capsys, small_db):
    code, out, _ = run(capsys, "terminology", "descendants", "3723001", "--db", small_db,
                       "--json")
    assert {r["code"] for r in json.loads(out)} == {"69896004", "439656005"}
    code, out, _ = run(capsys, "terminology", "descendants", "3723001", "--self",
                       "--codes-only", "--db", small_db)
    assert sorted(out.split()) == ["3723001", "439656005", "69896004"]
    code, out, _ = run(capsys, "terminology", "ancestors", "69896004", "--db", small_db)
    assert "928000\tDisorder of musculoskeletal system" in out


def test_search(capsys, small_db):
    code, out, _ = run(capsys, "terminology", "search", "rheum", "--db", small_db)
    lines = out.splitlines()
    assert lines[0].split() == ["code", "term", "why"]
    assert lines[1].split()[:3] == ["69896004", "Rheumatoid", "arthritis"]
    assert lines[-1] == "1 code"
    code, out, _ = run(capsys, "terminology", "search", "acetam", "--db", small_db, "--json")
    hit = json.loads(out)[0]
    assert hit["code"] == "322236009" and hit["preferred_term"].startswith("Paracetamol")
    code, out, _ = run(capsys, "terminology", "search", "arth", "--within", "429554009",
                       "--db", small_db, "--json")
    assert {h["code"] for h in json.loads(out)} == {"429554009", "439656005"}
    code, out, _ = run(capsys, "terminology", "search", "arthritis nos", "--db", small_db,
                       "--include-inactive")
    assert any(line.startswith("1000004 ") and "Arthritis NOS  [inactive]" in line
               for line in out.splitlines())
    code, out, _ = run(capsys, "terminology", "search", r"of\s+elbow$", "--regex",
                       "--db", small_db, "--limit", "1")
    assert len(out.strip().splitlines()) == 3  # header, one row, count
    assert "there may be more" in out
    code, _, err = run(capsys, "terminology", "search", "(", "--regex", "--db", small_db)
    assert code == 2 and "regular expression" in err


def test_search_whole_words(capsys, small_db):
    code, out, _ = run(capsys, "terminology", "search", "rheum", "--whole-words", "--db",
                       small_db, "--json")
    assert code == 0 and json.loads(out) == []
    code, out, _ = run(capsys, "terminology", "search", "rheumatoid", "--whole-words",
                       "--db", small_db, "--json")
    assert [h["code"] for h in json.loads(out)] == ["69896004"]
    code, _, err = run(capsys, "terminology", "search", "arth", "--regex", "--whole-words",
                       "--db", small_db)
    assert code == 2 and "--whole-words" in err and "--regex" in err


def test_the_elbow_slice_through_the_cli(capsys, shared, tmp_path):
    dest = tmp_path / "elbow.db"
    assert run(capsys, "terminology", "import", str(elbow_release(shared)), "--db",
               str(dest))[0] == 0
    code, out, _ = run(capsys, "terminology", "show", "156659008", "--db", str(dest))
    assert "INACTIVE" in out
    code, out, _ = run(capsys, "terminology", "descendants", "128133004", "--self",
                       "--codes-only", "--db", str(dest))
    assert len(out.split()) == 7


def test_no_store_found(capsys):
    code, _, err = run(capsys, "terminology", "info")
    assert code == 5 and "import a release" in err


def test_a_missing_store_is_a_clear_error(capsys, tmp_path):
    code, _, err = run(capsys, "terminology", "show", "1", "--db", str(tmp_path / "no.db"))
    assert code == 5
    assert "no terminology store at this path" in err and "Traceback" not in err
    code, _, err = run(capsys, "terminology", "info", "--db", str(tmp_path / "no.db"))
    assert code == 5
