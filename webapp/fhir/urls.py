"""The FHIR R4 terminology service under /fhir/ (see webapp/fhir/views.py)."""

app_name = "fhir"
urlpatterns = []
