"""Master-data pages: lists, forms, details, activate/deactivate/delete commands, import/export, lookup.

The seven entities share generic views configured per entity; each view declares its permission.
"""

import uuid
from pathlib import PurePath
from typing import Any, ClassVar

from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import CreateView, DetailView, ListView, UpdateView

from apps.core.exports import Table
from apps.core.forms import apply_service_error
from apps.core.mixins import PaginatedListMixin, PermissionMixin
from apps.core.selectors import audit_trail_for
from apps.jobs.exports import export_respond
from apps.masterdata import filters, forms, resources, selectors, services
from apps.masterdata.models import Brand, Category, Customer, Product, Supplier, Unit, Warehouse

# ---------------------------------------------------------------------------------------------
# Generic building blocks


class EntityMixin:
    """What a view needs to know about its entity: model, route prefix, permissions."""

    model: ClassVar[type]
    entity: ClassVar[str]
    action: ClassVar[str] = "view"

    def __init_subclass__(cls, **kwargs):
        """Each concrete view declares ``permission_required = "masterdata.<action>_<model>"``."""
        super().__init_subclass__(**kwargs)
        if getattr(cls, "model", None) is not None and "permission_required" not in cls.__dict__:
            cls.permission_required = f"masterdata.{cls.action}_{cls.model._meta.model_name}"

    def entity_context(self) -> dict[str, Any]:
        user, name = self.request.user, self.model._meta.model_name
        return {
            "entity": self.entity,
            "verbose_name": self.model._meta.verbose_name,
            "verbose_name_plural": self.model._meta.verbose_name_plural,
            "list_url": reverse(f"masterdata:{self.entity}_list"),
            "can_add": user.has_perm(f"masterdata.add_{name}"),
            "can_change": user.has_perm(f"masterdata.change_{name}"),
            "can_delete": user.has_perm(f"masterdata.delete_{name}"),
        }


class RecordListView(EntityMixin, PermissionMixin, PaginatedListMixin, ListView):
    filterset_class: ClassVar[type]
    selector: ClassVar[Any]
    has_import: ClassVar[bool] = False
    context_object_name = "records"
    default_ordering = ("code", "id")

    def get_queryset(self):
        self.filterset = selectors.filtered(
            self.filterset_class, self.request.GET or None, type(self).selector(), self.request
        )
        return self.filterset.qs.order_by(*self.get_ordering())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self.entity_context())
        context["filter"] = self.filterset
        context["has_import"] = self.has_import
        if self.has_import:
            context["export_url"] = reverse(f"masterdata:{self.entity}_export")
            context["import_url"] = reverse(f"masterdata:{self.entity}_import")
        return context


class RecordDetailView(EntityMixin, PermissionMixin, DetailView):
    context_object_name = "record"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self.entity_context())
        context["audit_trail"] = audit_trail_for(self.object)
        context["deletable"] = context["can_delete"] and selectors.is_deletable(self.object)
        return context


class RecordFormMixin(EntityMixin, PermissionMixin):
    """Bind the ModelForm, hand the cleaned data to the entity's service, map its errors back."""

    template_name = "masterdata/record_form.html"

    def save(self, form) -> Any:
        raise NotImplementedError

    def form_valid(self, form):
        try:
            self.object = self.save(form)
        except ValidationError as error:
            apply_service_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("%(record)s saved.") % {"record": self.object})
        return redirect(self.get_success_url())

    def get_success_url(self) -> str:
        return reverse(f"masterdata:{self.entity}_detail", args=[self.object.pk])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self.entity_context())
        instance = getattr(self, "object", None)
        if instance is not None and instance.pk:
            context["audit_trail"] = audit_trail_for(instance)
            context["deletable"] = context["can_delete"] and selectors.is_deletable(instance)
        return context


class RecordCreateView(RecordFormMixin, CreateView):
    action = "add"
    create_service: ClassVar[Any]

    def save(self, form):
        return type(self).create_service(actor=self.request.user, data=form.cleaned_data)


class RecordUpdateView(RecordFormMixin, UpdateView):
    action = "change"
    update_service: ClassVar[Any]
    service_arg: ClassVar[str]

    def save(self, form):
        service = type(self).update_service
        return service(actor=self.request.user, data=form.cleaned_data, **{self.service_arg: self.object})


def _back(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


class RecordSetActiveView(EntityMixin, PermissionMixin, View):
    """POST-only: deactivate (``active = False``) or activate a record."""

    http_method_names = ["post"]
    action = "change"
    active: ClassVar[bool]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        record = get_object_or_404(self.model, pk=pk)
        record = services.record_set_active(actor=request.user, instance=record, active=self.active)
        if self.active:
            messages.success(request, _("%(record)s is active again.") % {"record": record})
        else:
            messages.success(request, _("%(record)s is deactivated.") % {"record": record})
        return redirect(_back(request, reverse(f"masterdata:{self.entity}_detail", args=[pk])))


class RecordDeleteView(EntityMixin, PermissionMixin, View):
    """POST-only: delete a record nothing references; otherwise explain and suggest deactivating."""

    http_method_names = ["post"]
    action = "delete"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        record = get_object_or_404(self.model, pk=pk)
        label = str(record)
        try:
            services.record_delete(actor=request.user, instance=record)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(reverse(f"masterdata:{self.entity}_detail", args=[pk]))
        messages.success(request, _("%(record)s deleted.") % {"record": label})
        return redirect(f"masterdata:{self.entity}_list")


# ---------------------------------------------------------------------------------------------
# Units, categories, brands, warehouses


class UnitMixin:
    model = Unit
    entity = "unit"


class UnitListView(UnitMixin, RecordListView):
    filterset_class = filters.UnitFilter
    selector = selectors.unit_list
    template_name = "masterdata/unit_list.html"
    sortable_fields = ("code", "name", "is_active")


class UnitDetailView(UnitMixin, RecordDetailView):
    template_name = "masterdata/unit_detail.html"


class UnitCreateView(UnitMixin, RecordCreateView):
    form_class = forms.UnitForm
    create_service = services.unit_create


class UnitUpdateView(UnitMixin, RecordUpdateView):
    form_class = forms.UnitForm
    update_service = services.unit_update
    service_arg = "unit"


class CategoryMixin:
    model = Category
    entity = "category"


class CategoryListView(CategoryMixin, RecordListView):
    """The category tree, indented; a search or a sort shows a flat list instead."""

    filterset_class = filters.CategoryFilter
    selector = selectors.category_list
    template_name = "masterdata/category_list.html"
    sortable_fields = ("code", "name", "is_active")

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.request.GET.get("sort"):
            return [(node, 0) for node in queryset]
        return selectors.category_tree(queryset)


class CategoryDetailView(CategoryMixin, RecordDetailView):
    template_name = "masterdata/category_detail.html"

    def get_queryset(self):
        return selectors.category_list()


class CategoryCreateView(CategoryMixin, RecordCreateView):
    form_class = forms.CategoryForm
    create_service = services.category_create


class CategoryUpdateView(CategoryMixin, RecordUpdateView):
    form_class = forms.CategoryForm
    update_service = services.category_update
    service_arg = "category"


class BrandMixin:
    model = Brand
    entity = "brand"


class BrandListView(BrandMixin, RecordListView):
    filterset_class = filters.BrandFilter
    selector = selectors.brand_list
    template_name = "masterdata/brand_list.html"
    sortable_fields = ("name", "is_active")
    default_ordering = ("name", "id")


class BrandDetailView(BrandMixin, RecordDetailView):
    template_name = "masterdata/brand_detail.html"


class BrandCreateView(BrandMixin, RecordCreateView):
    form_class = forms.BrandForm
    create_service = services.brand_create


class BrandUpdateView(BrandMixin, RecordUpdateView):
    form_class = forms.BrandForm
    update_service = services.brand_update
    service_arg = "brand"


class WarehouseMixin:
    model = Warehouse
    entity = "warehouse"


class WarehouseListView(WarehouseMixin, RecordListView):
    filterset_class = filters.WarehouseFilter
    selector = selectors.warehouse_list
    template_name = "masterdata/warehouse_list.html"
    sortable_fields = ("code", "name", "is_active")


class WarehouseDetailView(WarehouseMixin, RecordDetailView):
    template_name = "masterdata/warehouse_detail.html"

    def get_queryset(self):
        return selectors.warehouse_list()


class WarehouseCreateView(WarehouseMixin, RecordCreateView):
    form_class = forms.WarehouseForm

    def save(self, form):
        data = dict(form.cleaned_data)
        users = data.pop("assigned_users")
        return services.warehouse_create(actor=self.request.user, data=data, assigned_users=users)


class WarehouseUpdateView(WarehouseMixin, RecordUpdateView):
    form_class = forms.WarehouseForm

    def save(self, form):
        data = dict(form.cleaned_data)
        users = data.pop("assigned_users")
        return services.warehouse_update(
            actor=self.request.user, warehouse=self.object, data=data, assigned_users=users
        )


# ---------------------------------------------------------------------------------------------
# Suppliers and customers


class SupplierMixin:
    model = Supplier
    entity = "supplier"


class SupplierListView(SupplierMixin, RecordListView):
    filterset_class = filters.SupplierFilter
    selector = selectors.supplier_list
    template_name = "masterdata/supplier_list.html"
    sortable_fields = ("code", "name", "contact", "payment_terms_days", "is_active")
    has_import = True


class SupplierDetailView(SupplierMixin, RecordDetailView):
    template_name = "masterdata/supplier_detail.html"


class SupplierCreateView(SupplierMixin, RecordCreateView):
    form_class = forms.SupplierForm
    create_service = services.supplier_create


class SupplierUpdateView(SupplierMixin, RecordUpdateView):
    form_class = forms.SupplierForm
    update_service = services.supplier_update
    service_arg = "supplier"


class CustomerMixin:
    model = Customer
    entity = "customer"


class CustomerListView(CustomerMixin, RecordListView):
    filterset_class = filters.CustomerFilter
    selector = selectors.customer_list
    template_name = "masterdata/customer_list.html"
    sortable_fields = ("code", "name", "contact", "credit_limit", "salesperson__username", "is_active")
    has_import = True


class CustomerDetailView(CustomerMixin, RecordDetailView):
    template_name = "masterdata/customer_detail.html"

    def get_queryset(self):
        return selectors.customer_list()


class CustomerCreateView(CustomerMixin, RecordCreateView):
    form_class = forms.CustomerForm
    create_service = services.customer_create


class CustomerUpdateView(CustomerMixin, RecordUpdateView):
    form_class = forms.CustomerForm
    update_service = services.customer_update
    service_arg = "customer"


# ---------------------------------------------------------------------------------------------
# Products


class ProductMixin:
    model = Product
    entity = "product"


class ProductListView(ProductMixin, RecordListView):
    """Products; a scanned barcode or a typed code that matches exactly opens the product itself."""

    filterset_class = filters.ProductFilter
    selector = selectors.product_list
    template_name = "masterdata/product_list.html"
    sortable_fields = ("code", "name", "category__name", "sale_price", "purchase_price", "is_active")
    has_import = True

    def get(self, request, *args, **kwargs):
        term = request.GET.get("q", "").strip()
        # The filter form also submits its empty fields; only a bare search counts as a scan.
        filled = {key for key, value in request.GET.items() if value.strip()}
        if term and filled <= {"q"}:
            matches = selectors.product_lookup(term, limit=1, include_inactive=True)
            if len(matches) == 1 and matches[0].exact:
                return redirect(matches[0].product.get_absolute_url())
        return super().get(request, *args, **kwargs)


class ProductDetailView(ProductMixin, RecordDetailView):
    template_name = "masterdata/product_detail.html"

    def get_object(self, queryset=None):
        try:
            return selectors.product_detail(self.kwargs["pk"])
        except Product.DoesNotExist as error:
            raise Http404 from error


class ProductFormMixin(RecordFormMixin):
    """The product with its secondary units and barcodes as inline formsets, saved by one service call."""

    form_class = forms.ProductForm
    template_name = "masterdata/product_form.html"

    def get_formsets(self):
        instance = getattr(self, "object", None) or Product()
        data = self.request.POST if self.request.method == "POST" else None
        return (
            forms.UnitLineFormSet(data, instance=instance, prefix="units"),
            forms.BarcodeLineFormSet(data, instance=instance, prefix="barcodes"),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if "unit_formset" not in kwargs:
            context["unit_formset"], context["barcode_formset"] = self.get_formsets()
        return context

    def post(self, request, *args, **kwargs):
        self.object = self.get_object() if self.action == "change" else None
        form = self.get_form()
        unit_formset, barcode_formset = self.get_formsets()
        form_ok = form.is_valid()
        base_unit = form.cleaned_data.get("base_unit") if form_ok else None
        unit_formset.base_unit = barcode_formset.base_unit = base_unit
        units_ok, barcodes_ok = unit_formset.is_valid(), barcode_formset.is_valid()
        if form_ok and units_ok and barcodes_ok:
            try:
                self.object = self.save_product(form, unit_formset.lines(), barcode_formset.lines())
            except ValidationError as error:
                self.apply_error(form, unit_formset, barcode_formset, error)
            else:
                messages.success(request, _("%(record)s saved.") % {"record": self.object})
                return redirect(self.get_success_url())
        return self.render_to_response(
            self.get_context_data(form=form, unit_formset=unit_formset, barcode_formset=barcode_formset)
        )

    @staticmethod
    def apply_error(form, unit_formset, barcode_formset, error: ValidationError) -> None:
        errors = dict(error.error_dict) if hasattr(error, "error_dict") else {None: error.error_list}
        for key, formset in (("units", unit_formset), ("barcodes", barcode_formset)):
            if key in errors:
                formset._non_form_errors = formset.error_class(
                    [message for item in errors.pop(key) for message in item.messages],
                    renderer=formset.renderer,
                )
        if errors:
            apply_service_error(form, ValidationError({k or "__all__": v for k, v in errors.items()}))


class ProductCreateView(ProductMixin, ProductFormMixin, CreateView):
    action = "add"

    def save_product(self, form, units, barcodes):
        return services.product_create(actor=self.request.user, data=form.cleaned_data, units=units, barcodes=barcodes)


class ProductUpdateView(ProductMixin, ProductFormMixin, UpdateView):
    action = "change"

    def save_product(self, form, units, barcodes):
        return services.product_update(
            actor=self.request.user, product=self.object, data=form.cleaned_data, units=units, barcodes=barcodes
        )


class ProductLookupView(PermissionMixin, View):
    """GET ?q=<term>: products for scanners and line grids as JSON (see selectors.product_match_payload)."""

    permission_required = "masterdata.view_product"
    http_method_names = ["get"]

    def get(self, request: HttpRequest) -> JsonResponse:
        term = request.GET.get("q", "")[:64]
        try:
            limit = max(1, min(int(request.GET.get("limit", 10)), 50))
        except ValueError:
            limit = 10
        matches = selectors.product_lookup(term, limit=limit)
        return JsonResponse({"results": [selectors.product_match_payload(match) for match in matches]})


# ---------------------------------------------------------------------------------------------
# Import and export

IMPORT_SALT = "masterdata.import"
IMPORT_MAX_AGE = 3600


class ImportExportMixin(EntityMixin, PermissionMixin):
    resource_class: ClassVar[type]
    filterset_class: ClassVar[type]
    selector: ClassVar[Any]

    def file_stem(self) -> str:
        return f"{self.entity}s-{timezone.localdate():%Y%m%d}"


def _xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class RecordExportView(ImportExportMixin, View):
    """The list as .xlsx or .csv, with the filters of the list page applied (a job when large)."""

    http_method_names = ["get"]

    def get(self, request: HttpRequest) -> HttpResponse:
        filterset = selectors.filtered(self.filterset_class, request.GET or None, type(self).selector(), request)
        queryset = filterset.qs.order_by("code", "id")
        resource = self.resource_class()
        rows = (resource.export_resource(instance) for instance in resource.iter_queryset(queryset))
        table = Table(self.model._meta.verbose_name_plural, self.file_stem(), resource.get_export_headers(), rows)
        table.count = queryset.count()
        return export_respond(request, table)


class RecordImportTemplateView(ImportExportMixin, View):
    http_method_names = ["get"]
    action = "add"

    def get(self, request: HttpRequest) -> HttpResponse:
        return _xlsx_response(resources.workbook_bytes(self.resource_class()), f"{self.entity}s-template.xlsx")


class RecordImportView(ImportExportMixin, View):
    """Upload, then a dry-run preview listing every row error; confirming imports all rows or none."""

    http_method_names = ["get", "post"]
    action = "add"
    template_name = "masterdata/import.html"

    def render_page(self, request, form, **extra) -> HttpResponse:
        context = {
            **self.entity_context(),
            "form": form,
            "template_url": reverse(f"masterdata:{self.entity}_import_template"),
            "confirm_url": reverse(f"masterdata:{self.entity}_import_confirm"),
            "columns": self.resource_class().column_labels().items(),
            **extra,
        }
        return render(request, self.template_name, context, status=extra.get("status", 200))

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render_page(request, forms.ImportUploadForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = forms.ImportUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_page(request, form)
        content, extension = form.cleaned_data["content"], form.cleaned_data["extension"]
        try:
            dataset = resources.load_dataset(content, extension)
        except ValidationError as error:
            form.add_error("file", error)
            return self.render_page(request, form)
        file_name = PurePath(form.cleaned_data["file"].name).name
        result = services.import_run(
            actor=request.user, resource=self.resource_class(), dataset=dataset, file_name=file_name, dry_run=True
        )
        errors = resources.import_errors(result, self.resource_class().column_labels())
        token = ""
        if not errors:
            stored = default_storage.save(f"imports/{uuid.uuid4().hex}{extension}", ContentFile(content))
            token = signing.dumps({"path": stored, "name": file_name, "user": request.user.pk}, salt=IMPORT_SALT)
        return self.render_page(
            request,
            forms.ImportUploadForm(),
            preview=True,
            file_name=file_name,
            errors=errors,
            totals=result.totals,
            total_rows=result.total_rows,
            token=token,
        )


class RecordImportConfirmView(ImportExportMixin, View):
    http_method_names = ["post"]
    action = "add"

    def post(self, request: HttpRequest) -> HttpResponse:
        try:
            ticket = signing.loads(request.POST.get("token", ""), salt=IMPORT_SALT, max_age=IMPORT_MAX_AGE)
        except signing.BadSignature:
            ticket = {}
        if ticket.get("user") != request.user.pk or not default_storage.exists(ticket.get("path", "")):
            # Expired, tampered with, someone else's, or already imported (a second click).
            messages.error(request, _("The import has expired or is invalid; upload the file again."))
            return redirect(reverse(f"masterdata:{self.entity}_import"))
        with default_storage.open(ticket["path"], "rb") as handle:
            content = handle.read()
        dataset = resources.load_dataset(content, PurePath(ticket["path"]).suffix)
        result = services.import_run(
            actor=request.user, resource=self.resource_class(), dataset=dataset, file_name=ticket["name"], dry_run=False
        )
        default_storage.delete(ticket["path"])
        errors = resources.import_errors(result)
        list_url = reverse(f"masterdata:{self.entity}_list")
        if errors:
            messages.error(
                request, _("Nothing was imported: the file has %(count)d error(s).") % {"count": len(errors)}
            )
            return redirect(reverse(f"masterdata:{self.entity}_import"))
        totals = result.totals
        messages.success(
            request,
            _("%(file)s imported: %(new)d new, %(update)d updated.")
            % {"file": ticket["name"], "new": totals.get("new", 0), "update": totals.get("update", 0)},
        )
        return redirect(list_url)


class ProductImportMixin:
    model = Product
    entity = "product"
    resource_class = resources.ProductResource
    filterset_class = filters.ProductFilter
    selector = selectors.product_list


class SupplierImportMixin:
    model = Supplier
    entity = "supplier"
    resource_class = resources.SupplierResource
    filterset_class = filters.SupplierFilter
    selector = selectors.supplier_list


class CustomerImportMixin:
    model = Customer
    entity = "customer"
    resource_class = resources.CustomerResource
    filterset_class = filters.CustomerFilter
    selector = selectors.customer_list


class ProductExportView(ProductImportMixin, RecordExportView):
    pass


class ProductImportTemplateView(ProductImportMixin, RecordImportTemplateView):
    pass


class ProductImportView(ProductImportMixin, RecordImportView):
    pass


class ProductImportConfirmView(ProductImportMixin, RecordImportConfirmView):
    pass


class SupplierExportView(SupplierImportMixin, RecordExportView):
    pass


class SupplierImportTemplateView(SupplierImportMixin, RecordImportTemplateView):
    pass


class SupplierImportView(SupplierImportMixin, RecordImportView):
    pass


class SupplierImportConfirmView(SupplierImportMixin, RecordImportConfirmView):
    pass


class CustomerExportView(CustomerImportMixin, RecordExportView):
    pass


class CustomerImportTemplateView(CustomerImportMixin, RecordImportTemplateView):
    pass


class CustomerImportView(CustomerImportMixin, RecordImportView):
    pass


class CustomerImportConfirmView(CustomerImportMixin, RecordImportConfirmView):
    pass
