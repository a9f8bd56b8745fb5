"""OpenCodelists' API paths, beside our own /api/v1/ (see webapp/compat/api.py)."""

from django.urls import path

from webapp.compat import api

app_name = "compat-api"
urlpatterns = [
    path("codelist/", api.Codelists.as_view(), name="codelists"),
    path("codelist/<slug:owner>/", api.Codelists.as_view(), name="owner-codelists"),
    path("codelist/<slug:owner>/<slug:slug>/versions/", api.Versions.as_view(),
         name="versions"),
    path("check/", api.Check.as_view(), name="check"),
]
