"""Root URLs: pages, accounts, the REST API under /api/v1/ (with OpenCodelists' API paths
beside it), OpenCodelists' /codelist/ URLs, the FHIR terminology service under /fhir/
and the Delphi review."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("fhir/", include("webapp.fhir.urls")),  # first: the service is resolved fastest
    path("", include("webapp.repository.urls")),
    path("accounts/", include("webapp.accounts.urls")),
    path("api/v1/", include("webapp.compat.api_urls")),
    path("api/v1/", include("webapp.api.urls")),
    path("codelist/", include("webapp.compat.urls")),
    path("review/", include("webapp.review.urls")),
    path("jobs/", include("webapp.jobs.urls")),
    path("builder/", include("webapp.builder.urls")),
    path("admin/", admin.site.urls),
]

handler404 = "webapp.api.errors.not_found"
