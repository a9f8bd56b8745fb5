"""codelists: clinical codelists from terminology to publication.

The public API, re-exported here and loaded lazily (``import codelists`` stays cheap, so
the command line starts fast).  See docs/reference/api.md.

    import codelists
    cl = codelists.load("asthma.codelist")
    with codelists.open_terminology(codelists.locate_store(terminology="snomedct")) as t:
        problems = codelists.validate(cl, t)
"""

from __future__ import annotations

#: public name -> module it lives in
_EXPORTS = {
    # errors
    "CodelistsError": "codelists.errors",
    "UserError": "codelists.errors",
    "Problem": "codelists.errors",
    "NotSupportedError": "codelists.errors",
    # terminologies
    "open_terminology": "codelists.terminology.registry",
    "locate_store": "codelists.terminology.locate",
    "list_stores": "codelists.terminology.locate",
    "Store": "codelists.terminology.store",
    "normalise_code": "codelists.terminology.normalise",
    "detect_system": "codelists.terminology.normalise",
    # ECL
    "ecl_parse": ("codelists.ecl", "parse"),
    "ecl_render": ("codelists.ecl", "render"),
    "ecl_evaluate": ("codelists.ecl", "evaluate"),
    "ecl_explain": ("codelists.ecl", "explain"),
    # the .codelist format
    "Codelist": "codelists.codelist.model",
    "Line": "codelists.codelist.model",
    "parse": "codelists.codelist.fileformat",
    "load": "codelists.codelist.fileformat",
    "dumps": "codelists.codelist.fileformat",
    "save": "codelists.codelist.fileformat",
    "validate": "codelists.codelist.validate",
    "lint": "codelists.codelist.lint",
    "diff": "codelists.codelist.diff",
    "resolve": "codelists.codelist.compose",
    "effective_codes": "codelists.codelist.compose",
    "import_file": "codelists.formats",
    "export": "codelists.formats",
    # the method
    "assess_badge": ("codelists.method.badge", "assess"),
    "write_report": "codelists.method.report",
    "consensus": "codelists.method.delphi",
    "agreement": "codelists.method.agreement",
    # frequency checks
    "frequency_check": "codelists.frequency",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    target = _EXPORTS.get(name)
    if target is None:
        raise AttributeError(f"module 'codelists' has no attribute {name!r}")
    module, attribute = target if isinstance(target, tuple) else (target, name)
    import importlib

    value = getattr(importlib.import_module(module), attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
