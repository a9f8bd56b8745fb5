"""The FHIR R4 terminology service under ``/fhir/``: read-only, anonymous reads allowed,
rate-limited by the API's throttles (settings ``CODELISTS_API_RATES``), every answer
``application/fhir+json`` and every error an OperationOutcome."""

from __future__ import annotations

from rest_framework import exceptions, permissions, renderers
from rest_framework.response import Response
from rest_framework.views import APIView

from codelists.errors import CodelistsError
from webapp.fhir import capability, codesystem, conceptmap, params, terminologies, valuesets
from webapp.fhir.outcome import FhirError, invalid, not_found, operation_outcome


class FhirJSON(renderers.JSONRenderer):
    media_type = "application/fhir+json"
    format = "fhir+json"
    charset = "utf-8"


class FhirView(APIView):
    renderer_classes = [FhirJSON, renderers.JSONRenderer]
    permission_classes = [permissions.AllowAny]
    parser_classes: list = []  # bodies are read as Parameters by webapp.fhir.params
    schema = None  # described by its CapabilityStatement, not the repository's OpenAPI
    operation = None

    def handle_exception(self, exc):
        if isinstance(exc, FhirError):
            return Response(operation_outcome(exc.code, exc.message), status=exc.status)
        if isinstance(exc, exceptions.Throttled):
            response = Response(operation_outcome("throttled", str(exc.detail)), status=429)
            if exc.wait:
                response["Retry-After"] = str(int(exc.wait))  # whole seconds, rounded up
            return response
        if isinstance(exc, CodelistsError):  # e.g. a store that needs re-importing
            return Response(operation_outcome("exception", str(exc)), status=500)
        if isinstance(exc, exceptions.APIException):
            code = {401: "login", 403: "forbidden", 404: "not-found",
                    405: "not-supported"}.get(exc.status_code, "invalid")
            return Response(operation_outcome(code, str(exc.detail)), status=exc.status_code)
        return super().handle_exception(exc)

    def base(self) -> str:
        return self.request.build_absolute_uri("/fhir/")

    def answer(self, **kwargs):
        return Response(self.operation(params.read(self.request), **kwargs))

    def get(self, request, **kwargs):
        return self.answer(**kwargs)

    def post(self, request, **kwargs):
        return self.answer(**kwargs)


class Metadata(FhirView):
    def get(self, request):
        if request.GET.get("mode") == "terminology":
            return Response(capability.terminology_capabilities(self.base()))
        return Response(capability.capability_statement(self.base()))

    def post(self, request):
        raise FhirError(405, "not-supported", "metadata is read with GET")


class Lookup(FhirView):
    operation = staticmethod(codesystem.lookup)


class CodeSystemValidate(FhirView):
    operation = staticmethod(codesystem.validate_code)


class Subsumes(FhirView):
    operation = staticmethod(codesystem.subsumes)


class Translate(FhirView):
    operation = staticmethod(conceptmap.translate)


class Expand(FhirView):
    def answer(self, resource_id=None):
        query = params.read(self.request)
        url = query.get("url")
        if resource_id is None and url and url.startswith("http://snomed.info/sct"):
            return Response(valuesets.expand_implicit(url, query))
        version = self._version(query, resource_id)
        return Response(valuesets.expand_codelist(version, self.base(), query))

    def _version(self, query, resource_id):
        if resource_id is not None:
            return valuesets.version_for_id(self.request.user, resource_id)
        if not query.get("url"):
            raise invalid("say which value set: url (or POST to ValueSet/<id>/$expand)")
        return valuesets.version_for_url(self.request.user, self.base(), query.get("url"),
                                         query.get("valueSetVersion"))


class ValueSetValidate(Expand):
    def answer(self, resource_id=None):
        query = params.read(self.request)
        url = query.get("url")
        if not query.get("code"):
            raise invalid("the code parameter is required")
        if resource_id is None and url and url.startswith("http://snomed.info/sct"):
            return Response(valuesets.validate_implicit(url, query))
        version = self._version(query, resource_id)
        return Response(valuesets.validate_codelist(version, self.base(), query))


def _bundle(resources: list[dict]) -> dict:
    return {"resourceType": "Bundle", "type": "searchset", "total": len(resources),
            "entry": [{"resource": r} for r in resources]}


class CodeSystems(FhirView):
    def get(self, request, resource_id=None):
        found = [codesystem.resource(i) for i in terminologies.every()]
        if resource_id is not None:
            match = next((r for r in found if r["id"] == resource_id), None)
            if match is None:
                raise not_found(f"no CodeSystem {resource_id}")
            return Response(match)
        if request.GET.get("url"):
            found = [r for r in found if r["url"] == request.GET["url"]]
        return Response(_bundle(found))

    def post(self, request, resource_id=None):
        raise FhirError(405, "not-supported", "this terminology service is read-only")


class ValueSets(FhirView):
    def get(self, request, resource_id=None):
        if resource_id is not None:
            version = valuesets.version_for_id(request.user, resource_id)
            return Response(valuesets.resource(version, self.base()))
        url = request.GET.get("url")
        if not url:
            raise FhirError(422, "too-costly", "search ValueSets by url")
        try:
            version = valuesets.version_for_url(request.user, self.base(), url,
                                                request.GET.get("version"))
        except FhirError:
            return Response(_bundle([]))
        return Response(_bundle([valuesets.resource(version, self.base())]))

    def post(self, request, resource_id=None):
        raise FhirError(405, "not-supported", "this terminology service is read-only")
