"""Delphi review in the browser (issue 9)."""
