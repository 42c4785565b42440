"""Admin pages for administrators; everyday editing happens in the master-data pages.

Spreadsheet imports go through the data import page (``imports:batch_create``) only: the admin's
django-import-export import had none of its checks (size, zip bombs, row limits) and is gone.
"""

from django.contrib import admin

from apps.masterdata.models import (
    Brand,
    Category,
    Customer,
    Product,
    ProductBarcode,
    ProductUnit,
    Supplier,
    Unit,
    Warehouse,
)


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "name")


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "parent", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "name")
    list_select_related = ("parent",)


@admin.register(Brand)
class BrandAdmin(admin.ModelAdmin):
    list_display = ("name", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name",)


class ProductUnitInline(admin.TabularInline):
    model = ProductUnit
    extra = 0


class ProductBarcodeInline(admin.TabularInline):
    model = ProductBarcode
    extra = 0


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "specification", "category", "base_unit", "sale_price", "is_active")
    list_filter = ("is_active", "category", "brand")
    list_select_related = ("category", "base_unit")
    search_fields = ("code", "name", "mnemonic", "barcodes__barcode")
    inlines = [ProductUnitInline, ProductBarcodeInline]


@admin.register(Warehouse)
class WarehouseAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "manager", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "name")
    filter_horizontal = ("assigned_users",)


@admin.register(Supplier)
class SupplierAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "contact", "phone", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "name", "contact", "phone")


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "contact", "credit_limit", "salesperson", "is_active")
    list_filter = ("is_active", "price_level")
    list_select_related = ("salesperson",)
    search_fields = ("code", "name", "contact", "phone")
