from django.urls import path

from webapp.jobs import views

app_name = "jobs"
urlpatterns = [path("<uuid:pk>/", views.job_detail, name="job")]
