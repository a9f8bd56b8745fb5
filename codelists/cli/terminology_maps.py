"""`codelist terminology map` (cross-maps between coding systems); registered by cli/terminology.py."""

from __future__ import annotations


def register(terminology_subparsers) -> None:
    """Add the map command to the `codelist terminology` group."""
