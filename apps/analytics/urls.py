from django.urls import path

from apps.analytics import views

app_name = "analytics"

urlpatterns = [
    path("sales/", views.SalesAnalysisView.as_view(), name="sales_analysis"),
    path("sales/export/", views.sales_analysis_export, name="sales_analysis_export"),
]
