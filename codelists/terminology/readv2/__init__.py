"""Read Codes version 2: importer; read through codesystem."""

SYSTEM = "readv2"
