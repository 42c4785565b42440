from django.urls import path

from apps.analytics import ageing_views, purchase_views, stock_views, views

app_name = "analytics"

urlpatterns = [
    path("sales/", views.SalesAnalysisView.as_view(), name="sales_analysis"),
    path("sales/export/", views.sales_analysis_export, name="sales_analysis_export"),
    path("stock-summary/", stock_views.StockSummaryView.as_view(), name="stock_summary"),
    path("stock-summary/export/", stock_views.StockSummaryExportView.as_view(), name="stock_summary_export"),
    path("stock-valuation/", stock_views.ValuationView.as_view(), name="stock_valuation"),
    path("stock-valuation/export/", stock_views.ValuationExportView.as_view(), name="stock_valuation_export"),
    path("stock-turnover/", stock_views.TurnoverView.as_view(), name="stock_turnover"),
    path("stock-turnover/export/", stock_views.TurnoverExportView.as_view(), name="stock_turnover_export"),
    path("stock-ageing/", ageing_views.StockAgeingView.as_view(), name="stock_ageing"),
    path("stock-ageing/export/", ageing_views.StockAgeingExportView.as_view(), name="stock_ageing_export"),
    path("dead-stock/", ageing_views.DeadStockView.as_view(), name="dead_stock"),
    path("dead-stock/export/", ageing_views.DeadStockExportView.as_view(), name="dead_stock_export"),
    path("purchase-spend/", purchase_views.PurchaseSpendView.as_view(), name="purchase_spend"),
    path("purchase-spend/export/", purchase_views.PurchaseSpendExportView.as_view(), name="purchase_spend_export"),
    path("purchase-price-trend/", purchase_views.PriceTrendView.as_view(), name="purchase_price_trend"),
    path(
        "purchase-price-trend/export/",
        purchase_views.PriceTrendExportView.as_view(),
        name="purchase_price_trend_export",
    ),
    path("purchase-price-variance/", purchase_views.PriceVarianceView.as_view(), name="purchase_price_variance"),
    path(
        "purchase-price-variance/export/",
        purchase_views.PriceVarianceExportView.as_view(),
        name="purchase_price_variance_export",
    ),
    path("supplier-delivery/", purchase_views.SupplierDeliveryView.as_view(), name="supplier_delivery"),
    path(
        "supplier-delivery/export/",
        purchase_views.SupplierDeliveryExportView.as_view(),
        name="supplier_delivery_export",
    ),
]
