from django.urls import path

from apps.jobs import views

app_name = "jobs"

urlpatterns = [
    path("", views.JobListView.as_view(), name="job_list"),
    path("self-check/", views.selfcheck_start, name="job_selfcheck_start"),
    path("<uuid:pk>/", views.JobDetailView.as_view(), name="job_detail"),
    path("<uuid:pk>/download/", views.JobDownloadView.as_view(), name="job_download"),
]
