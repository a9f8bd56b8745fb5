"""The FHIR R4 terminology service under /fhir/ (see webapp/fhir/views.py)."""

from django.urls import path

from webapp.fhir import views

app_name = "fhir"
urlpatterns = [
    path("metadata", views.Metadata.as_view(), name="metadata"),
    path("CodeSystem/$lookup", views.Lookup.as_view(), name="lookup"),
    path("CodeSystem/$validate-code", views.CodeSystemValidate.as_view(),
         name="codesystem-validate"),
    path("CodeSystem/$subsumes", views.Subsumes.as_view(), name="subsumes"),
    path("CodeSystem", views.CodeSystems.as_view(), name="codesystems"),
    path("CodeSystem/<str:resource_id>", views.CodeSystems.as_view(), name="codesystem"),
    path("ValueSet/$expand", views.Expand.as_view(), name="expand"),
    path("ValueSet/$validate-code", views.ValueSetValidate.as_view(),
         name="valueset-validate"),
    path("ValueSet/<str:resource_id>/$expand", views.Expand.as_view(), name="expand-id"),
    path("ValueSet/<str:resource_id>/$validate-code", views.ValueSetValidate.as_view(),
         name="valueset-validate-id"),
    path("ValueSet", views.ValueSets.as_view(), name="valuesets"),
    path("ValueSet/<str:resource_id>", views.ValueSets.as_view(), name="valueset"),
    path("ConceptMap/$translate", views.Translate.as_view(), name="translate"),
]
