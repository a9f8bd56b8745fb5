"""SNOMED CT: RF2 import, store and queries."""

from codelists.terminology.store import register_schema

SYSTEM = "snomedct"
SCHEMA_VERSION = 3
register_schema(SYSTEM, SCHEMA_VERSION)
