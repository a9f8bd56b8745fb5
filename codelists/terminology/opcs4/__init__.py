"""OPCS-4: importer; read through codesystem."""

SYSTEM = "opcs4"
