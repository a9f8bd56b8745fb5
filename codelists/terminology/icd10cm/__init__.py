"""ICD-10-CM (CDC tabular XML): importer; read through codesystem.CodeSystemTerminology."""

SYSTEM = "icd10cm"
