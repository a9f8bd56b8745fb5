"""`search run` finds the installed store exactly as `add` and `terminology show` do (#19).

A codelist made with `codelist new -t cprd_medcode` says `terminology: CPRD medcode`;
every command must turn that name into the store's coding system the same way.
"""

import json

import pytest

from codelists.cli.main import main

STATA = 'gen asthma = 1 if regexm(desc, "[Aa]sthma")\n'


@pytest.mark.parametrize("system,release,code", [
    ("cprd_medcode", "cprd-gold-synthetic/medical.txt", "78"),
    ("cprd_aurum_medcodeid", "cprd-aurum-synthetic/CPRDAurumMedical.txt", None),
])
def test_search_run_add_and_show_find_the_same_store(tmp_path, monkeypatch, capsys,
                                                      test_data, system, release, code):
    monkeypatch.chdir(tmp_path)
    assert main(["new", "x.codelist", "-t", system, "--title", "Asthma"]) == 0
    assert main(["terminology", "import", str(test_data / release)]) == 0
    (tmp_path / "asthma.do").write_text(STATA, encoding="utf-8")
    assert main(["search", "import-stata", "x.codelist", "asthma.do"]) == 0
    capsys.readouterr()
    assert main(["search", "run", "x.codelist", "--dry-run", "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert found["candidates"], "the search found nothing in the installed store"
    first = found["candidates"][0]["code"]
    if code:
        assert code in {c["code"] for c in found["candidates"]}
    assert main(["add", "x.codelist", first]) == 0
    assert main(["terminology", "show", first, "--terminology", "CPRD medcode"
                 if system == "cprd_medcode" else system]) == 0
