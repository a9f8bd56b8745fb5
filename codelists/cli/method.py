"""`codelist` commands of this group (filled in by its issue)."""

from __future__ import annotations


def register(subparsers) -> None:
    """Add this group's commands to the `codelist` parser."""
