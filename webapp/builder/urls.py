"""The codelist builder: drafts on a terminology release."""

from django.urls import path

from webapp.builder import views

app_name = "builder"
urlpatterns = [
    path("", views.index, name="index"),
    path("terminologies/", views.terminologies, name="terminologies"),
    path("start/", views.start, name="start"),
    path("upload/", views.upload, name="upload"),
    path("from/<int:codelist_pk>/", views.new_version, name="new-version"),
    path("from/<int:codelist_pk>/release/<int:release_pk>/", views.start_update,
         name="update"),
    path("<int:pk>/", views.draft_page, name="draft"),
    path("<int:pk>/pending/", views.review_pending, name="review-pending"),
    path("<int:pk>/children/<str:code>/", views.children, name="children"),
    path("<int:pk>/decide/", views.decide, name="decide"),
    path("<int:pk>/undo/", views.undo, name="undo"),
    path("<int:pk>/search/", views.search, name="search"),
    path("<int:pk>/search/<int:index>/remove/", views.remove_search, name="remove-search"),
    path("<int:pk>/status/<str:to>/", views.transition, name="transition"),
    path("<int:pk>/download/<str:fmt>/", views.download, name="download"),
]
