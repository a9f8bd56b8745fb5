"""Frequency checks: how often a list's codes are used, in patient data or nationally.

Public API (imported lazily, so ``import codelists.frequency`` does not load Ibis):

* :func:`frequency_check` — the check with disclosure control applied (safe to write);
* :func:`run_check` — the raw counts (inside a secure environment only);
* :func:`record_in_codelist` — write a protected result into ``method: frequency:``;
* :class:`CodeSet`, :class:`ColumnMap`, :class:`Window`, :func:`column_map` — inputs;
* :func:`connect` — a DuckDB or Spark engine;
* :func:`protect` — disclosure control; :func:`write_all` — CSV/JSON/Markdown/charts;
* :func:`load_counts`, :func:`check_published` — published national usage.

Semantics: docs/reference/frequency-method.md.  Only this package touches DuckDB/Spark.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "frequency_check": "check", "run_check": "check", "record_in_codelist": "check",
    "CodeSet": "inputs", "ColumnMap": "inputs", "Window": "inputs", "column_map": "inputs",
    "connect": "engines", "protect": "disclosure", "write_all": "outputs",
    "FrequencyResult": "results", "load_counts": "published",
    "check_published": "published", "PublishedCheck": "published",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'codelists.frequency' has no attribute {name!r}")
    return getattr(importlib.import_module(f"codelists.frequency.{module}"), name)
