"""Pages of the repository: home, browse, search, articles, codelists, downloads."""

from django.urls import path

from webapp.repository import views

app_name = "repository"
urlpatterns = [
    path("", views.home, name="home"),
]
