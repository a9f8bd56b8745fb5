"""bnf: importer; read through codesystem."""

SYSTEM = "bnf"
