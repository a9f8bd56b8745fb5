"""ICD-10 (WHO ClaML; NHS UK 5th edition): importer; read through codesystem."""

SYSTEM = "icd10"
