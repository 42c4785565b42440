from django.urls import path

from apps.sales import views

app_name = "sales"

urlpatterns = [
    path("customers/", views.CustomerListView.as_view(), name="customer_list"),
    path("customers/<int:pk>/", views.CustomerOverviewView.as_view(), name="customer_overview"),
    path("customers/<int:pk>/follow-ups/", views.followup_create, name="followup_create"),
    path("customers/<int:pk>/tags/", views.customer_tags_update, name="customer_tags_update"),
    path("customers/<int:pk>/statement/", views.customer_statement, name="customer_statement"),
    path("orders/", views.SalesOrderListView.as_view(), name="order_list"),
    path("orders/export/", views.order_export, name="order_export"),
    path("orders/new/", views.order_create, name="order_create"),
    path("orders/<int:pk>/", views.SalesOrderDetailView.as_view(), name="order_detail"),
    path("orders/<int:pk>/edit/", views.order_update, name="order_update"),
    path("orders/<int:pk>/print/", views.SalesOrderPrintView.as_view(), name="order_print"),
    path("orders/<int:pk>/submit/", views.order_submit, name="order_submit"),
    path("orders/<int:pk>/withdraw/", views.order_withdraw, name="order_withdraw"),
    path("orders/<int:pk>/approve-credit/", views.order_approve, name="order_approve"),
    path("orders/<int:pk>/approve/", views.order_confirm, name="order_confirm"),
    path("orders/<int:pk>/reserve/", views.order_reserve, name="order_reserve"),
    path("orders/<int:pk>/close/", views.order_close, name="order_close"),
    path("orders/<int:pk>/void/", views.order_cancel, name="order_cancel"),
    path("deliveries/", views.ShipmentListView.as_view(), name="shipment_list"),
    path("deliveries/new/", views.shipment_create, name="shipment_create"),
    path("deliveries/<int:pk>/", views.ShipmentDetailView.as_view(), name="shipment_detail"),
    path("deliveries/<int:pk>/edit/", views.shipment_update, name="shipment_update"),
    path("deliveries/<int:pk>/print/", views.ShipmentPrintView.as_view(), name="shipment_print"),
    path("deliveries/<int:pk>/pick-list/", views.ShipmentPickListView.as_view(), name="shipment_pick_list"),
    path("deliveries/<int:pk>/post/", views.shipment_post, name="shipment_post"),
    path("deliveries/<int:pk>/void/", views.shipment_cancel, name="shipment_cancel"),
    path("deliveries/<int:shipment_pk>/return/", views.return_create, name="return_create"),
    path("returns/", views.SalesReturnListView.as_view(), name="return_list"),
    path("returns/<int:pk>/", views.SalesReturnDetailView.as_view(), name="return_detail"),
    path("returns/<int:pk>/post/", views.return_post, name="return_post"),
    path("returns/<int:pk>/void/", views.return_cancel, name="return_cancel"),
    path("receipts/", views.ReceiptListView.as_view(), name="receipt_list"),
    path("receipts/new/", views.receipt_create, name="receipt_create"),
    path("receipts/<int:pk>/", views.ReceiptDetailView.as_view(), name="receipt_detail"),
    path("receipts/<int:pk>/allocate/", views.receipt_allocate, name="receipt_allocate"),
    path("receivables/", views.ReceivableReportView.as_view(), name="receivable_report"),
]
