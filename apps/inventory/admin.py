"""The ledger in the admin: read-only. Stock changes only through the posting service."""

from django.contrib import admin

from apps.inventory.models import StockAdjustment, StockAdjustmentLine, StockBalance, StockMovement, StockPosting


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StockPosting)
class StockPostingAdmin(ReadOnlyAdmin):
    list_display = ["document_number", "document_type", "posted_at", "posted_by", "reverses"]
    list_filter = ["document_type"]
    search_fields = ["document_number", "idempotency_key"]
    date_hierarchy = "posted_at"
    list_select_related = ["posted_by", "reverses"]
    show_full_result_count = False


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyAdmin):
    list_display = [
        "posted_at",
        "posting",
        "line_no",
        "product",
        "warehouse",
        "movement_type",
        "quantity",
        "unit_cost",
        "value",
        "quantity_after",
        "value_after",
    ]
    list_filter = ["movement_type", "warehouse"]
    search_fields = ["posting__document_number", "product__code"]
    list_select_related = ["posting", "product", "warehouse"]
    raw_id_fields = ["posting", "product", "reverses"]
    show_full_result_count = False


@admin.register(StockBalance)
class StockBalanceAdmin(ReadOnlyAdmin):
    list_display = ["product", "warehouse", "on_hand", "reserved", "available", "value", "avg_cost", "updated_at"]
    list_filter = ["warehouse"]
    search_fields = ["product__code", "product__name"]
    list_select_related = ["product", "warehouse"]


class StockAdjustmentLineInline(admin.TabularInline):
    model = StockAdjustmentLine
    fields = ["line_no", "product", "quantity", "unit_cost", "remarks", "movement"]
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StockAdjustment)
class StockAdjustmentAdmin(ReadOnlyAdmin):
    """Documents are created and posted on their own pages (services), never in the admin."""

    list_display = ["number", "kind", "warehouse", "date", "status", "posted_at"]
    list_filter = ["kind", "status", "warehouse"]
    search_fields = ["number"]
    inlines = [StockAdjustmentLineInline]
