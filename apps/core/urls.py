from django.urls import path

from apps.core import views

app_name = "core"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("settings/", views.SystemSettingsEditView.as_view(), name="settings_edit"),
    path("operation-log/", views.AuditLogListView.as_view(), name="auditlog_list"),
]
