from django.urls import path

from apps.planning import views

app_name = "planning"

urlpatterns = [
    path("forecasts/", views.ForecastListView.as_view(), name="forecast_list"),
    path("forecasts/run/", views.forecast_run_create, name="forecastrun_create"),
    path("forecasts/<int:pk>/", views.ForecastDetailView.as_view(), name="forecast_detail"),
    path("forecasts/<int:pk>/accept-levels/", views.forecast_levels_accept_view, name="forecast_accept_levels"),
    path("replenishment/", views.ReplenishmentView.as_view(), name="replenishment_list"),
    path("replenishment/<int:pk>/explain/", views.ReplenishmentExplainView.as_view(), name="replenishment_explain"),
    path("policy-check/", views.PolicyCheckView.as_view(), name="policy_check"),
]
