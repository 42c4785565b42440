"""Stock pages: stock on hand, the stock ledger, stock as of a date, and the adjustment documents."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, ListView

from apps.core.documents.views import pipeline_commands, post_saved, save_then_post
from apps.core.exports import CHUNK_SIZE, Table, export_response, priced_table
from apps.core.forms import apply_service_error
from apps.core.mixins import PaginatedListMixin, PermissionMixin
from apps.core.prices import PriceKind, can_see, visible_columns
from apps.core.selectors import audit_trail_for
from apps.inventory.filters import StockAdjustmentFilter, StockAsOfFilter, StockMovementFilter, StockOnHandFilter
from apps.inventory.forms import (
    IMPORT_HEADERS,
    LINE_GRID_PREFIX,
    OpeningStockImportForm,
    StockAdjustmentForm,
    StockAdjustmentLineFormSet,
    line_formset_initial,
)
from apps.inventory.models import ADJUSTMENT_KINDS, AdjustmentKind, StockBalance
from apps.inventory.selectors import (
    source_documents,
    stock_adjustments,
    stock_as_of,
    stock_as_of_totals,
    stock_available,
    stock_movements,
    stock_movements_in_scope,
    stock_on_hand,
    stock_totals,
)
from apps.inventory.selectors_levels import with_levels
from apps.inventory.selectors_transfers import in_transit_totals
from apps.inventory.services import (
    ADJUSTMENT_PIPELINE,
    adjustment_lines_with_hidden_costs,
    stock_adjustment_approve,
    stock_adjustment_create,
    stock_adjustment_post,
    stock_adjustment_reverse,
    stock_adjustment_transition,
    stock_adjustment_update,
)
from apps.jobs.exports import export_respond
from apps.masterdata.models import Product
from apps.masterdata.selectors import warehouses_for_user

MAX_AVAILABLE_PRODUCTS = 200


class StockOnHandView(PermissionMixin, PaginatedListMixin, ListView):
    """即时库存: balances by product and warehouse, with totals over every filtered row."""

    permission_required = "inventory.view_stockbalance"
    template_name = "inventory/stock_list.html"
    context_object_name = "balances"
    sortable_fields = ("product__code", "warehouse__code", "on_hand", "reserved", "available", "value", "avg_cost")
    price_sort_fields = {"value": PriceKind.COST, "avg_cost": PriceKind.COST}
    default_ordering = ("product__code", "warehouse__code")

    def get_queryset(self):
        self.filterset = StockOnHandFilter(
            self.request.GET, queryset=with_levels(stock_on_hand(user=self.request.user)), request=self.request
        )
        return self.filterset.qs.order_by(*self.get_ordering())

    def get_context_data(self, **kwargs):
        warehouse = self.filterset.form.cleaned_data.get("warehouse") if self.filterset.form.is_valid() else None
        in_transit = in_transit_totals(user=self.request.user, warehouse_id=warehouse.pk if warehouse else None)
        return super().get_context_data(
            filter=self.filterset, totals=stock_totals(self.filterset.qs), in_transit=in_transit, **kwargs
        )


class StockOnHandExportView(StockOnHandView):
    def get(self, request, *args, **kwargs):
        queryset = self.get_queryset()
        columns = [  # (name, queryset field, header); names in apps.core.prices.FIELD_KINDS are 价格屏蔽
            ("product__code", "product__code", _("Item code")),
            ("product__name", "product__name", _("Name")),
            ("product__specification", "product__specification", _("Specification")),
            ("product__category__name", "product__category__name", _("Product category")),
            ("warehouse__name", "warehouse__name", _("Warehouse")),
            ("product__base_unit__name", "product__base_unit__name", _("Unit")),
            ("on_hand", "on_hand", _("On hand")),
            ("reserved", "reserved", _("Reserved")),
            ("available", "available", _("Available")),
            ("avg_cost", "avg_cost", _("Average cost")),
            ("stock_value", "value", _("Stock value")),
            ("safety_stock", "safety_stock", _("Safety stock")),
            ("reorder_point", "reorder_point", _("Reorder point")),
            ("max_stock", "max_stock", _("Maximum stock level")),
            ("location_code", "location_code", _("Location")),
        ]
        table = _values_table(
            request.user, queryset, columns, _("Stock on hand"), f"stock-{timezone.localdate():%Y%m%d}"
        )
        return export_respond(request, table)


def _values_table(user, queryset, columns, title, filename) -> Table:
    """An export of ``queryset.values_list`` over the ``columns`` ``user`` may see (ADR 0007)."""
    shown = set(visible_columns(user, [name for name, _field, _header in columns]))
    columns = [column for column in columns if column[0] in shown]
    rows = queryset.values_list(*(field for _name, field, _header in columns)).iterator(chunk_size=CHUNK_SIZE)
    return Table(title, filename, [header for _name, _field, header in columns], rows, count=queryset.count())


class StockMovementListView(PermissionMixin, PaginatedListMixin, ListView):
    """库存流水: movements oldest first with the running balance after each, linked to their documents."""

    permission_required = "inventory.view_stockmovement"
    template_name = "inventory/movement_list.html"
    context_object_name = "movements"
    sortable_fields = ("posted_at",)
    default_ordering = ("id",)

    def get_ordering(self):
        # "By time" is the ledger order, which is the id order (ids follow the balance locks).
        return ("-id",) if self.request.GET.get("sort") == "-posted_at" else self.default_ordering

    def get_queryset(self):
        self.filterset = StockMovementFilter(
            self.request.GET, queryset=stock_movements(user=self.request.user), request=self.request
        )
        return self.filterset.qs.order_by(*self.get_ordering())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(filter=self.filterset, **kwargs)
        postings = {movement.posting_id: movement.posting for movement in context["movements"]}
        documents = source_documents(postings.values())
        for movement in context["movements"]:
            movement.source_document = documents.get(movement.posting_id)
        product_id = self.filterset.form.cleaned_data.get("product") if self.filterset.form.is_valid() else None
        context["product"] = Product.objects.filter(pk=product_id).first() if product_id else None
        return context


class StockMovementExportView(StockMovementListView):
    """The stock ledger as filtered on screen, oldest first."""

    def get(self, request, *args, **kwargs):
        queryset = self.get_queryset()
        rows = (
            (
                movement.posted_at,
                f"{movement.posting.document_number}#{movement.line_no}",
                movement.get_movement_type_display(),
                movement.product.code,
                movement.product.name,
                movement.warehouse.name,
                movement.quantity,
                movement.unit_cost,
                movement.value,
                movement.quantity_after,
                movement.value_after,
                str(movement.posting.posted_by or ""),
            )
            for movement in queryset.iterator(chunk_size=CHUNK_SIZE)
        )
        columns = [
            ("posted_at", _("Posted at")),
            ("document", _("Document no.")),
            ("movement_type", _("Movement type")),
            ("product_code", _("Item code")),
            ("product_name", _("Name")),
            ("warehouse", _("Warehouse")),
            ("quantity", _("Quantity")),
            ("unit_cost", _("Unit cost")),
            ("cost_amount", _("Value")),
            ("quantity_after", _("Balance quantity")),
            ("value_after", _("Balance value")),
            ("posted_by", _("Posted by")),
        ]
        filename = f"stock-ledger-{timezone.localdate():%Y%m%d}"
        table = priced_table(request.user, _("Stock ledger"), filename, columns, rows, count=queryset.count())
        return export_respond(request, table)


class StockAsOfView(PermissionMixin, PaginatedListMixin, ListView):
    """库存余额表: quantity and value of each product × warehouse at the end of a chosen day."""

    permission_required = "inventory.view_stockbalance"
    template_name = "inventory/stock_as_of.html"
    context_object_name = "balances"
    sortable_fields = ("product__code", "warehouse__code")
    default_ordering = ("product__code", "warehouse__code")

    def get_queryset(self):
        self.filterset = StockAsOfFilter(self.request.GET, queryset=StockBalance.objects.none(), request=self.request)
        self.day = self.filterset.as_of_day
        self.filterset.queryset = stock_as_of(user=self.request.user, day=self.day)
        return self.filterset.qs.order_by(*self.get_ordering())

    def get_context_data(self, **kwargs):
        def same_filters(queryset):
            return StockAsOfFilter(self.request.GET, queryset=queryset, request=self.request).qs

        totals = stock_as_of_totals(
            balances=same_filters(stock_on_hand(user=self.request.user)),
            movements=same_filters(stock_movements_in_scope(user=self.request.user)),
            day=self.day,
        )
        return super().get_context_data(filter=self.filterset, day=self.day, totals=totals, **kwargs)


class StockAsOfExportView(StockAsOfView):
    def get(self, request, *args, **kwargs):
        columns = [
            ("product__code", "product__code", _("Item code")),
            ("product__name", "product__name", _("Name")),
            ("product__category__name", "product__category__name", _("Product category")),
            ("warehouse__name", "warehouse__name", _("Warehouse")),
            ("product__base_unit__name", "product__base_unit__name", _("Unit")),
            ("qty_as_of", "qty_as_of", _("Quantity")),
            ("value_as_of", "value_as_of", _("Value")),
        ]
        queryset = self.get_queryset()
        table = _values_table(
            request.user, queryset, columns, _("Stock balance report"), f"stock-as-of-{self.day:%Y%m%d}"
        )
        return export_respond(request, table)


class StockAvailableView(PermissionMixin, View):
    """JSON for line grids: on-hand, reserved and available of some products in one warehouse."""

    permission_required = "inventory.view_stockbalance"
    http_method_names = ["get"]

    def get(self, request):
        try:
            warehouse_id = int(request.GET["warehouse"])
            product_ids = [int(value) for value in request.GET.getlist("product")]
        except (KeyError, ValueError):
            return HttpResponseBadRequest(_("Give a warehouse id and product ids."))
        if len(product_ids) > MAX_AVAILABLE_PRODUCTS:
            return HttpResponseBadRequest(_("Ask for at most %(count)s products.") % {"count": MAX_AVAILABLE_PRODUCTS})
        return JsonResponse(stock_available(user=request.user, warehouse_id=warehouse_id, product_ids=product_ids))


# --- Stock adjustment documents ---------------------------------------------------------------


class StockAdjustmentListView(PermissionMixin, PaginatedListMixin, ListView):
    permission_required = "inventory.view_stockadjustment"
    template_name = "inventory/stockadjustment_list.html"
    context_object_name = "documents"
    sortable_fields = ("number", "date", "status")
    default_ordering = ("-date", "-id")

    def get_queryset(self):
        self.filterset = StockAdjustmentFilter(
            self.request.GET, queryset=stock_adjustments(user=self.request.user), request=self.request
        )
        return self.filterset.qs.order_by(*self.get_ordering())

    def get_context_data(self, **kwargs):
        return super().get_context_data(filter=self.filterset, kinds=AdjustmentKind.choices, **kwargs)


class StockAdjustmentDetailView(PermissionMixin, DetailView):
    permission_required = "inventory.view_stockadjustment"
    template_name = "inventory/stockadjustment_detail.html"
    context_object_name = "document"

    def get_queryset(self):
        return stock_adjustments(user=self.request.user)

    def get_context_data(self, **kwargs):
        lines = self.object.lines.select_related("product", "product__base_unit", "movement").order_by("line_no")
        return super().get_context_data(lines=lines, audit_trail=audit_trail_for(self.object), **kwargs)


class StockAdjustmentEditView(PermissionMixin, View):
    """Create a draft (``?kind=opening|other_receipt|other_issue|adjustment``) or edit one, with its line grid."""

    template_name = "inventory/stockadjustment_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():  # before the lookup: a role without the permission never learns what exists
            return self.handle_no_permission()
        self.document = None
        if "pk" in kwargs:
            self.document = get_object_or_404(stock_adjustments(user=request.user), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def _forms(self, data=None):
        warehouses = warehouses_for_user(self.request.user)
        if self.document:
            form = StockAdjustmentForm(data, instance=self.document, warehouses=warehouses)
            formset = StockAdjustmentLineFormSet(
                data,
                prefix=LINE_GRID_PREFIX,
                initial=None if data else line_formset_initial(self.document),
                form_kwargs=self.line_form_kwargs(),
            )
        else:
            kind = self.request.GET.get("kind")
            initial = {
                "kind": kind if kind in AdjustmentKind.values else AdjustmentKind.OPENING,
                "date": timezone.localdate(),
            }
            initial.update(_only_warehouse(warehouses))
            form = StockAdjustmentForm(data, initial=initial, warehouses=warehouses)
            if kind in AdjustmentKind.values:  # chosen from the list's buttons: the page is that document's
                form.fields["kind"].disabled = True
            formset = StockAdjustmentLineFormSet(data, prefix=LINE_GRID_PREFIX, form_kwargs=self.line_form_kwargs())
        return form, formset

    def line_form_kwargs(self) -> dict:
        return {"show_costs": can_see(self.request.user, PriceKind.COST)}

    def line_inputs(self, formset, warehouse) -> list:
        lines = formset.line_inputs()
        if not can_see(self.request.user, PriceKind.COST):
            lines = adjustment_lines_with_hidden_costs(warehouse=warehouse, lines=lines, previous=self.document)
        return lines

    def _render(self, form, formset, status=200):
        kind = self.document.kind if self.document else form["kind"].value()
        context = {
            "form": form,
            "formset": formset,
            "document": self.document,
            "kind_label": AdjustmentKind(kind).label if kind in AdjustmentKind.values else None,
            # Issues leave at the moving average cost: no unit cost to enter, no amount to show.
            "outbound": kind in AdjustmentKind.values and ADJUSTMENT_KINDS[kind][2] < 0,
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, *args, **kwargs):
        if self.document and not self.document.is_editable:
            messages.error(request, _("A posted document cannot be edited; reverse it instead."))
            return redirect(self.document)
        return self._render(*self._forms())

    def post(self, request, *args, **kwargs):
        form, formset = self._forms(request.POST)
        if not (form.is_valid() and formset.is_valid()):
            return self._render(form, formset, status=400)
        data = form.cleaned_data
        header = {
            "warehouse": data["warehouse"],
            "date": data["date"],
            "reason": data["reason"],
            "remarks": data["remarks"],
            "lines": self.line_inputs(formset, data["warehouse"]),
        }
        post = None
        if request.user.has_perm("inventory.post_stockadjustment"):
            post = lambda document: stock_adjustment_post(actor=request.user, document=document)  # noqa: E731
        try:
            if self.document:
                document = stock_adjustment_update(actor=request.user, document=self.document, **header)
                messages.success(request, _("%(number)s saved.") % {"number": document.number})
                if post is not None and "post" in request.POST:
                    post_saved(request, post, document)
            else:
                document = save_then_post(
                    request,
                    create=lambda: stock_adjustment_create(actor=request.user, kind=data["kind"], **header),
                    post=post,
                )
        except ValidationError as error:
            apply_service_error(form, error)
            return self._render(form, formset, status=400)
        return redirect(document)


def _only_warehouse(warehouses) -> dict:
    """``{"warehouse": it}`` when the user works in a single warehouse (nothing to choose), else ``{}``."""
    only = list(warehouses[:2])
    return {"warehouse": only[0]} if len(only) == 1 else {}


class StockAdjustmentCreateView(StockAdjustmentEditView):
    permission_required = "inventory.add_stockadjustment"


class StockAdjustmentUpdateView(StockAdjustmentEditView):
    permission_required = "inventory.change_stockadjustment"


def _adjustment_transition(action: str):
    def run(*, actor, document, reason):
        return stock_adjustment_transition(actor=actor, document=document, action=action, reason=reason)

    return run


_adjustment_commands = pipeline_commands(
    ADJUSTMENT_PIPELINE,
    queryset=lambda user: stock_adjustments(user=user),
    post=lambda actor, document, reason: stock_adjustment_post(actor=actor, document=document),
    submit=_adjustment_transition("submit"),
    withdraw=_adjustment_transition("withdraw"),
    approve=lambda actor, document, reason: stock_adjustment_approve(actor=actor, document=document),
    reject=_adjustment_transition("reject"),
    reverse=lambda actor, document, reason: stock_adjustment_reverse(actor=actor, document=document, memo=reason),
)
stock_adjustment_post_view, stock_adjustment_submit_view, stock_adjustment_withdraw_view = (
    _adjustment_commands[action] for action in ("post", "submit", "withdraw")
)
stock_adjustment_approve_view, stock_adjustment_reject_view, stock_adjustment_reverse_view = (
    _adjustment_commands[action] for action in ("approve", "reject", "reverse")
)


class OpeningStockImportView(PermissionMixin, View):
    """期初库存导入: an Excel sheet becomes a draft opening-stock document, checked and posted as usual."""

    permission_required = "inventory.add_stockadjustment"
    template_name = "inventory/opening_stock_import.html"

    def _form(self, data=None, files=None):
        warehouses = warehouses_for_user(self.request.user)
        return OpeningStockImportForm(
            data, files, warehouses=warehouses, initial={"date": timezone.localdate(), **_only_warehouse(warehouses)}
        )

    def get(self, request):
        if "template" in request.GET:
            headers = [_("Item code"), _("Quantity"), _("Unit cost"), _("Remarks")]
            return export_response(Table(_("Opening stock"), "opening-stock", headers, []))
        return render(request, self.template_name, {"form": self._form(), "headers": IMPORT_HEADERS})

    def post(self, request):
        form = self._form(request.POST, request.FILES)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form, "headers": IMPORT_HEADERS}, status=400)
        try:
            document = stock_adjustment_create(
                actor=request.user,
                kind=AdjustmentKind.OPENING,
                warehouse=form.cleaned_data["warehouse"],
                date=form.cleaned_data["date"],
                lines=form.cleaned_data["file"],
                reason=_("Imported from %(file)s") % {"file": request.FILES["file"].name[:100]},
            )
        except ValidationError as error:
            apply_service_error(form, error)
            return render(request, self.template_name, {"form": form, "headers": IMPORT_HEADERS}, status=400)
        messages.success(
            request,
            _("%(document)s created with %(count)s lines: check it, then post it.")
            % {"document": document.number, "count": len(form.cleaned_data["file"])},
        )
        return redirect(document)
