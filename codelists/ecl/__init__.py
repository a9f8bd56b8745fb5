"""SNOMED CT Expression Constraint Language 2.2 (brief syntax).

``parse(text)`` gives an immutable tree (:mod:`codelists.ecl.ast`), ``render(tree)`` its
canonical text, ``evaluate(expression, store)`` the matching ids (compiled to SQL over the
store), ``explain`` the plan with counts, and ``evaluate_reference`` the in-memory oracle.
"""

from codelists.ecl.evaluate import PlanStep, check, evaluate, explain
from codelists.ecl.parser import parse
from codelists.ecl.reference import evaluate_reference
from codelists.ecl.render import render
from codelists.ecl.semantics import ECLResult
from codelists.ecl.substrate import Substrate

__all__ = ["ECLResult", "PlanStep", "Substrate", "check", "evaluate", "evaluate_reference",
           "explain", "parse", "render"]
