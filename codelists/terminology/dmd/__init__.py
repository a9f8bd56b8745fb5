"""dmd: importer; read through codesystem."""

SYSTEM = "dmd"
