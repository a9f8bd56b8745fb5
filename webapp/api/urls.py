"""REST API v1 (see docs/reference/repository-api.md for the compatibility policy)."""

from django.urls import path
from django.views.generic import TemplateView
from drf_spectacular.views import SpectacularAPIView

from webapp.api import views

app_name = "api"
urlpatterns = [
    path("", TemplateView.as_view(template_name="api/docs.html"), name="docs"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("articles/", views.ArticleList.as_view(), name="articles"),
    path("articles/<int:pk>/", views.ArticleDetail.as_view(), name="article"),
    path("articles/<int:pk>/codelists/", views.ArticleCodelists.as_view(),
         name="article-codelists"),
    path("articles/<int:pk>/download/<str:fmt>/", views.ArticleDownload.as_view(),
         name="article-download"),
    path("codelists/", views.CodelistList.as_view(), name="codelists"),
    path("codelists/<int:pk>/", views.CodelistDetail.as_view(), name="codelist"),
    path("codelists/<int:pk>/versions/", views.VersionList.as_view(), name="versions"),
    path("codelists/<int:pk>/versions/<int:number>/", views.VersionDetail.as_view(),
         name="version"),
    path("codelists/<int:pk>/versions/<int:number>/codes/", views.VersionCodes.as_view(),
         name="codes"),
    path("codelists/<int:pk>/versions/<int:number>/download/<str:fmt>/",
         views.VersionDownload.as_view(), name="download"),
    path("jobs/<uuid:pk>/", views.JobDetail.as_view(), name="job"),
    path("tokens/", views.TokenList.as_view(), name="tokens"),
    path("tokens/<int:pk>/", views.TokenDetail.as_view(), name="token"),
]
