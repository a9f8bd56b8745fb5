"""Post-processing of the OpenAPI schema (drf-spectacular ``POSTPROCESSING_HOOKS``).

Every string query parameter is documented as holding no NUL character: the site refuses
such values with 400 (webapp.inputs), because no database can store them, so the schema
says so instead of calling them valid.
"""

from __future__ import annotations

NO_NUL = "^[^\\x00]*$"


def no_nul_in_query_strings(result, generator, request, public):
    for path in result.get("paths", {}).values():
        for operation in path.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                if parameter.get("in") == "query" and schema.get("type") == "string" \
                        and "pattern" not in schema and "enum" not in schema:
                    schema["pattern"] = NO_NUL
    return result


