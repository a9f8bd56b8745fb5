"""Reading big codelists: collection is paused while lines are built, then restored."""

from __future__ import annotations

import gc

from codelists.codelist.fileformat import dumps, parse, paused_collection


def test_paused_collection_restores_the_collector():
    assert gc.isenabled()
    with paused_collection():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with paused_collection():
            assert not gc.isenabled()
        assert not gc.isenabled()  # it was off: left off
    finally:
        gc.enable()
    try:
        with paused_collection():
            raise KeyError("boom")
    except KeyError:
        pass
    assert gc.isenabled()


def test_a_big_file_reads_and_writes_back_unchanged(make_codelist):
    body = "".join(f"{100000 + i * 7}  Term {i}  # n={i}\n" if i % 3 else
                   f"{100000 + i * 7}      Term {i}\n" for i in range(6_000))
    text = dumps(make_codelist(body))
    cl = parse(text)
    assert len(cl.active_codes()) == 6_000 and gc.isenabled()
    assert cl.line_for("100007").tags == {"n": "1"}
    assert dumps(cl) == text
