"""SNOMED CT Expression Constraint Language 2.2 (brief syntax).

``parse(text)`` gives an immutable tree (:mod:`codelists.ecl.ast`), ``render(tree)`` its
canonical text, ``evaluate(expression, store)`` the matching ids (compiled to SQL over the
store), ``explain`` the plan with counts, and ``evaluate_reference`` the in-memory oracle.
"""

from codelists.ecl.evaluate import PlanStep, check, evaluate, explain
from codelists.ecl.parser import parse
from codelists.ecl.render import render
from codelists.ecl.semantics import ECLResult

#: the reference evaluator and its substrate load on first use (the command line and the
#: SQL evaluator never need them)
_LAZY = {"evaluate_reference": "codelists.ecl.reference", "Substrate": "codelists.ecl.substrate"}


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module 'codelists.ecl' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value


__all__ = ["ECLResult", "PlanStep", "Substrate", "check", "evaluate", "evaluate_reference",
           "explain", "parse", "render"]
