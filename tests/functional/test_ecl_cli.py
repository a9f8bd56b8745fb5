"""`codelist ecl expand|check|explain` end to end on the snomed-small store."""

from __future__ import annotations

import io
import json

from codelists.cli.main import main


def test_expand_prints_sorted_ids(snomed_small_store, capsys):
    assert main(["ecl", "expand", "<! 64572001 |Disease|", "--db", str(snomed_small_store)]) == 0
    assert capsys.readouterr().out.split() == ["928000", "128139000", "195967001"]


def test_expand_with_terms_json_and_csv(snomed_small_store, capsys):
    db = ["--db", str(snomed_small_store)]
    assert main(["ecl", "expand", "<! 928000", "--terms", *db]) == 0
    assert "3723001\tArthritis" in capsys.readouterr().out
    assert main(["ecl", "expand", "<! 928000", "--json", *db]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["count"] == 2
    assert {"id": "3723001", "term": "Arthritis"} in data["concepts"]
    assert main(["ecl", "expand", "<! 928000", "--csv", *db]) == 0
    assert capsys.readouterr().out.splitlines()[:2] == ["id,term", "3723001,Arthritis"]


def test_expand_reads_stdin_and_warns(snomed_small_store, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("64572001 |Diseaze| OR 1234567\n"))
    assert main(["ecl", "expand", "-", "--db", str(snomed_small_store)]) == 0
    captured = capsys.readouterr()
    assert captured.out.split() == ["64572001"]
    assert "unknown concept 1234567" in captured.err and "Diseaze" in captured.err


def test_check_prints_the_canonical_form(snomed_small_store, capsys):
    assert main(["ecl", "check", "<<64572001|Disease| , ^1002007",
                 "--db", str(snomed_small_store)]) == 0
    assert capsys.readouterr().out.strip() == "<< 64572001 |Disease| AND ^ 1002007"


def test_check_reports_syntax_errors_with_position(capsys):
    assert main(["ecl", "check", "< 64572001 AND < 928000 OR < 1234567"]) == 1
    err = capsys.readouterr().err
    assert "1:25" in err and "brackets" in err
    assert main(["ecl", "check", "< 64572001 :", "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["valid"] is False and data["line"] == 1 and data["expected"]


def test_expand_syntax_error_exit_code(snomed_small_store, capsys):
    assert main(["ecl", "expand", "<< (", "--db", str(snomed_small_store)]) == 8
    assert "error:" in capsys.readouterr().err


def test_explain_lists_steps_with_counts(snomed_small_store, capsys):
    assert main(["ecl", "explain", "< 64572001 MINUS << 928000", "--json",
                 "--db", str(snomed_small_store)]) == 0
    steps = json.loads(capsys.readouterr().out)
    assert steps[-1]["count"] == 2
    assert {"step": steps[1]["step"], "expression": "< 64572001", "count": 7} in steps
    assert main(["ecl", "explain", "<< 928000", "--sql", "--db", str(snomed_small_store)]) == 0
    assert "closure" in capsys.readouterr().out


def test_not_supported_features_fail_loudly(snomed_small_store, capsys):
    assert main(["ecl", "expand", "LOINC#1234-5", "--db", str(snomed_small_store)]) == 9
    assert "not held in this store" in capsys.readouterr().err


def test_expand_member_fields_prints_rows(snomed_small_store, capsys):
    db = ["--db", str(snomed_small_store)]
    text = "^ [referencedComponentId, mapTarget] 447562003"
    assert main(["ecl", "expand", text, *db]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "referencedComponentId\tmapTarget", "195967001\tJ45.9", "69896004\tM06.9"]
    assert main(["ecl", "expand", "^ [mapTarget] 447562003", "--json", *db]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["columns"] == ["mapTarget"]
    assert sorted(data["rows"]) == [["J45.9"], ["M06.9"]]
    # one field of component ids is a set of concepts, printed with terms like any other
    assert main(["ecl", "expand", "^ [targetComponentId] 900000000000527005", "--terms",
                 *db]) == 0
    assert capsys.readouterr().out.splitlines() == ["3723001\tArthritis"]
    # rows where a set of concepts is needed: a clear error, no traceback
    assert main(["ecl", "expand", "<< ^ [mapTarget] 447562003", *db]) != 0
    assert "not a set of concepts" in capsys.readouterr().err


def test_a_store_whose_path_holds_uri_characters_opens(snomed_small_store, tmp_path, capsys):
    """--db is opened read-only through an SQLite URI: ``?``, ``#`` and ``%`` in the path
    are escaped, not read as the URI's query, fragment or an escape."""
    import shutil

    odd = tmp_path / "stores #1?" / "small 100%.db"
    odd.parent.mkdir()
    shutil.copy(snomed_small_store, odd)
    assert main(["ecl", "expand", "<! 64572001", "--db", str(odd)]) == 0
    assert capsys.readouterr().out.split() == ["928000", "128139000", "195967001"]


def test_a_missing_store_is_a_clear_error(tmp_path, capsys):
    missing = tmp_path / "nowhere.db"
    assert main(["ecl", "expand", "<< 404684003", "--db", str(missing)]) == 5
    err = capsys.readouterr().err
    assert err.startswith(f"error: {missing}: no terminology store at this path")
    assert "fix:" in err and "Traceback" not in err


def test_a_fresh_process_prints_what_the_library_answers(snomed_small_store):
    """`codelist ecl expand` in a fresh process (no json, numpy or lark imported: its own
    ways of reading ids) prints exactly the ids this process's library call gives."""
    import subprocess
    import sys

    from codelists.ecl import evaluate

    expressions = ["<< 404684003 MINUS << 64572001", "<< 404684003 OR << 64572001",
                   "(<< 404684003 OR ^ 1002007) AND << 64572001", "<< 138875005",
                   "< 404684003 : 363698007 = << 123037004", "<! 64572001 MINUS 928000"]
    for expression in expressions:
        done = subprocess.run([sys.executable, "-m", "codelists.cli", "ecl", "expand",
                               expression, "--db", str(snomed_small_store)],
                              capture_output=True, text=True, check=True)
        want = evaluate(expression, snomed_small_store).codes()
        assert want and done.stdout.split() == want, expression
    assert "json" in sys.modules  # this process took the json path
