"""OpenCodelists' version URLs on our site (see webapp/compat/views.py)."""

from django.urls import path

from webapp.compat import views

app_name = "compat"

FILES = [
    ("", views.version_page, "version"),
    ("download.csv", views.download, "download"),
    ("definition.csv", views.definition, "definition"),
    ("dmd-download.csv", views.dmd_download, "dmd-download"),
    ("download.codelist", views.codelist_file, "codelist-file"),
]

urlpatterns = [
    path(f"user/<str:username>/<slug:slug>/<str:tag>/{suffix}", view, {"owner": ""},
         name=f"user-{name}")
    for suffix, view, name in FILES
] + [
    path(f"<slug:owner>/<slug:slug>/<str:tag>/{suffix}", view, name=name)
    for suffix, view, name in FILES
]
