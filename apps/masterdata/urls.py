from django.urls import path

from apps.masterdata import views

app_name = "masterdata"


def _command(mixin: type, base: type, **attrs) -> type:
    """A POST-only command view for one entity, e.g. UnitDeactivateView."""
    name = mixin.__name__.removesuffix("Mixin") + base.__name__.removeprefix("Record")
    return type(name, (mixin, base), {"__module__": views.__name__, **attrs})


def _crud(entity: str, slug: str, mixin: type, list_view, create, detail, update) -> list:
    return [
        path(f"{slug}/", list_view.as_view(), name=f"{entity}_list"),
        path(f"{slug}/new/", create.as_view(), name=f"{entity}_create"),
        path(f"{slug}/<int:pk>/", detail.as_view(), name=f"{entity}_detail"),
        path(f"{slug}/<int:pk>/edit/", update.as_view(), name=f"{entity}_update"),
        path(
            f"{slug}/<int:pk>/deactivate/",
            _command(mixin, views.RecordSetActiveView, active=False).as_view(),
            name=f"{entity}_deactivate",
        ),
        path(
            f"{slug}/<int:pk>/activate/",
            _command(mixin, views.RecordSetActiveView, active=True).as_view(),
            name=f"{entity}_activate",
        ),
        path(f"{slug}/<int:pk>/delete/", _command(mixin, views.RecordDeleteView).as_view(), name=f"{entity}_delete"),
    ]


def _export(entity: str, slug: str, export) -> list:
    # Imports go through the data import page (apps.imports), with its checks.
    return [path(f"{slug}/export/", export.as_view(), name=f"{entity}_export")]


urlpatterns = [
    path("products/lookup/", views.ProductLookupView.as_view(), name="product_lookup"),
    *_export("product", "products", views.ProductExportView),
    *_export("supplier", "suppliers", views.SupplierExportView),
    *_export("customer", "customers", views.CustomerExportView),
    *_crud(
        "product",
        "products",
        views.ProductMixin,
        views.ProductListView,
        views.ProductCreateView,
        views.ProductDetailView,
        views.ProductUpdateView,
    ),
    *_crud(
        "category",
        "categories",
        views.CategoryMixin,
        views.CategoryListView,
        views.CategoryCreateView,
        views.CategoryDetailView,
        views.CategoryUpdateView,
    ),
    *_crud(
        "brand",
        "brands",
        views.BrandMixin,
        views.BrandListView,
        views.BrandCreateView,
        views.BrandDetailView,
        views.BrandUpdateView,
    ),
    *_crud(
        "unit",
        "units",
        views.UnitMixin,
        views.UnitListView,
        views.UnitCreateView,
        views.UnitDetailView,
        views.UnitUpdateView,
    ),
    *_crud(
        "warehouse",
        "warehouses",
        views.WarehouseMixin,
        views.WarehouseListView,
        views.WarehouseCreateView,
        views.WarehouseDetailView,
        views.WarehouseUpdateView,
    ),
    *_crud(
        "supplier",
        "suppliers",
        views.SupplierMixin,
        views.SupplierListView,
        views.SupplierCreateView,
        views.SupplierDetailView,
        views.SupplierUpdateView,
    ),
    *_crud(
        "customer",
        "customers",
        views.CustomerMixin,
        views.CustomerListView,
        views.CustomerCreateView,
        views.CustomerDetailView,
        views.CustomerUpdateView,
    ),
]
