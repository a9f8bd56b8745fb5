"""Parse ECL 2.2 brief syntax into the tree of :mod:`codelists.ecl.ast`.

Two readers give one answer.  The simplest shapes (one concept or ``*`` with an optional
constraint operator and ``^``: what most commands are given) are read by hand
(:mod:`codelists.ecl.simple`); everything else, and every error, by the grammar
(:mod:`codelists.ecl.grammar_parser`, imported only then: lark costs a fresh process
~40 ms).  Parsing is cached: the same text gives the same (immutable) tree.
"""

from __future__ import annotations

import functools

from codelists.ecl import ast
from codelists.ecl.simple import parse_simple


@functools.lru_cache(maxsize=1024)
def parse(text: str) -> ast.Expression:
    """Parse an ECL expression; raises ECLSyntaxError with line, column and expectations."""
    tree = parse_simple(text)
    if tree is None:
        from codelists.ecl.grammar_parser import parse_grammar

        tree = parse_grammar(text)
    return tree
