from django.urls import path

from apps.procurement import views

app_name = "procurement"


def _transition(action: str, permission: str):
    return views.order_command(action, permission)


CHANGE = "procurement.change_purchaseorder"
APPROVE = "procurement.approve_purchaseorder"

urlpatterns = [
    # purchase orders
    path("orders/", views.PurchaseOrderListView.as_view(), name="purchaseorder_list"),
    path("orders/export/", views.PurchaseOrderExportView.as_view(), name="purchaseorder_export"),
    path("orders/new/", views.PurchaseOrderCreateView.as_view(), name="purchaseorder_create"),
    path("orders/<int:pk>/", views.PurchaseOrderDetailView.as_view(), name="purchaseorder_detail"),
    path("orders/<int:pk>/edit/", views.PurchaseOrderUpdateView.as_view(), name="purchaseorder_update"),
    path("orders/<int:pk>/print/", views.PurchaseOrderPrintView.as_view(), name="purchaseorder_print"),
    path("orders/<int:pk>/submit/", _transition("submit", CHANGE), name="purchaseorder_submit"),
    path("orders/<int:pk>/withdraw/", _transition("withdraw", CHANGE), name="purchaseorder_withdraw"),
    path("orders/<int:pk>/approve/", _transition("approve", APPROVE), name="purchaseorder_approve"),
    path("orders/<int:pk>/reject/", _transition("reject", APPROVE), name="purchaseorder_reject"),
    # the service lets a buyer unapprove an order approved automatically, else it needs APPROVE
    path("orders/<int:pk>/unapprove/", _transition("unapprove", CHANGE), name="purchaseorder_unapprove"),
    path("orders/<int:pk>/close/", _transition("close", CHANGE), name="purchaseorder_close"),
    path("orders/<int:pk>/cancel/", _transition("cancel", CHANGE), name="purchaseorder_cancel"),
    path("orders/<int:pk>/receive/", views.GoodsReceiptFromOrderView.as_view(), name="goodsreceipt_create_from_order"),
    # goods receipts
    path("receipts/", views.GoodsReceiptListView.as_view(), name="goodsreceipt_list"),
    path("receipts/new/", views.GoodsReceiptEditView.as_view(), name="goodsreceipt_create"),
    path("receipts/<int:pk>/", views.GoodsReceiptDetailView.as_view(), name="goodsreceipt_detail"),
    path("receipts/<int:pk>/print/", views.GoodsReceiptPrintView.as_view(), name="goodsreceipt_print"),
    path("receipts/<int:pk>/edit/", views.GoodsReceiptUpdateView.as_view(), name="goodsreceipt_update"),
    path("receipts/<int:pk>/post/", views.goods_receipt_post_view, name="goodsreceipt_post"),
    path("receipts/<int:pk>/cancel/", views.goods_receipt_cancel_view, name="goodsreceipt_cancel"),
    path("receipts/<int:pk>/return/", views.PurchaseReturnCreateView.as_view(), name="purchasereturn_create"),
    # purchase returns
    path("returns/", views.PurchaseReturnListView.as_view(), name="purchasereturn_list"),
    path("returns/<int:pk>/", views.PurchaseReturnDetailView.as_view(), name="purchasereturn_detail"),
    path("returns/<int:pk>/post/", views.purchase_return_post_view, name="purchasereturn_post"),
    path("returns/<int:pk>/cancel/", views.purchase_return_cancel_view, name="purchasereturn_cancel"),
    # payments and payables
    path("payments/", views.SupplierPaymentListView.as_view(), name="supplierpayment_list"),
    path("payments/new/", views.SupplierPaymentCreateView.as_view(), name="supplierpayment_create"),
    path("payments/<int:pk>/", views.SupplierPaymentDetailView.as_view(), name="supplierpayment_detail"),
    path("payments/<int:pk>/allocate/", views.SupplierPaymentAllocateView.as_view(), name="supplierpayment_allocate"),
    path("payables/", views.PayablesReportView.as_view(), name="payables_report"),
    path("suppliers/<int:pk>/statement/", views.SupplierStatementView.as_view(), name="supplier_statement"),
    # supplier price list, scorecard and comparison
    path("prices/", views.SupplierPriceListView.as_view(), name="supplierprice_list"),
    path("prices/new/", views.SupplierPriceEditView.as_view(), name="supplierprice_create"),
    path("prices/<int:pk>/edit/", views.SupplierPriceUpdateView.as_view(), name="supplierprice_update"),
    path("prices/<int:pk>/delete/", views.SupplierPriceDeleteView.as_view(), name="supplierprice_delete"),
    path("prices/lookup/", views.SupplierPriceLookupView.as_view(), name="supplier_price"),
    path("suppliers/<int:pk>/scorecard/", views.SupplierScorecardView.as_view(), name="supplier_scorecard"),
    path("comparison/", views.SupplierComparisonView.as_view(), name="supplier_comparison"),
]
