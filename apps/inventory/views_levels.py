"""Pages of stock levels, alerts, classification, storage locations and the inventory settings."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import ListView

from apps.core.forms import apply_service_error
from apps.core.mixins import PaginatedListMixin, PermissionMixin
from apps.inventory.forms_levels import (
    InventoryPolicyForm,
    StockLevelApplyForm,
    StockLevelFilter,
    StorageLocationForm,
    level_grid_rows,
)
from apps.inventory.models import InventoryPolicy, StorageLocation
from apps.inventory.selectors_levels import (
    AlertKind,
    classification_matrix,
    classification_period,
    stock_alert_counts,
    stock_alerts,
    stock_levels,
)
from apps.inventory.services.classification import classification_recompute
from apps.inventory.services.levels import (
    POLICY_FIELDS,
    inventory_policy_update,
    stock_levels_bulk_set,
    storage_location_save,
)
from apps.masterdata.selectors import warehouses_for_user

ALERT_LABELS = {
    AlertKind.BELOW_SAFETY: gettext_lazy("Below safety stock"),
    AlertKind.REORDER: gettext_lazy("At or below reorder point"),
    AlertKind.EXCESS: gettext_lazy("Above maximum"),
    AlertKind.NO_MOVEMENT: gettext_lazy("No movement"),
}


def _chosen_warehouse(request):
    """The warehouse in ``?warehouse=`` if the user may use it, else their first one (None if none)."""
    warehouses = warehouses_for_user(request.user)
    chosen = request.GET.get("warehouse") or request.POST.get("warehouse")
    if chosen and str(chosen).isdigit():
        found = warehouses.filter(pk=chosen).first()
        if found:
            return found, warehouses
    return warehouses.first(), warehouses


def _refused(request, error: Exception) -> None:
    for message in getattr(error, "messages", None) or [str(error)]:
        messages.error(request, message)


class StockLevelListView(PermissionMixin, PaginatedListMixin, ListView):
    """安全库存 / 再订货点: levels of the products in one warehouse, edited in place or for every filtered row."""

    permission_required = "inventory.view_stocklevel"
    template_name = "inventory/stocklevel_list.html"
    context_object_name = "products"
    sortable_fields = ("code", "on_hand", "safety_stock", "reorder_point", "location_code")
    default_ordering = ("code",)

    def dispatch(self, request, *args, **kwargs):
        self.warehouse, self.warehouses = _chosen_warehouse(request)
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        if self.warehouse is None:
            raise Http404(_("No warehouse to show."))
        base = stock_levels(user=self.request.user, warehouse_id=self.warehouse.pk)
        self.filterset = StockLevelFilter(self.request.GET, queryset=base)
        return self.filterset.qs.order_by(*self.get_ordering())

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            filter=self.filterset,
            warehouse=self.warehouse,
            warehouses=self.warehouses,
            matching=self.filterset.qs.count(),
            apply_form=kwargs.pop("apply_form", None) or StockLevelApplyForm(),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        """Save the grid (``save``) or apply the levels to every filtered product (``apply``)."""
        if not request.user.has_perm("inventory.change_stocklevel"):
            raise PermissionDenied
        self.object_list = queryset = self.get_queryset()
        if "apply" in request.POST:
            form = StockLevelApplyForm(request.POST)
            if not form.is_valid():
                return self.render_to_response(self.get_context_data(apply_form=form), status=400)
            rows = form.inputs(list(queryset.values_list("pk", flat=True)), self.warehouse.pk)
        else:
            page_ids = [int(pk) for pk in request.POST.getlist("product") if pk.isdigit()]
            rows, errors = level_grid_rows(request.POST, queryset.filter(pk__in=page_ids), self.warehouse)
            if errors:
                for error in errors:
                    messages.error(request, error)
                return redirect(request.get_full_path())
        try:
            count = stock_levels_bulk_set(actor=request.user, rows=rows)
        except (ValidationError, PermissionDenied) as error:
            _refused(request, error)
        else:
            messages.success(request, _("Stock levels saved for %(count)s products.") % {"count": count})
        return redirect(request.get_full_path())


class StockAlertView(PermissionMixin, PaginatedListMixin, ListView):
    """库存预警: products below safety stock, to reorder, above maximum, or not moving."""

    permission_required = "inventory.view_stocklevel"
    template_name = "inventory/stock_alerts.html"
    context_object_name = "rows"

    def get_queryset(self):
        self.kind = self.request.GET.get("kind")
        if self.kind not in AlertKind.ALL:
            self.kind = AlertKind.BELOW_SAFETY
        self.warehouse_id = self.request.GET.get("warehouse")
        self.warehouse_id = int(self.warehouse_id) if (self.warehouse_id or "").isdigit() else None
        return stock_alerts(user=self.request.user, kind=self.kind, warehouse_id=self.warehouse_id)

    def get_context_data(self, **kwargs):
        counts = stock_alert_counts(user=self.request.user)
        if self.warehouse_id:
            counts = {self.warehouse_id: counts.get(self.warehouse_id, {})}
        tabs = [(kind, ALERT_LABELS[kind], sum(per.get(kind, 0) for per in counts.values())) for kind in AlertKind.ALL]
        return super().get_context_data(
            kind=self.kind,
            tabs=tabs,
            warehouses=warehouses_for_user(self.request.user),
            warehouse_id=self.warehouse_id,
            no_movement_days=InventoryPolicy.load().no_movement_days,
            **kwargs,
        )


class ClassificationView(PermissionMixin, View):
    """库存分类: the ABC × XYZ matrix with counts and stock value; recompute on demand."""

    permission_required = "inventory.view_stockclassification"

    def get(self, request):
        warehouse_id = request.GET.get("warehouse")
        warehouse_id = int(warehouse_id) if (warehouse_id or "").isdigit() else None
        matrix = classification_matrix(user=request.user, warehouse_id=warehouse_id)
        grid = [(abc, [(f"{abc}{xyz}", xyz, matrix[f"{abc}{xyz}"]) for xyz in "XYZ"]) for abc in "ABC"]
        context = {
            "grid": grid,
            "period": classification_period(user=request.user),
            "warehouses": warehouses_for_user(request.user),
            "warehouse_id": warehouse_id,
            "policy": InventoryPolicy.load(),
        }
        return render(request, "inventory/classification.html", context)


class ClassificationRecomputeView(PermissionMixin, View):
    permission_required = "inventory.change_stockclassification"
    http_method_names = ["post"]

    def post(self, request):
        try:
            count = classification_recompute(actor=request.user)
        except PermissionDenied as error:
            _refused(request, error)
        else:
            messages.success(request, _("Classified %(count)s product × warehouse pairs.") % {"count": count})
        return redirect("inventory:classification")


class StorageLocationListView(PermissionMixin, PaginatedListMixin, ListView):
    """货位: the storage locations of a warehouse."""

    permission_required = "inventory.view_storagelocation"
    template_name = "inventory/storagelocation_list.html"
    context_object_name = "locations"
    default_ordering = ("warehouse__code", "sort_order", "code")

    def get_queryset(self):
        self.warehouse, self.warehouses = _chosen_warehouse(self.request)
        queryset = StorageLocation.objects.filter(warehouse__in=self.warehouses).select_related("warehouse")
        if self.warehouse is not None:
            queryset = queryset.filter(warehouse=self.warehouse)
        return queryset.order_by(*self.get_ordering())

    def get_context_data(self, **kwargs):
        return super().get_context_data(warehouse=self.warehouse, warehouses=self.warehouses, **kwargs)


class StorageLocationEditView(PermissionMixin, View):
    permission_required = "inventory.change_storagelocation"
    template_name = "inventory/storagelocation_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        self.warehouses = warehouses_for_user(request.user)
        self.location = None
        if "pk" in kwargs:
            self.location = get_object_or_404(StorageLocation, pk=kwargs["pk"], warehouse__in=self.warehouses)
        return super().dispatch(request, *args, **kwargs)

    def _form(self, data=None):
        initial = {"warehouse": self.request.GET.get("warehouse")}
        return StorageLocationForm(data, instance=self.location, initial=initial, warehouses=self.warehouses)

    def get(self, request, pk=None):
        return render(request, self.template_name, {"form": self._form(), "location": self.location})

    def post(self, request, pk=None):
        form = self._form(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                location = storage_location_save(
                    actor=request.user,
                    location=self.location,
                    warehouse=data["warehouse"],
                    code=data["code"],
                    zone=data["zone"],
                    sort_order=data["sort_order"],
                    is_active=data["is_active"],
                )
            except ValidationError as error:
                apply_service_error(form, error)
            except PermissionDenied as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Location %(code)s saved.") % {"code": location.code})
                return redirect(reverse("inventory:location_list") + f"?warehouse={location.warehouse_id}")
        return render(request, self.template_name, {"form": form, "location": self.location}, status=400)


class InventoryPolicyView(PermissionMixin, View):
    """The inventory settings: classification limits, count approval threshold, cycle counts, alerts."""

    permission_required = "inventory.change_inventorypolicy"
    template_name = "inventory/inventorypolicy_form.html"

    def get(self, request):
        return render(request, self.template_name, {"form": InventoryPolicyForm(instance=InventoryPolicy.load())})

    def post(self, request):
        form = InventoryPolicyForm(request.POST, instance=InventoryPolicy.load())
        if form.is_valid():
            try:
                inventory_policy_update(actor=request.user, **{name: form.cleaned_data[name] for name in POLICY_FIELDS})
            except ValidationError as error:
                apply_service_error(form, error)
            else:
                messages.success(request, _("Inventory settings saved."))
                return redirect("inventory:policy")
        return render(request, self.template_name, {"form": form}, status=400)
