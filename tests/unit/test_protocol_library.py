"""The library calls the protocol endpoints stand on: implicit value sets, SNOMED CT
edition URIs, subsumption, FHIR system URIs, installed stores, text-filtered expansions
and codelists.txt lines."""

from __future__ import annotations

import pytest

from codelists.errors import InputFileError, UnknownCodeError, UsageError


@pytest.mark.parametrize("url, ecl", [
    ("http://snomed.info/sct?fhir_vs", "<< 138875005"),
    ("http://snomed.info/sct?fhir_vs=isa/3723001", "<< 3723001"),
    ("http://snomed.info/sct/83821000000107?fhir_vs=refset", "< 900000000000455006"),
    ("http://snomed.info/sct?fhir_vs=refset/1002007", "^ 1002007"),
    ("http://snomed.info/sct?fhir_vs=ecl/%3C%3C%203723001%20MINUS%20439656005",
     "<< 3723001 MINUS 439656005"),
])
def test_implicit_value_sets(url, ecl):
    from codelists.ecl.implicit import to_ecl

    assert to_ecl(url) == ecl


@pytest.mark.parametrize("url", ["http://snomed.info/sct?fhir_vs=isa/abc",
                                 "http://snomed.info/sct?fhir_vs=colour/red",
                                 "http://snomed.info/sct", "http://loinc.org?fhir_vs"])
def test_implicit_value_sets_refuse_what_they_cannot_read(url):
    from codelists.ecl.implicit import to_ecl

    with pytest.raises(UsageError):
        to_ecl(url)


def test_snomed_edition_uris():
    from codelists.terminology.snomedct import uri

    assert uri.version_uri("uk-clinical-drug", "20250917") == \
        "http://snomed.info/sct/83821000000107/version/20250917"
    assert uri.version_uri("unknown", "20250917") == "http://snomed.info/sct"
    assert uri.answers("http://snomed.info/sct", "international", "20250101")
    assert uri.answers("http://snomed.info/sct/900000000000207008", "international", "x")
    assert not uri.answers("http://snomed.info/sct/83821000000107", "international", "x")
    assert not uri.answers("http://snomed.info/sct/900000000000207008/version/20240101",
                           "international", "20250101")
    with pytest.raises(ValueError):
        uri.parse("http://example.org/sct")


def test_fhir_system_uris_are_one_table():
    from codelists.codelist.systems import system_for_fhir_uri

    cases = {"http://snomed.info/sct/83821000000107/version/20250917": "snomedct",
             "http://hl7.org/fhir/sid/icd-10": "icd10",
             "http://hl7.org/fhir/sid/icd-10-uk": "icd10",
             "http://hl7.org/fhir/sid/icd-10-cm": "icd10cm",
             "https://fhir.nhs.uk/Id/opcs-4": "opcs4",
             "http://fhir.nhs.uk/CodeSystem/OPCS-4": "opcs4",
             "http://read.info/readv2": "readv2", "http://read.info/ctv3": "ctv3",
             "https://dmd.nhs.uk": "dmd"}
    assert {uri: system_for_fhir_uri(uri).id for uri in cases} == cases
    assert system_for_fhir_uri("http://example.org/codes") is None


def test_subsumption(snomed_small_store):
    from codelists.terminology.registry import open_terminology
    from codelists.terminology.subsumption import relation

    with open_terminology(snomed_small_store) as t:
        assert relation(t, "64572001", "439656005") == "subsumes"
        assert relation(t, "439656005", "928000") == "subsumed-by"  # a second parent line
        assert relation(t, "3723001", " 3723001 ") == "equivalent"
        assert relation(t, "195967001", "928000") == "not-subsumed"
        with pytest.raises(UnknownCodeError, match="999999999"):
            relation(t, "999999999", "3723001")


def test_filtered_expansion_pages(snomed_small_store):
    from codelists.ecl.expansion import expand
    from codelists.terminology.registry import open_terminology

    with open_terminology(snomed_small_store) as t:
        assert t.matching_ids("arthr elbow") == {439656005, 429554009}
        page = expand("<< 64572001", t, text_filter="arthr", offset=1, count=2)
        assert page.total == 4
        assert [code for code, _ in page.items] == ["69896004", "429554009"]
        us = expand("<< 373873005", t, dialect="en-US")
        assert dict(us.items)["322236009"] == "Acetaminophen 500 mg oral tablet"


def test_installed_stores_one_per_system(snomed_small_store, opcs4_store, tmp_path,
                                         monkeypatch):
    from codelists.terminology import installed

    folder = tmp_path / "stores"
    folder.mkdir()
    (folder / "opcs4.db").symlink_to(opcs4_store)
    (folder / "not-a-store.db").write_text("junk")
    monkeypatch.setenv("CODELISTS_DATA_DIR", str(folder))
    monkeypatch.setenv("CODELISTS_DB", str(snomed_small_store))
    found = installed.installed()
    assert {system: path for system, (path, _) in found.items()} == {
        "snomedct": snomed_small_store, "opcs4": folder / "opcs4.db"}
    first = installed.open_installed("opcs4")
    assert installed.open_installed("opcs4") is first  # kept per thread
    assert first.lookup("W37.1").term.startswith("Primary total prosthetic")
    assert installed.open_installed("icd10") is None


def test_codelists_txt_lines():
    from codelists.formats.study import parse_lines

    lines = parse_lines("# a comment\nopensafely/asthma/2020-04-15\n\n"
                        "user/ada/wheeze/v2/\n")
    assert [(x.id, x.filename, x.line) for x in lines] == [
        ("opensafely/asthma/2020-04-15", "opensafely-asthma.csv", 2),
        ("user/ada/wheeze/v2", "user-ada-wheeze.csv", 4)]
    with pytest.raises(InputFileError, match="conflicts with version v1 on line 1") as bad:
        parse_lines("opensafely/asthma/v1\nopensafely/asthma/v2\n", path="codelists.txt")
    assert bad.value.line == 2 and bad.value.path == "codelists.txt"
    with pytest.raises(InputFileError, match="is not owner/codelist/version"):
        parse_lines("opensafely/asthma\n")
    with pytest.raises(InputFileError):
        parse_lines("org/a/b/c\n")  # four parts must start with user/


def test_manifest_hash_splits_lines_as_opensafely_does():
    import hashlib

    from codelists.formats.study import content_sha

    data = "code,term\r\n1,a\u2028b\r\n".encode()
    assert content_sha(data) == hashlib.sha1(b"\n".join(data.splitlines())).hexdigest()
    assert content_sha(b"x\r\ny\n") == content_sha(b"x\ny")
