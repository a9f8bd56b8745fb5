"""FHIR errors: every failure is an OperationOutcome with the HTTP status that says what
went wrong (400 bad parameters, 404 unknown code system, value set or code, 422 a request
the server understood but cannot process, 429 over the rate limit)."""

from __future__ import annotations


class FhirError(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status = status
        self.code = code  # an IssueType: invalid, not-found, not-supported, too-costly, ...
        self.message = message


def invalid(message: str) -> FhirError:
    return FhirError(400, "invalid", message)


def not_found(message: str) -> FhirError:
    return FhirError(404, "not-found", message)


def not_supported(message: str) -> FhirError:
    return FhirError(422, "not-supported", message)


def operation_outcome(code: str, message: str, severity: str = "error") -> dict:
    return {"resourceType": "OperationOutcome",
            "issue": [{"severity": severity, "code": code,
                       "details": {"text": message}, "diagnostics": message}]}
