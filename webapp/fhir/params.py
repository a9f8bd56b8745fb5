"""Operation parameters from the query string (GET) or a Parameters resource (POST)."""

from __future__ import annotations

import json

from webapp.fhir.outcome import invalid

_VALUE_KEYS = ("valueCode", "valueUri", "valueString", "valueCanonical", "valueUrl",
               "valueInteger", "valueBoolean", "valueDateTime")


class Params:
    def __init__(self, values: dict[str, list]):
        self.values = values

    def get(self, name: str, default=None):
        found = self.values.get(name)
        return found[0] if found else default

    def all(self, name: str) -> list:
        return list(self.values.get(name, []))

    def integer(self, name: str, default: int | None = None, *, minimum: int = 0):
        value = self.get(name)
        if value in (None, ""):
            return default
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise invalid(f"{name} must be a whole number, not {value!r}") from None
        if number < minimum:
            raise invalid(f"{name} must be at least {minimum}")
        return number

    def flag(self, name: str) -> bool:
        return str(self.get(name, "")).lower() in ("true", "1", "yes")


def _from_parameters(body: bytes) -> dict[str, list]:
    from django.conf import settings

    from codelists.errors import LimitExceeded
    from codelists.formats.limits import check_json_depth

    try:
        text = (body or b"{}").decode("utf-8")
        check_json_depth(text, settings.CODELISTS_UPLOAD_LIMITS)
        resource = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise invalid(f"the request body is not JSON: {exc}") from None
    except LimitExceeded as exc:
        raise invalid(f"{exc.message} (limit: {exc.limit})") from None
    if not isinstance(resource, dict) or resource.get("resourceType") != "Parameters":
        raise invalid("POST a Parameters resource (application/fhir+json)")
    values: dict[str, list] = {}
    for parameter in resource.get("parameter", []):
        name = parameter.get("name")
        coding = parameter.get("valueCoding")
        if coding:  # a coding stands for its system, code, version and display
            for key in ("system", "code", "version", "display"):
                if coding.get(key) is not None:
                    values.setdefault(key, []).append(str(coding[key]))
            continue
        for key in _VALUE_KEYS:
            if key in parameter:
                values.setdefault(name, []).append(
                    str(parameter[key]).lower() if key == "valueBoolean" else str(parameter[key]))
                break
    return values


def read(request) -> Params:
    if request.method == "POST":
        values = _from_parameters(request.body)
    else:
        values = {key: request.GET.getlist(key) for key in request.GET}
    coding = values.pop("coding", None)
    if coding:
        raise invalid("pass coding as a Coding in a POSTed Parameters resource")
    return Params(values)
