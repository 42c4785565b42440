from django.urls import path

from apps.imports import views

app_name = "imports"

urlpatterns = [
    path("", views.BatchCreateView.as_view(), name="batch_create"),
    path("template/<slug:kind>/", views.TemplateDownloadView.as_view(), name="template_download"),
    path("lines/resolve/", views.LinesResolveView.as_view(), name="lines_resolve"),
    path("lines/upload/", views.LinesUploadView.as_view(), name="lines_upload"),
    path("<uuid:pk>/", views.BatchDetailView.as_view(), name="batch_detail"),
    path("<uuid:pk>/columns/", views.BatchRemapView.as_view(), name="batch_remap"),
    path("<uuid:pk>/confirm/", views.BatchConfirmView.as_view(), name="batch_confirm"),
    path("<uuid:pk>/rejected/", views.BatchRejectedView.as_view(), name="batch_rejected"),
]
