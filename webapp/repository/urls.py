"""Pages of the repository: home, browse, search, articles, codelists, downloads, deposit."""

from django.urls import path

from webapp.repository import views, views_deposit, views_releases

app_name = "repository"
urlpatterns = [
    path("", views.home, name="home"),
    path("browse/", views.browse, name="browse"),
    path("search/", views.search, name="search"),
    path("deposit/", views_deposit.start, name="deposit"),
    path("deposit/files/", views_deposit.files, name="deposit-files"),
    path("deposit/files/<int:index>/mapping/", views_deposit.mapping, name="deposit-mapping"),
    path("deposit/files/<int:index>/describe/", views_deposit.describe,
         name="deposit-describe"),
    path("deposit/files/<int:index>/remove/", views_deposit.remove, name="deposit-remove"),
    path("deposit/confirm/", views_deposit.confirm, name="deposit-confirm"),
    path("articles/<int:pk>/", views.article_detail, name="article"),
    path("articles/<int:pk>/edit/", views.article_edit, name="article-edit"),
    path("articles/<int:pk>/deposit/", views_deposit.start_for_article,
         name="article-deposit"),
    path("articles/<int:pk>/coauthors/", views.coauthor_add, name="coauthor-add"),
    path("articles/<int:pk>/coauthors/<int:user_pk>/remove/", views.coauthor_remove,
         name="coauthor-remove"),
    path("articles/<int:pk>/download/<str:fmt>/", views.article_download,
         name="article-download"),
    path("codelists/<int:pk>/", views.codelist_detail, name="codelist"),
    path("codelists/<int:pk>/codes/", views.codelist_codes, name="codelist-codes"),
    path("codelists/<int:pk>/diff/", views.codelist_diff, name="codelist-diff"),
    path("codelists/<int:pk>/cite/<str:fmt>/", views.codelist_cite, name="codelist-cite"),
    path("codelists/<int:pk>/download/<str:fmt>/", views.codelist_download,
         name="codelist-download"),
    path("codelists/<int:pk>/versions/", views.codelist_new_version, name="codelist-version"),
    path("releases/", views_releases.releases_page, name="releases"),
    path("releases/check/", views_releases.check, name="release-check"),
    path("codelists/<int:pk>/derived-from/", views.codelist_derived_from,
         name="codelist-derived-from"),
]
