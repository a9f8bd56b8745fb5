"""The command line starts fast: --help imports no command module and no heavy library, and
the command manifest in codelists.cli.main agrees with what each group module registers."""

import argparse
import importlib
import subprocess
import sys

from codelists.cli.main import COMMANDS, build_parser, main

HEAVY = ("lark", "duckdb", "pandas", "django", "matplotlib", "ibis", "numpy", "rich",
         "openpyxl", "pyspark")


def _loaded_after(argv: list[str]) -> set[str]:
    code = ("import sys\nfrom codelists.cli.main import main\n"
            f"code = main({argv!r})\n"
            "print(' '.join(sorted(sys.modules)), file=sys.stderr)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    return set(out.stderr.split())


def test_help_imports_no_heavy_module_and_no_command_group():
    loaded = _loaded_after(["--help"])
    assert not {m for m in loaded if m.split(".")[0] in HEAVY}
    assert not {m for m in loaded if m.startswith("codelists.") and m not in (
        "codelists.cli", "codelists.cli.main")}


def test_a_command_imports_only_its_own_group():
    loaded = _loaded_after(["ecl", "--help"])
    assert "codelists.cli.ecl" in loaded
    others = {f"codelists.cli.{m}" for m, _ in COMMANDS.values()} - {"codelists.cli.ecl"}
    assert not others & loaded


def test_the_manifest_matches_what_the_modules_register():
    for module in dict.fromkeys(m for m, _ in COMMANDS.values()):
        parser = argparse.ArgumentParser()
        sub = parser.add_subparsers()
        importlib.import_module(f"codelists.cli.{module}").register(sub)
        registered = {a.dest: a.help for a in sub._choices_actions}
        listed = {name: help_ for name, (m, help_) in COMMANDS.items() if m == module}
        assert registered == listed, f"COMMANDS in codelists/cli/main.py is stale for {module}"


def test_the_quick_help_is_the_full_help():
    assert build_parser(full=False).format_help() == build_parser(full=True).format_help()


def test_version_and_unknown_command(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("codelist ")
    assert main(["no-such-command"]) == 2
    assert "invalid choice" in capsys.readouterr().err


#: what `codelist ecl expand SIMPLE --db STORE` must not import: each costs a fresh process
#: milliseconds (benchmarks/README.md, "From the command line")
NOT_AT_START = {"platformdirs", "codelists.ecl.reference", "codelists.ecl.substrate", "numpy",
                "rich", "codelists.cli.terminology", "tomllib", "lark", "dataclasses",
                "typing", "inspect", "hashlib", "codelists.ecl.grammar_parser", "argparse",
                "re", "json", "pathlib", "csv"}


def test_ecl_expand_loads_only_what_it_uses(snomed_small_store):
    """With --db, no data-directory lookup (platformdirs), no reference evaluator, no
    numpy for a plain query; for a simple shape no grammar (lark), no argparse (a plain
    command line), no dataclasses, pathlib, json or re."""
    loaded = _loaded_after(["ecl", "expand", "<< 404684003 |Clinical finding|", "--db",
                            str(snomed_small_store)])
    assert "codelists.cli.ecl" in loaded and "codelists.ecl.simple" in loaded
    assert not NOT_AT_START & loaded, NOT_AT_START & loaded


def test_ecl_expand_of_compounds_and_refinements_loads_no_more(snomed_small_store):
    for expression in ("(<< 404684003 OR << 64572001) AND ^ 1002007",
                       "<< 404684003 MINUS << 64572001",
                       "< 404684003 : 363698007 = << 123037004"):
        loaded = _loaded_after(["ecl", "expand", expression, "--db", str(snomed_small_store)])
        assert not NOT_AT_START & loaded, (expression, NOT_AT_START & loaded)


def test_ecl_expand_of_other_shapes_loads_the_grammar(snomed_small_store):
    loaded = _loaded_after(["ecl", "expand", '< 404684003 {{ term = "heart" }}', "--db",
                            str(snomed_small_store)])
    assert "lark" in loaded and "codelists.ecl.grammar_parser" in loaded
    assert not {"platformdirs", "codelists.ecl.reference", "numpy", "rich"} & loaded


def test_a_store_named_by_codelists_db_is_found_without_pathlib(snomed_small_store,
                                                                 monkeypatch):
    monkeypatch.setenv("CODELISTS_DB", str(snomed_small_store))
    loaded = _loaded_after(["ecl", "expand", "<< 404684003"])
    assert "codelists.terminology.locate" in loaded
    assert not NOT_AT_START & loaded, NOT_AT_START & loaded

