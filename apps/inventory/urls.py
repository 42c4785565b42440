from django.urls import path

from apps.inventory import views, views_levels

app_name = "inventory"

urlpatterns = [
    path("stock/", views.StockOnHandView.as_view(), name="stock_list"),
    path("stock/export/", views.StockOnHandExportView.as_view(), name="stock_export"),
    path("ledger/export/", views.StockMovementExportView.as_view(), name="movement_export"),
    path("stock/available/", views.StockAvailableView.as_view(), name="stock_available"),
    path("stock/as-of/", views.StockAsOfView.as_view(), name="stock_as_of"),
    path("stock/as-of/export/", views.StockAsOfExportView.as_view(), name="stock_as_of_export"),
    path("ledger/", views.StockMovementListView.as_view(), name="movement_list"),
    path("adjustments/", views.StockAdjustmentListView.as_view(), name="adjustment_list"),
    path("adjustments/new/", views.StockAdjustmentCreateView.as_view(), name="adjustment_create"),
    path("adjustments/import/", views.OpeningStockImportView.as_view(), name="adjustment_import"),
    path("adjustments/<int:pk>/", views.StockAdjustmentDetailView.as_view(), name="adjustment_detail"),
    path("adjustments/<int:pk>/edit/", views.StockAdjustmentUpdateView.as_view(), name="adjustment_update"),
    path("adjustments/<int:pk>/post/", views.stock_adjustment_post_view, name="adjustment_post"),
    path("adjustments/<int:pk>/submit/", views.stock_adjustment_submit_view, name="adjustment_submit"),
    path("adjustments/<int:pk>/withdraw/", views.stock_adjustment_withdraw_view, name="adjustment_withdraw"),
    path("adjustments/<int:pk>/approve/", views.stock_adjustment_approve_view, name="adjustment_approve"),
    path("adjustments/<int:pk>/reject/", views.stock_adjustment_reject_view, name="adjustment_reject"),
    path("adjustments/<int:pk>/reverse/", views.stock_adjustment_reverse_view, name="adjustment_reverse"),
    path("levels/", views_levels.StockLevelListView.as_view(), name="stock_level_list"),
    path("alerts/", views_levels.StockAlertView.as_view(), name="stock_alerts"),
    path("classification/", views_levels.ClassificationView.as_view(), name="classification"),
    path(
        "classification/recompute/",
        views_levels.ClassificationRecomputeView.as_view(),
        name="classification_recompute",
    ),
    path("locations/", views_levels.StorageLocationListView.as_view(), name="location_list"),
    path("locations/new/", views_levels.StorageLocationEditView.as_view(), name="location_create"),
    path("locations/<int:pk>/edit/", views_levels.StorageLocationEditView.as_view(), name="location_update"),
    path("settings/", views_levels.InventoryPolicyView.as_view(), name="policy"),
]
