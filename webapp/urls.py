"""Root URLs: pages, accounts, the REST API under /api/v1/ and the Delphi review."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("webapp.repository.urls")),
    path("accounts/", include("webapp.accounts.urls")),
    path("api/v1/", include("webapp.api.urls")),
    path("review/", include("webapp.review.urls")),
    path("jobs/", include("webapp.jobs.urls")),
    path("admin/", admin.site.urls),
]
