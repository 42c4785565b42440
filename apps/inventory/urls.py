from django.urls import path

from apps.inventory import views

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
    path("adjustments/<int:pk>/post/", views.StockAdjustmentPostView.as_view(), name="adjustment_post"),
    path("adjustments/<int:pk>/reverse/", views.StockAdjustmentReverseView.as_view(), name="adjustment_reverse"),
]
