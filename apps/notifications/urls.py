from django.urls import path

from apps.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.NotificationListView.as_view(), name="notification_list"),
    path("bell/", views.bell, name="bell"),
    path("<int:pk>/open/", views.notification_open, name="notification_open"),
    path("read-all/", views.notifications_read_all, name="notification_read_all"),
    path("settings/", views.preferences, name="preferences"),
]
