"""OPCS-4 (synthetic release) and code dictionaries: CPRD GOLD/Aurum and any code table."""

from __future__ import annotations

import pytest

from codelists.errors import ImportFailedError
from codelists.terminology.crossmap import map_code
from codelists.terminology.dictionary.importer import import_release as import_dictionary
from codelists.terminology.opcs4.importer import import_release as import_opcs4
from codelists.terminology.registry import detect_system, importer_for, open_terminology


def test_opcs4_release(test_data, tmp_path):
    with open_terminology(import_opcs4(test_data / "opcs4-synthetic", tmp_path / "o.db")) as t:
        assert t.metadata.edition == "OPCS-4.10"
        assert t.ancestors("K401") == ["K", "K40"]
        assert t.lookup("K").term == "Heart"
        assert t.children("K40") == ["K40.1", "K40.2", "K40.3", "K40.4", "K40.8", "K40.9"]
        assert t.search("hip cement")[0].code == "W37"
        assert [h.code for h in t.search_regex(r"^Primary", within="W")] == ["W37.1"]


def test_opcs4_bad_code_names_the_line(tmp_path):
    table = tmp_path / "OPCS410 CodesAndTitles.txt"
    table.write_text("K40\tSaphenous vein graft\nK40.12\tToo long\n")
    with pytest.raises(ImportFailedError) as info:
        import_opcs4(table, tmp_path / "o.db")
    assert info.value.line == 2


@pytest.mark.parametrize(("name", "system"), [
    ("cprd-gold-synthetic/medical.txt", "cprd_medcode"),
    ("cprd-gold-synthetic/product.txt", "cprd_prodcode"),
    ("cprd-aurum-synthetic/CPRDAurumMedical.txt", "cprd_aurum_medcodeid"),
    ("cprd-aurum-synthetic/CPRDAurumProduct.txt", "cprd_prodcode"),
])
def test_cprd_dictionaries_are_detected(test_data, name, system):
    assert detect_system(test_data / name) == system


def test_gold_medical_dictionary(test_data, tmp_path):
    path = importer_for("cprd_medcode")(test_data / "cprd-gold-synthetic/medical.txt",
                                        tmp_path / "m.db")
    with open_terminology(path) as t:
        assert t.system == "cprd_medcode"
        assert t.metadata.edition == "CPRD GOLD medical dictionary"
        assert t.lookup("78.0").term == "Asthma"  # a float medcode from a spreadsheet
        assert t.parents("78") == [] and t.descendants("78") == []  # no hierarchy
        assert [h.code for h in t.search("bronchial asthma")] == ["1555"]
        assert [m.target_code for m in map_code(t, "1555", "readv2")] == ["H33..11"]
        attributes = {a["type"]: a["value"] for a in t.show("78").attributes}
        assert attributes["clinicalevents"] == "1000"
        # the paper searched medical.txt with regular expressions
        hits = t.search_regex(r"\basthma", limit=None)
        assert len(hits) == 8 and "19" not in {h.code for h in hits}


def test_gold_product_and_aurum_medical(test_data, tmp_path):
    product = importer_for("cprd_prodcode")(test_data / "cprd-gold-synthetic/product.txt",
                                            tmp_path / "p.db")
    with open_terminology(product) as t:
        assert [m.target_code for m in map_code(t, "1234", "dmd")] == ["39113611000001102"]
        assert map_code(t, "5678", "dmd") == []  # dmdcode 0 is no map
        assert [h.code for h in t.search("salbutamol sulfate")] == ["1234", "5678"]
    aurum = importer_for("cprd_aurum_medcodeid")(
        test_data / "cprd-aurum-synthetic/CPRDAurumMedical.txt", tmp_path / "a.db")
    with open_terminology(aurum) as t:
        assert [m.target_code for m in map_code(t, "7590681000006117", "snomedct")] == [
            "31387002"]
        assert [m.target_code for m in map_code(t, "1483561000006112", "readv2")] == [
            "H33..00"]
    aurum_products = importer_for("cprd_prodcode")(
        test_data / "cprd-aurum-synthetic/CPRDAurumProduct.txt", tmp_path / "ap.db")
    with open_terminology(aurum_products) as t:
        assert t.metadata.edition == "CPRD Aurum product dictionary"
        assert [m.target_code for m in map_code(t, "1234561000033116", "dmd")] == [
            "222311000001102"]
        assert t.search("ventolin evohaler")[0].code == "1234561000033116"


def test_any_delimited_table_through_a_column_mapping(tmp_path):
    table = tmp_path / "local_codes.csv"
    table.write_text("LocalCode,Label,Alt label,SNOMED\n"
                     "ABC1,Asthma review,Asthma annual review,195967001\n"
                     "ABC2,Spirometry,,127783003\n", encoding="utf-8")
    path = import_dictionary(table, tmp_path / "d.db", code_column="LocalCode",
                             term_column="Label", synonym_columns=("alt label",),
                             map_columns={"snomed": "snomedct"})
    with open_terminology(path) as t:
        assert t.system == "dictionary"
        assert t.search("annual review")[0].code == "ABC1"
        assert [m.target_code for m in map_code(t, "ABC2", "snomedct")] == ["127783003"]
    guessed = tmp_path / "guess.tsv"
    guessed.write_text("code\tdescription\nX1\tFirst thing\n")
    with open_terminology(import_dictionary(guessed, tmp_path / "g.db")) as t:
        assert t.lookup("X1").term == "First thing"


def test_column_mapping_errors(tmp_path):
    table = tmp_path / "t.csv"
    table.write_text("a,b\n1,2\n")
    with pytest.raises(ImportFailedError, match="cannot tell the code and term columns"):
        import_dictionary(table, tmp_path / "d.db")
    with pytest.raises(ImportFailedError, match="no column 'code'"):
        import_dictionary(table, tmp_path / "d.db", code_column="code", term_column="b")
    bad = tmp_path / "medical.txt"
    bad.write_text("medcode\treadcode\treadterm\n12x\tH33..00\tAsthma\n")
    with pytest.raises(ImportFailedError) as info:
        import_dictionary(bad, tmp_path / "d.db")
    assert info.value.line == 2
    assert not (tmp_path / "d.db").exists()


def test_column_mapping_beside_the_table_serves_the_cli(tmp_path, capsys):
    from codelists.cli.main import main

    table = tmp_path / "practice_codes.txt"
    table.write_text("Ref|Wording|Read\nP1|Asthma clinic|H33..\nP2|Inhaler check|663..\n")
    (tmp_path / "practice_codes.txt.columns.toml").write_text(
        'code = "Ref"\nterm = "Wording"\n[maps]\nRead = "readv2"\n')
    db = tmp_path / "p.db"
    assert main(["terminology", "import", str(table), "--system", "dictionary",
                 "--db", str(db), "--quiet"]) == 0
    capsys.readouterr()
    assert main(["terminology", "search", "inhaler", "--db", str(db)]) == 0
    assert "P2" in capsys.readouterr().out
    assert main(["terminology", "map", "P1", "--to", "readv2", "--db", str(db)]) == 0
    assert "P1 -> H33.." in capsys.readouterr().out
