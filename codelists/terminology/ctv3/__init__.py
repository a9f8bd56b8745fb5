"""CTV3 (Read Codes version 3): importer; read through codesystem."""

SYSTEM = "ctv3"
