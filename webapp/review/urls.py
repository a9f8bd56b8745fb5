"""URLs of the Delphi review (mounted at /review/)."""

from django.urls import path

from webapp.review import views

app_name = "review"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("start/<int:version_pk>/", views.start, name="start"),
    path("join/<str:token>/", views.join, name="join"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/next/", views.next_round, name="next"),
    path("<int:pk>/rounds/<int:number>/sheet/", views.sheet, name="sheet"),
    path("<int:pk>/rounds/<int:number>/rate/", views.rate, name="rate"),
    path("<int:pk>/rounds/<int:number>/close/", views.close, name="close"),
    path("<int:pk>/rounds/<int:number>/upload/", views.upload, name="upload"),
    path("<int:pk>/rounds/<int:number>/withdraw/<int:member_pk>/", views.withdraw,
         name="withdraw"),
    path("<int:pk>/rounds/<int:number>/add/", views.add_reviewer, name="add-reviewer"),
    path("<int:pk>/rounds/<int:number>/sheets.<str:fmt>", views.export, name="export"),
]
