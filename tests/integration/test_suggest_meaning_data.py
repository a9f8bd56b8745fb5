"""The meaning source (the real model over real store vectors) and the data source (real
DuckDB over an events file written here)."""

from __future__ import annotations

import csv

import pytest

from codelists.codelist.fileformat import parse
from codelists.errors import UserError
from codelists.method.suggest import suggest
from codelists.method.suggest.encoder import Encoder, words
from codelists.terminology.registry import open_terminology
from codelists.terminology.vectors import load_vectors
from tests.integration.test_suggest import header


def test_encoder_puts_related_words_closer_than_unrelated(meaning_encoder: Encoder):
    v = meaning_encoder.encode_words(["heart attack", "myocardial infarction", "banana"])
    assert v[0] @ v[1] > 0.5 > v[0] @ v[2] + 0.2
    assert abs(float(v[0] @ v[0]) - 1.0) < 1e-5


def test_gelu_in_place_is_the_tanh_formula():
    import numpy as np

    from codelists.method.suggest.encoder import _gelu

    h = np.random.default_rng(0).standard_normal((64, 1536)).astype(np.float32) * 4
    x = h.astype(np.float64)
    exact = 0.5 * x * (1 + np.tanh(0.7978845608 * (x + 0.044715 * x**3)))
    before = h.copy()
    out = _gelu(h)
    assert out.dtype == np.float32 and np.array_equal(h, before)  # the input is kept
    assert np.abs(out - exact).max() < 1e-5


def test_an_abbreviation_reading_is_a_meaning_query():
    from codelists.method.suggest.acronyms import Expansion
    from codelists.method.suggest.meaning import WEIGHTS, queries

    codelist = parse(header("icd10", title="CKD"))
    expanded = {"ckd": [Expansion("ckd", "chronic kidney disease", 7, 1.0),
                        Expansion("ckd", "cystic kidney disease", 4, 0.5)]}
    asked = queries(codelist, {}, expanded)
    assert ("'ckd' read as 'chronic kidney disease'", "chronic kidney disease",
            WEIGHTS["definition"]) in asked
    assert ("'ckd' read as 'cystic kidney disease'", "cystic kidney disease",
            WEIGHTS["definition"] * 0.5) in asked


def test_words_are_lower_case_runs_of_letters_and_digits():
    assert words("Type 2 diabetes-mellitus (E11)") == ["type", "2", "diabetes", "mellitus",
                                                       "e11"]


def test_vectors_cover_every_active_description(snomed_small_store, snomed_small_vectors):
    vectors = load_vectors(snomed_small_vectors, store=snomed_small_store)
    terminology = open_terminology(snomed_small_store)
    try:
        descriptions = list(terminology.iter_descriptions())
    finally:
        terminology.close()
    assert vectors.vectors.shape == (len(descriptions), 128)
    assert {vectors.codes[i] for i in vectors.rows} == {d[0] for d in descriptions}
    assert "arthritis" in vectors.vocab and vectors.meta["model"] == Encoder.model_id


def test_vectors_of_another_release_are_refused(snomed_small_vectors, who_icd10_store):
    with pytest.raises(UserError, match="another release"):
        load_vectors(snomed_small_vectors, store=who_icd10_store)
    with pytest.raises(UserError, match="no meaning vectors"):
        load_vectors(snomed_small_vectors.parent / "missing")


def test_meaning_ranks_the_related_disorder_first(snomed_small_store, snomed_small_vectors,
                                                  meaning_encoder):
    terminology = open_terminology(snomed_small_store)
    vectors = load_vectors(snomed_small_vectors, store=snomed_small_store)
    codelist = parse(header("snomedct", "Arthritis") + "69896004  Rheumatoid arthritis\n")
    try:
        found = suggest(codelist, terminology, sources=["meaning"], vectors=vectors,
                        encoder=meaning_encoder, limit=5)
    finally:
        terminology.close()
    assert found[0].code in {"3723001", "439656005"}  # Arthritis / Arthritis of elbow
    assert found[0].kinds == ["meaning"]
    assert "close in meaning to" in found[0].reason()
    assert "69896004" not in {s.code for s in found}


def test_meaning_without_vectors_says_how_to_build_them(snomed_small_store):
    from codelists.errors import UsageError

    terminology = open_terminology(snomed_small_store)
    try:
        with pytest.raises(UsageError, match="vectors"):
            suggest(parse(header("snomedct")), terminology, sources=["meaning"])
    finally:
        terminology.close()


def _events(path, rows):
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["patient", "code", "date"])
        writer.writerows(rows)
    return path


def test_cooccurrence_lift_minimum_count_and_disclosure(tmp_path):
    from codelists.frequency.cooccurrence import cooccurring

    rows = []
    for p in range(40):  # 40 patients: asthma (listed) and wheeze on the same day
        rows += [(p, "195967001", "2020-01-01"), (p, "56018004", "2020-01-01")]
    for p in range(40, 400):  # 360 others: paracetamol, some of them also with asthma
        rows.append((p, "322236009", "2020-02-01"))
    for p in range(40, 46):  # 6 patients: arthritis next to asthma (below the threshold)
        rows += [(p, "195967001", "2020-03-01"), (p, "3723001", "2020-03-01")]
    for p in range(100, 120):  # 20: paracetamol on the same day as asthma, lift ~1
        rows.append((p, "195967001", "2020-02-01"))
    found = cooccurring(["195967001"], _events(tmp_path / "events.csv", rows),
                        system="snomedct", threshold=10)
    codes = {c.code: c for c in found}
    assert set(codes) == {"56018004"}  # arthritis: 6 < 10; paracetamol: lift < 2
    assert codes["56018004"].near == 40 and codes["56018004"].lift > 5
    window = cooccurring(["195967001"], _events(tmp_path / "e2.csv", [
        *[(p, "195967001", "2020-01-01") for p in range(12)],
        *[(p, "56018004", "2020-01-20") for p in range(12)],
        *[(p, "322236009", "2020-01-01") for p in range(12, 200)]]),
        system="snomedct", window_days=30)
    assert [c.code for c in window] == ["56018004"]


def test_data_source_proposes_codes_of_the_store(snomed_small_store, tmp_path):
    from codelists.frequency.cooccurrence import cooccurring

    rows = [(p, c, "2021-05-05") for p in range(30) for c in ("195967001", "3723001")]
    rows += [(p, "322236009", "2021-05-05") for p in range(30, 300)]
    rows += [(p, "99999999", "2021-05-05") for p in range(30)]  # not in the store
    co = cooccurring(["195967001"], _events(tmp_path / "ev.csv", rows), system="snomedct")
    terminology = open_terminology(snomed_small_store)
    try:
        found = suggest(parse(header("snomedct") + "195967001\n"), terminology,
                        sources=["data"], cooccurrence=co, limit=None)
    finally:
        terminology.close()
    assert [s.code for s in found] == ["3723001"]
    assert "on the same day as a listed code for ~30 patients" in found[0].reason()


def test_a_rebuild_reuses_the_words_an_earlier_build_ran(snomed_small_store,
                                                         snomed_small_vectors,
                                                         meaning_encoder, tmp_path):
    import numpy as np

    from codelists.terminology.vectors import build_vectors

    asked: list[list[str]] = []

    class Counting:
        model_id, dim, words = meaning_encoder.model_id, meaning_encoder.dim, \
            staticmethod(meaning_encoder.words)

        def encode_words(self, items, **options):
            asked.append(list(items))
            return meaning_encoder.encode_words(items, **options)

    again = build_vectors(snomed_small_store, Counting(), destination=tmp_path / "again",
                          reuse=snomed_small_vectors)
    assert asked == []  # every word came from the earlier build
    old = load_vectors(snomed_small_vectors, store=snomed_small_store)
    new = load_vectors(again, store=snomed_small_store)
    assert np.allclose(np.asarray(old.vectors, np.float32), np.asarray(new.vectors, np.float32),
                       atol=2e-2)


def test_hierarchy_adds_what_is_below_a_strong_suggestion(snomed_small_store,
                                                         snomed_small_vectors, meaning_encoder):
    terminology = open_terminology(snomed_small_store)
    vectors = load_vectors(snomed_small_vectors, store=snomed_small_store)
    codelist = parse(header("snomedct", "Arthritis") + "195967001  Asthma\n")
    codelist.method = {"definition": {"feature": "Arthritis"}}
    try:
        found = suggest(codelist, terminology, sources=["hierarchy", "meaning"],
                        vectors=vectors, encoder=meaning_encoder, limit=None)
        by_code = {s.code: s for s in found}
        below = [(s, e) for s in found for e in s.evidence if e.reason == "below-suggested"]
        assert below, "Arthritis is suggested by meaning; what is below it follows"
        for suggestion, evidence in below:
            parent = evidence.text.split()[1]
            assert "meaning" in by_code[parent].kinds
            assert suggestion.code in terminology.descendants(parent)
    finally:
        terminology.close()


def test_spread_batches_give_the_same_vectors_as_length_order(meaning_encoder, monkeypatch):
    """Batches run short and long mixed (for an honest progress estimate); every word's
    vector is exactly what the length-ordered run gives."""
    import numpy as np

    from codelists.method.suggest import encoder as module

    items = ["mi", "myocardial", "infarction", "pneumonoultramicroscopic", "asthma",
             "thrombophlebitis", "copd", "haemorrhage", "kidney", "a", "tia", "oesophagitis"]
    mixed = meaning_encoder.encode_words(items, batch=3)
    assert module.spread(list(range(4))) != list(range(4))  # the order does change
    monkeypatch.setattr(module, "spread", lambda batches: batches)
    ordered = meaning_encoder.encode_words(items, batch=3)
    assert np.array_equal(mixed, ordered)


def test_vector_build_reports_every_stage_to_its_end(snomed_small_store, meaning_encoder,
                                                    tmp_path):
    """The progress a build reports: reading, the model pass, the projection, the
    descriptions, in that order, each from 0 to its total; words counted as they finish."""
    from codelists.terminology.vectors import build_vectors

    events: list[tuple[str, int, int]] = []
    folder = build_vectors(snomed_small_store, meaning_encoder, destination=tmp_path / "v",
                           progress=lambda stage, done, total: events.append(
                               (stage, done, total)))
    meta = load_vectors(folder).meta
    stages = list(dict.fromkeys(stage for stage, _, _ in events))
    assert stages == ["reading descriptions", "words", "projecting", "descriptions"]
    last = {stage: (done, total) for stage, done, total in events}
    assert last["reading descriptions"] == (meta["descriptions"], meta["descriptions"])
    assert last["words"] == (meta["words"], meta["words"])
    assert last["descriptions"] == (meta["descriptions"], meta["descriptions"])
    for stage in stages:
        done = [d for s, d, _ in events if s == stage]
        assert done[0] == 0 and done == sorted(done)


def test_built_vectors_are_as_readable_as_the_umask_allows(snomed_small_vectors):
    import os
    import stat

    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(os.stat(snomed_small_vectors).st_mode) == 0o777 & ~mask
