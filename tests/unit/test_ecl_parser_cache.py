"""The compiled ECL parser is cached by the grammar's content: the cached parser is the
grammar's parser, and any change to the grammar (or to lark) misses the cache."""

import subprocess
import sys

import lark
import pytest

from codelists.ecl import grammar_parser as ecl_parser

EXPRESSIONS = [
    "<< 404684003 |Clinical finding|",
    "(<< 404684003 OR << 71388002) AND ^ 10000001007",
    "< 404684003 : [1..2] { 363698007 = << 123037004, 116676008 = * }",
    '< 404684003 {{ term = "chronic", language = en }}',
    "^ [referencedComponentId, mapTarget] 447562003 {{ M mapTarget = \"J45\" }}",
    "<< 404684003 MINUS << 10000006002 {{ + HISTORY-MIN }}",
]


def _grammar() -> str:
    return ecl_parser.GRAMMAR.read_text(encoding="utf-8")


def _trees(parser) -> list:
    return [parser.parse(text) for text in EXPRESSIONS]


def test_the_cached_parser_is_the_grammars_parser(tmp_path):
    grammar = _grammar()
    compiled = ecl_parser.build(grammar, tmp_path)  # compiles and writes the cache
    path = ecl_parser.cache_file(grammar, tmp_path)
    assert path.is_file()
    loaded = ecl_parser.build(grammar, tmp_path)  # loads it
    fresh = lark.Lark(grammar, **ecl_parser.LARK_OPTIONS)
    assert _trees(loaded) == _trees(fresh) == _trees(compiled)


def test_the_parser_in_use_is_built_from_the_current_grammar(tmp_path):
    """What ``parse`` uses (whatever the cache holds) parses as the grammar file says."""
    fresh = lark.Lark(_grammar(), **ecl_parser.LARK_OPTIONS)
    assert _trees(ecl_parser._lark()) == _trees(fresh)


def test_a_changed_grammar_misses_the_cache(tmp_path):
    grammar = _grammar()
    ecl_parser.build(grammar, tmp_path)
    changed = grammar + "\n// a comment changes the text\n"
    assert ecl_parser.cache_file(changed, tmp_path) != ecl_parser.cache_file(grammar, tmp_path)
    # a grammar that no longer accepts MINUS: the cached parser must not be reused
    narrower = grammar.replace("EXCLUSION.2: /minus(", "EXCLUSION.2: /without(")
    assert narrower != grammar, "grammar.lark changed: update this test's replacement"
    parser = ecl_parser.build(narrower, tmp_path)
    with pytest.raises(lark.exceptions.UnexpectedInput):
        parser.parse("<< 404684003 MINUS << 10000006002")
    assert parser.parse("<< 404684003 WITHOUT << 10000006002")


def test_a_damaged_cache_file_is_compiled_again(tmp_path):
    grammar = _grammar()
    path = ecl_parser.cache_file(grammar, tmp_path)
    path.write_bytes(b"not a parser")
    parser = ecl_parser.build(grammar, tmp_path)
    assert parser.parse(EXPRESSIONS[0])
    assert path.read_bytes() != b"not a parser"


def test_an_unwritable_cache_folder_still_parses(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("a file where the folder should be")
    parser = ecl_parser.build(_grammar(), blocked / "ecl")
    assert parser.parse(EXPRESSIONS[1])


def test_the_cache_follows_codelists_cache_dir(tmp_path):
    code = ("from codelists.ecl import parse; parse('<< 404684003 {{ term = \"heart\" }}'); "
            "from codelists.ecl.grammar_parser import cache_file, GRAMMAR; "
            "print(cache_file(GRAMMAR.read_text(encoding='utf-8')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={"CODELISTS_CACHE_DIR": str(tmp_path), "PATH": ""})
    path = out.stdout.strip()
    assert path.startswith(str(tmp_path / "ecl"))
    assert (tmp_path / "ecl").is_dir() and any((tmp_path / "ecl").iterdir())
