"""Thin views: bind the form / formset / FilterSet, call one selector or service, render or redirect."""

import datetime
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, ListView, TemplateView

from apps.core.documents.views import command_view, pipeline_commands, post_saved, save_then_post, show_refusal
from apps.core.forms import apply_service_error
from apps.core.mixins import PaginatedListMixin, PermissionMixin
from apps.core.models import SystemSettings
from apps.core.prices import PriceKind, can_see
from apps.core.selectors import audit_trail_for
from apps.inventory.selectors_levels import default_locations
from apps.jobs.exports import export_respond
from apps.masterdata.models import Product, Supplier
from apps.masterdata.selectors import product_lookup
from apps.procurement import selectors, services
from apps.procurement.exports import purchase_orders_table
from apps.procurement.filters import (
    GoodsReceiptFilter,
    ProductChoiceForm,
    PurchaseOrderFilter,
    PurchaseReturnFilter,
    SupplierPaymentFilter,
    SupplierPriceFilter,
)
from apps.procurement.forms import (
    AllocationFormSet,
    AllocationMode,
    GoodsReceiptFreeLineFormSet,
    GoodsReceiptHeaderForm,
    GoodsReceiptLineFormSet,
    PayablesReportForm,
    PurchaseOrderForm,
    PurchaseOrderLineFormSet,
    PurchaseReturnForm,
    PurchaseReturnLineFormSet,
    SupplierPaymentForm,
    SupplierPriceForm,
)
from apps.procurement.models import (
    DocumentStatus,
    GoodsReceipt,
    GoodsReceiptLine,
    PurchaseOrder,
    PurchaseReturn,
    SupplierPayment,
    SupplierPrice,
)


def show_error(request, error: ValidationError) -> None:
    show_refusal(request, error)


# --- supplier price list ----------------------------------------------------------------------


class SupplierPriceListView(PermissionMixin, PaginatedListMixin, ListView):
    permission_required = "procurement.view_supplierprice"
    template_name = "procurement/supplierprice_list.html"
    context_object_name = "prices"
    sortable_fields = ("product__code", "supplier__code", "price", "lead_time_days", "valid_from")
    default_ordering = ("product__code", "supplier__code", "-valid_from")

    def get_queryset(self):
        self.filterset = SupplierPriceFilter(self.request.GET or None, queryset=selectors.supplier_price_list())
        return self.filterset.qs.order_by(*self.get_ordering())

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "filter": self.filterset, "today": timezone.localdate()}


class SupplierPriceEditView(PermissionMixin, TemplateView):
    permission_required = "procurement.add_supplierprice"
    template_name = "procurement/supplierprice_form.html"

    def get_object(self):
        return None

    def dispatch_form(self, data=None):
        return SupplierPriceForm(data, instance=self.object)

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return self.render_to_response(self.get_context_data(form=self.dispatch_form()))

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = self.dispatch_form(request.POST)
        if form.is_valid():
            try:
                if self.object is None:
                    services.supplier_price_create(actor=request.user, data=form.cleaned_data)
                else:
                    services.supplier_price_update(actor=request.user, row=self.object, data=form.cleaned_data)
            except ValidationError as error:
                apply_service_error(form, error)
            else:
                messages.success(request, _("Price saved."))
                return redirect("procurement:supplierprice_list")
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "object": self.object}


class SupplierPriceUpdateView(SupplierPriceEditView):
    permission_required = "procurement.change_supplierprice"

    def get_object(self):
        return get_object_or_404(SupplierPrice, pk=self.kwargs["pk"])


class SupplierPriceDeleteView(PermissionMixin, View):
    permission_required = "procurement.delete_supplierprice"
    http_method_names = ["post"]

    def post(self, request, pk):
        row = get_object_or_404(SupplierPrice, pk=pk)
        services.supplier_price_delete(actor=request.user, row=row)
        messages.success(request, _("Price deleted."))
        return redirect("procurement:supplierprice_list")


class SupplierPriceLookupView(PermissionMixin, View):
    """GET ?supplier=&product=[&unit=&date=] → the price default the line grid puts on a row."""

    permission_required = "procurement.view_supplierprice"
    http_method_names = ["get"]

    def get(self, request):
        try:
            supplier = Supplier.objects.get(pk=int(request.GET.get("supplier", "")))
            product = Product.objects.get(pk=int(request.GET.get("product", "")))
            on_date = datetime.date.fromisoformat(request.GET["date"]) if request.GET.get("date") else None
            unit_id = int(request.GET["unit"]) if request.GET.get("unit") else None
        except (ValueError, Supplier.DoesNotExist, Product.DoesNotExist):
            return JsonResponse({"error": _("Choose a supplier and a product.")}, status=400)
        payload = selectors.supplier_price_for(supplier=supplier, product=product, on_date=on_date, unit_id=unit_id)
        if not can_see(request.user, PriceKind.PURCHASE_PRICE):  # a custom role: the lead time, not the price
            del payload["unit_price"]
        return JsonResponse(payload)


# --- purchase orders --------------------------------------------------------------------------


class PurchaseOrderListView(PermissionMixin, PaginatedListMixin, ListView):
    permission_required = "procurement.view_purchaseorder"
    template_name = "procurement/purchaseorder_list.html"
    context_object_name = "orders"
    sortable_fields = ("number", "order_date", "expected_date", "supplier__code", "total_amount", "status")
    price_sort_fields = {"total_amount": PriceKind.PURCHASE_PRICE}

    def get_queryset(self):
        self.filterset = PurchaseOrderFilter(
            self.request.GET or None,
            queryset=selectors.purchase_order_list(user=self.request.user),
        )
        return self.filterset.qs.order_by(*self.get_ordering())

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "filter": self.filterset}


class PurchaseOrderExportView(PermissionMixin, View):
    """The filtered list as a streamed .xlsx or .csv (a job when large)."""

    permission_required = "procurement.view_purchaseorder"
    http_method_names = ["get"]

    def get(self, request):
        queryset = selectors.purchase_order_list(filters=request.GET, user=request.user).order_by("-order_date", "-id")
        return export_respond(request, purchase_orders_table(queryset, user=request.user))


def _order_line_inputs(formset) -> list[services.OrderLineInput]:
    return [
        services.OrderLineInput(
            product=form.cleaned_data["product_obj"],
            quantity=form.cleaned_data["quantity"],
            unit=form.cleaned_data.get("unit"),
            unit_price=form.cleaned_data.get("unit_price"),
            tax_rate=form.cleaned_data.get("tax_rate"),
            remarks=form.cleaned_data.get("remarks", ""),
        )
        for form in formset.rows()
    ]


def _order_line_initial(order: PurchaseOrder) -> list[dict]:
    return [
        {
            "product": line.product_id,
            "product_search": f"{line.product.code} {line.product.name}",
            "unit": line.unit_id,
            "quantity": line.quantity,
            "unit_price": line.unit_price,
            "tax_rate": line.tax_rate,
            "remarks": line.remarks,
        }
        for line in order.lines.all()
    ]


class PurchaseOrderCreateView(PermissionMixin, TemplateView):
    permission_required = "procurement.add_purchaseorder"
    template_name = "procurement/purchaseorder_form.html"
    object = None

    def get_order(self):
        return None

    def get(self, request, *args, **kwargs):
        self.object = self.get_order()
        if self.object is None:
            form = PurchaseOrderForm(initial={"buyer": request.user.pk})
            formset = PurchaseOrderLineFormSet(prefix="lines")
        else:
            form = PurchaseOrderForm(instance=self.object)
            formset = PurchaseOrderLineFormSet(prefix="lines", initial=_order_line_initial(self.object))
        return self.render_to_response(self.get_context_data(form=form, formset=formset))

    def post(self, request, *args, **kwargs):
        self.object = self.get_order()
        form = PurchaseOrderForm(request.POST, instance=self.object or PurchaseOrder())
        formset = PurchaseOrderLineFormSet(request.POST, prefix="lines")
        if form.is_valid() and formset.is_valid():
            data = form.cleaned_data
            header = {
                "supplier": data["supplier"],
                "warehouse": data["warehouse"],
                "order_date": data["order_date"],
                "expected_date": data.get("expected_date"),
                "buyer": data.get("buyer"),
                "remarks": data.get("remarks", ""),
                "lines": _order_line_inputs(formset),
            }
            try:
                if self.object is None:
                    order = save_then_post(
                        request, create=lambda: services.purchase_order_create(actor=request.user, **header)
                    )
                else:
                    order = services.purchase_order_update(actor=request.user, order=self.object, **header)
                    messages.success(request, _("%(number)s saved.") % {"number": order.number})
            except ValidationError as error:
                apply_service_error(form, error)
            else:
                return redirect(order)
        return self.render_to_response(self.get_context_data(form=form, formset=formset))

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "object": self.object,
        }


class PurchaseOrderUpdateView(PurchaseOrderCreateView):
    permission_required = "procurement.change_purchaseorder"

    def get_order(self):
        order = get_object_or_404(
            selectors.purchase_orders_visible(user=self.request.user).prefetch_related("lines__product"),
            pk=self.kwargs["pk"],
        )
        if not order.is_editable:
            raise Http404
        return order

    def get(self, request, *args, **kwargs):
        order = get_object_or_404(selectors.purchase_orders_visible(user=request.user), pk=kwargs["pk"])
        if not order.is_editable:
            messages.error(
                request,
                _("%(number)s is %(status)s; only drafts can be edited.")
                % {"number": order.number, "status": order.get_status_display()},
            )
            return redirect(order)
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        order = get_object_or_404(selectors.purchase_orders_visible(user=request.user), pk=kwargs["pk"])
        if not order.is_editable:
            messages.error(
                request,
                _("%(number)s is %(status)s; only drafts can be edited.")
                % {"number": order.number, "status": order.get_status_display()},
            )
            return redirect(order)
        return super().post(request, *args, **kwargs)


class PurchaseOrderDetailView(PermissionMixin, DetailView):
    permission_required = "procurement.view_purchaseorder"
    template_name = "procurement/purchaseorder_detail.html"
    context_object_name = "order"

    def get_object(self, queryset=None):
        try:
            return selectors.purchase_order_detail(pk=self.kwargs["pk"], user=self.request.user)
        except PurchaseOrder.DoesNotExist as error:
            raise Http404 from error

    def get_context_data(self, **kwargs):
        order = self.object
        return {
            **super().get_context_data(**kwargs),
            "audit_trail": audit_trail_for(order),
            "receipts": order.receipts.select_related("created_by").order_by("receipt_date", "id"),
            "returns": PurchaseReturn.objects.filter(receipt__order=order).order_by("return_date", "id"),
            "payments": SupplierPayment.objects.filter(allocations__receipt__order=order).distinct(),
            "can_receive": order.status in services.RECEIVABLE_STATUSES
            and self.request.user.has_perm("procurement.add_goodsreceipt"),
        }


class PurchaseOrderPrintView(PurchaseOrderDetailView):
    template_name = "procurement/purchaseorder_print.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "company": SystemSettings.load()}


def order_command(action: str, permission: str):
    """The POST view of one row of ``services.ORDER_PIPELINE`` (the service checks the row again)."""
    return command_view(
        queryset=lambda user: selectors.purchase_orders_visible(user=user),
        permission=permission,
        run=lambda actor, document, reason: services.purchase_order_transition(
            actor=actor, order=document, action=action, reason=reason
        ),
    )


# --- goods receipts ---------------------------------------------------------------------------


class GoodsReceiptListView(PermissionMixin, PaginatedListMixin, ListView):
    permission_required = "procurement.view_goodsreceipt"
    template_name = "procurement/goodsreceipt_list.html"
    context_object_name = "receipts"
    sortable_fields = ("number", "receipt_date", "supplier__code", "total_amount", "status")
    price_sort_fields = {"total_amount": PriceKind.PURCHASE_PRICE}

    def get_queryset(self):
        self.filterset = GoodsReceiptFilter(
            self.request.GET or None, queryset=selectors.goods_receipt_list(user=self.request.user)
        )
        return self.filterset.qs.order_by(*self.get_ordering())

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "filter": self.filterset}


def _receipt_line_inputs(formset, order_lines: dict) -> list[services.ReceiptLineInput]:
    inputs = []
    for form in formset.rows():
        data = form.cleaned_data
        order_line = order_lines.get(data.get("order_line")) if data.get("order_line") else None
        if data.get("order_line") and order_line is None:
            raise ValidationError(_("A line does not belong to this order."))
        inputs.append(
            services.ReceiptLineInput(
                order_line=order_line,
                product=data.get("product_obj"),
                received_quantity=data.get("received_quantity") or Decimal(0),
                accepted_quantity=data.get("accepted_quantity"),
                rejected_quantity=data.get("rejected_quantity") or Decimal(0),
                rejection_reason=data.get("rejection_reason", ""),
                unit=data.get("unit"),
                warehouse=data.get("warehouse"),
                unit_price=data.get("unit_price"),
                tax_rate=data.get("tax_rate"),
            )
        )
    return inputs


def _receipt_initial_from_order(order: PurchaseOrder) -> list[dict]:
    rows = []
    for entry in services.open_receipt_lines(order):
        line = entry.order_line
        rows.append(
            {
                "order_line": line.pk,
                "product": line.product_id,
                "product_search": f"{line.product.code} {line.product.name}",
                "unit": line.unit_id,
                "received_quantity": Decimal(services.plain(entry.received_quantity)),
            }
        )
    return rows


def _receipt_initial(receipt: GoodsReceipt) -> list[dict]:
    return [
        {
            "order_line": line.order_line_id,
            "product": line.product_id,
            "product_search": f"{line.product.code} {line.product.name}",
            "unit": line.unit_id,
            "received_quantity": line.received_quantity,
            "rejected_quantity": line.rejected_quantity or None,
            "accepted_quantity": line.accepted_quantity,
            "rejection_reason": line.rejection_reason,
            "warehouse": line.warehouse_id,
            "unit_price": line.unit_price,
            "tax_rate": line.tax_rate,
        }
        for line in receipt.lines.select_related("product").order_by("line_no")
    ]


def _mark_put_away_locations(form, formset) -> None:
    """Each line form's ``put_away_to``: the default location of its product in its warehouse
    (the line's, else the header's), as far as the form knows them (one query)."""

    def as_id(value) -> int | None:
        try:
            return int(value)
        except (TypeError, ValueError):
            return None

    header_warehouse = as_id(form["warehouse"].value())
    pairs = {}
    for line_form in formset.forms:
        product_id = as_id(line_form["product"].value())
        warehouse_id = as_id(line_form["warehouse"].value()) or header_warehouse
        pairs[line_form.prefix] = (product_id, warehouse_id)
    found = default_locations({pair for pair in pairs.values() if None not in pair})
    for line_form in formset.forms:
        line_form.put_away_to = found.get(pairs[line_form.prefix], "")


class GoodsReceiptEditView(PermissionMixin, TemplateView):
    """Create a receipt without an order (``/receipts/new/``); subclasses pull an order's lines or
    edit a draft. The ``post`` button posts right after saving."""

    permission_required = "procurement.add_goodsreceipt"
    template_name = "procurement/goodsreceipt_form.html"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.order = None
        self.receipt = None

    def load(self) -> None:
        """Set ``self.order`` / ``self.receipt``."""

    def formset_class(self):
        return GoodsReceiptLineFormSet if self.order is not None else GoodsReceiptFreeLineFormSet

    def initial(self) -> tuple[dict, list[dict]]:
        return {}, []

    def get(self, request, *args, **kwargs):
        response = self.load()
        if response is not None:
            return response
        header_initial, lines_initial = self.initial()
        form = GoodsReceiptHeaderForm(order=self.order, initial=header_initial)
        formset = self.formset_class()(prefix="lines", initial=lines_initial, form_kwargs=self.line_form_kwargs())
        return self.render_to_response(self.get_context_data(form=form, formset=formset))

    def post(self, request, *args, **kwargs):
        response = self.load()
        if response is not None:
            return response
        form = GoodsReceiptHeaderForm(request.POST, order=self.order)
        formset = self.formset_class()(request.POST, prefix="lines", form_kwargs=self.line_form_kwargs())
        if form.is_valid() and formset.is_valid():
            try:
                receipt = self.save(form.cleaned_data, formset)
            except ValidationError as error:
                apply_service_error(form, error)
            else:
                return redirect(receipt)
        return self.render_to_response(self.get_context_data(form=form, formset=formset))

    def order_lines(self) -> dict:
        if self.order is None:
            return {}
        return {line.pk: line for line in self.order.lines.all()}

    @property
    def shows_prices(self) -> bool:
        return can_see(self.request.user, PriceKind.PURCHASE_PRICE)

    def line_form_kwargs(self) -> dict:
        return {"show_prices": self.shows_prices}

    def line_inputs(self, formset, supplier, receipt_date) -> list[services.ReceiptLineInput]:
        """The lines as entered; prices the user may not see are kept or defaulted server-side."""
        lines = _receipt_line_inputs(formset, self.order_lines())
        if self.order is None and not self.shows_prices and supplier is not None:
            lines = services.receipt_lines_with_hidden_prices(
                supplier=supplier,
                receipt_date=receipt_date,
                lines=lines,
                previous=self.receipt,
            )
        return lines

    def save(self, data: dict, formset) -> GoodsReceipt:
        lines = self.line_inputs(formset, data.get("supplier"), data["receipt_date"])
        return save_then_post(
            self.request,
            create=lambda: services.goods_receipt_create(
                actor=self.request.user,
                order=self.order,
                supplier=data.get("supplier"),
                warehouse=data["warehouse"],
                receipt_date=data["receipt_date"],
                reason=data.get("reason", ""),
                remarks=data.get("remarks", ""),
                lines=lines,
            ),
            post=self.post_receipt,
        )

    def post_receipt(self, receipt: GoodsReceipt) -> GoodsReceipt:
        return services.goods_receipt_post(actor=self.request.user, receipt=receipt)

    def get_context_data(self, **kwargs):
        lines_by_pk = self.order_lines()
        if "formset" in kwargs and "form" in kwargs:
            _mark_put_away_locations(kwargs["form"], kwargs["formset"])
        return {
            **super().get_context_data(**kwargs),
            "order": self.order,
            "receipt": self.receipt,
            "order_lines": lines_by_pk,
        }


class GoodsReceiptFromOrderView(GoodsReceiptEditView):
    def load(self):
        self.order = get_object_or_404(
            selectors.purchase_orders_visible(user=self.request.user)
            .select_related("supplier", "warehouse")
            .prefetch_related("lines__product", "lines__unit"),
            pk=self.kwargs["pk"],
        )
        if self.order.status not in services.RECEIVABLE_STATUSES:
            messages.error(
                self.request,
                _("%(number)s is %(status)s; goods can only be received against an approved order.")
                % {"number": self.order.number, "status": self.order.get_status_display()},
            )
            return redirect(self.order)
        return None

    def initial(self):
        return {"warehouse": self.order.warehouse_id}, _receipt_initial_from_order(self.order)


class GoodsReceiptUpdateView(GoodsReceiptEditView):
    permission_required = "procurement.change_goodsreceipt"

    def load(self):
        self.receipt = get_object_or_404(
            selectors.goods_receipts_visible(user=self.request.user).select_related("order"), pk=self.kwargs["pk"]
        )
        if self.receipt.status != DocumentStatus.DRAFT:
            messages.error(
                self.request,
                _("%(number)s is %(status)s; only drafts can be edited.")
                % {"number": self.receipt.number, "status": self.receipt.get_status_display()},
            )
            return redirect(self.receipt)
        self.order = self.receipt.order
        return None

    def initial(self):
        receipt = self.receipt
        header = {
            "supplier": receipt.supplier_id,
            "warehouse": receipt.warehouse_id,
            "receipt_date": receipt.receipt_date,
            "reason": receipt.reason,
            "remarks": receipt.remarks,
        }
        return header, _receipt_initial(receipt)

    def save(self, data, formset):
        lines = self.line_inputs(formset, data.get("supplier") or self.receipt.supplier, data["receipt_date"])
        receipt = services.goods_receipt_update(
            actor=self.request.user,
            receipt=self.receipt,
            supplier=data.get("supplier"),
            warehouse=data["warehouse"],
            receipt_date=data["receipt_date"],
            reason=data.get("reason") if self.order is None else None,
            remarks=data.get("remarks", ""),
            lines=lines,
        )
        messages.success(self.request, _("%(number)s saved.") % {"number": receipt.number})
        if "post" in self.request.POST:
            post_saved(self.request, self.post_receipt, receipt)
        return receipt


class GoodsReceiptDetailView(PermissionMixin, DetailView):
    permission_required = "procurement.view_goodsreceipt"
    template_name = "procurement/goodsreceipt_detail.html"
    context_object_name = "receipt"

    def get_object(self, queryset=None):
        try:
            return selectors.goods_receipt_detail(pk=self.kwargs["pk"], user=self.request.user)
        except GoodsReceipt.DoesNotExist as error:
            raise Http404 from error

    def get_context_data(self, **kwargs):
        receipt = self.object
        outstanding = None
        if receipt.status == DocumentStatus.POSTED:
            outstanding = (
                selectors.receipts_with_outstanding(supplier_id=receipt.supplier_id).filter(pk=receipt.pk).first()
            )
        return {
            **super().get_context_data(**kwargs),
            "audit_trail": audit_trail_for(receipt),
            "returns": receipt.returns.order_by("return_date", "id"),
            "allocations": receipt.allocations.select_related("payment").order_by("payment__payment_date"),
            "outstanding": outstanding,
            "rejected_total": sum((line.rejected_base for line in receipt.lines.all()), Decimal(0)),
        }


class GoodsReceiptPrintView(GoodsReceiptDetailView):
    """The put-away list: accepted goods in location order, for the people shelving them."""

    template_name = "procurement/goodsreceipt_print.html"

    def get_context_data(self, **kwargs):
        lines = sorted(
            self.object.lines.all(),
            key=lambda line: (line.location_sort is None, line.location_sort or 0, line.location_code, line.line_no),
        )
        return {**super().get_context_data(**kwargs), "company": SystemSettings.load(), "lines": lines}


_receipt_commands = pipeline_commands(
    services.RECEIPT_PIPELINE,
    queryset=lambda user: selectors.goods_receipts_visible(user=user),
    post=lambda actor, document, reason: services.goods_receipt_post(actor=actor, receipt=document),
    cancel=lambda actor, document, reason: services.goods_receipt_cancel(actor=actor, receipt=document),
)
goods_receipt_post_view, goods_receipt_cancel_view = _receipt_commands["post"], _receipt_commands["cancel"]


# --- purchase returns -------------------------------------------------------------------------


class PurchaseReturnListView(PermissionMixin, PaginatedListMixin, ListView):
    permission_required = "procurement.view_purchasereturn"
    template_name = "procurement/purchasereturn_list.html"
    context_object_name = "returns"
    sortable_fields = ("number", "return_date", "supplier__code", "total_amount", "status")
    price_sort_fields = {"total_amount": PriceKind.PURCHASE_PRICE}

    def get_queryset(self):
        self.filterset = PurchaseReturnFilter(
            self.request.GET or None, queryset=selectors.purchase_return_list(user=self.request.user)
        )
        return self.filterset.qs.order_by(*self.get_ordering())

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "filter": self.filterset}


class PurchaseReturnCreateView(PermissionMixin, TemplateView):
    permission_required = "procurement.add_purchasereturn"
    template_name = "procurement/purchasereturn_form.html"

    def load(self):
        self.receipt = get_object_or_404(
            selectors.goods_receipts_visible(user=self.request.user)
            .select_related("supplier")
            .prefetch_related(
                Prefetch(
                    "lines", queryset=GoodsReceiptLine.objects.select_related("product", "unit").order_by("line_no")
                )
            ),
            pk=self.kwargs["pk"],
        )
        if self.receipt.status != DocumentStatus.POSTED:
            messages.error(
                self.request,
                _("%(number)s is not posted; only posted receipts can be returned against.")
                % {"number": self.receipt.number},
            )
            return redirect(self.receipt)
        return None

    def get(self, request, *args, **kwargs):
        response = self.load()
        if response is not None:
            return response
        formset = PurchaseReturnLineFormSet(
            prefix="lines", initial=[{"receipt_line": line.pk} for line in self.receipt.lines.all()]
        )
        return self.render_to_response(self.get_context_data(form=PurchaseReturnForm(), formset=formset))

    def post(self, request, *args, **kwargs):
        response = self.load()
        if response is not None:
            return response
        form = PurchaseReturnForm(request.POST)
        formset = PurchaseReturnLineFormSet(request.POST, prefix="lines")
        if form.is_valid() and formset.is_valid():
            receipt_lines = {line.pk: line for line in self.receipt.lines.all()}
            try:
                lines = []
                for line_form in formset:
                    data = line_form.cleaned_data
                    if not data.get("quantity"):
                        continue
                    if data["receipt_line"] not in receipt_lines:
                        raise ValidationError(_("A line does not belong to this receipt."))
                    lines.append(
                        services.ReturnLineInput(
                            receipt_line=receipt_lines[data["receipt_line"]], quantity=data["quantity"]
                        )
                    )
                purchase_return = save_then_post(
                    request,
                    create=lambda: services.purchase_return_create(
                        actor=request.user,
                        receipt=self.receipt,
                        reason=form.cleaned_data["reason"],
                        return_date=form.cleaned_data["return_date"],
                        remarks=form.cleaned_data.get("remarks", ""),
                        lines=lines,
                    ),
                    post=lambda document: services.purchase_return_post(actor=request.user, purchase_return=document),
                )
            except ValidationError as error:
                apply_service_error(form, error)
            else:
                return redirect(purchase_return)
        return self.render_to_response(self.get_context_data(form=form, formset=formset))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        formset = context["formset"]
        lines = list(self.receipt.lines.all())
        context["rows"] = list(zip(lines, formset.forms, strict=False))
        context["receipt"] = self.receipt
        return context


class PurchaseReturnDetailView(PermissionMixin, DetailView):
    permission_required = "procurement.view_purchasereturn"
    template_name = "procurement/purchasereturn_detail.html"
    context_object_name = "purchase_return"

    def get_object(self, queryset=None):
        try:
            return selectors.purchase_return_detail(pk=self.kwargs["pk"], user=self.request.user)
        except PurchaseReturn.DoesNotExist as error:
            raise Http404 from error

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "audit_trail": audit_trail_for(self.object)}


_return_commands = pipeline_commands(
    services.RETURN_PIPELINE,
    queryset=lambda user: selectors.purchase_returns_visible(user=user),
    post=lambda actor, document, reason: services.purchase_return_post(actor=actor, purchase_return=document),
    cancel=lambda actor, document, reason: services.purchase_return_cancel(actor=actor, purchase_return=document),
)
purchase_return_post_view, purchase_return_cancel_view = _return_commands["post"], _return_commands["cancel"]


# --- supplier payments ------------------------------------------------------------------------


class SupplierPaymentListView(PermissionMixin, PaginatedListMixin, ListView):
    permission_required = "procurement.view_supplierpayment"
    template_name = "procurement/supplierpayment_list.html"
    context_object_name = "payments"
    sortable_fields = ("number", "payment_date", "supplier__code", "amount")

    def get_queryset(self):
        self.filterset = SupplierPaymentFilter(self.request.GET or None, queryset=selectors.supplier_payment_list())
        return self.filterset.qs.order_by(*self.get_ordering())

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "filter": self.filterset}


class SupplierPaymentCreateView(PermissionMixin, TemplateView):
    """Pick the supplier (GET ?supplier=) to list its outstanding receipts, then enter the payment."""

    permission_required = "procurement.add_supplierpayment"
    template_name = "procurement/supplierpayment_form.html"

    def supplier(self, data) -> Supplier | None:
        try:
            return Supplier.objects.get(pk=int(data.get("supplier", "")))
        except (ValueError, Supplier.DoesNotExist):
            return None

    def outstanding(self, supplier):
        if supplier is None:
            return []
        return [r for r in selectors.receipts_with_outstanding(supplier_id=supplier.pk) if r.outstanding > 0]

    def get(self, request, *args, **kwargs):
        supplier = self.supplier(request.GET)
        receipts = self.outstanding(supplier)
        form = SupplierPaymentForm(initial={"supplier": supplier.pk if supplier else None})
        formset = AllocationFormSet(prefix="alloc", initial=[{"receipt": r.pk} for r in receipts])
        return self.render_to_response(self.get_context_data(form=form, formset=formset, receipts=receipts))

    def post(self, request, *args, **kwargs):
        supplier = self.supplier(request.POST)
        receipts = self.outstanding(supplier)
        form = SupplierPaymentForm(request.POST)
        formset = AllocationFormSet(request.POST, prefix="alloc")
        if form.is_valid() and formset.is_valid():
            data = form.cleaned_data
            by_pk = {receipt.pk: receipt for receipt in receipts}
            allocations = None
            if data["allocation"] == AllocationMode.MANUAL:
                allocations = [
                    services.AllocationInput(receipt=by_pk[row["receipt"]], amount=row["amount"])
                    for row in formset.cleaned_data
                    if row.get("amount") and row["receipt"] in by_pk
                ]
            try:
                payment = save_then_post(
                    request,
                    create=lambda: services.supplier_payment_create(
                        actor=request.user,
                        supplier=data["supplier"],
                        amount=data["amount"],
                        payment_date=data["payment_date"],
                        account=data.get("account", ""),
                        reference=data.get("reference", ""),
                        remarks=data.get("remarks", ""),
                        allocations=allocations,
                        auto_allocate=data["allocation"] == AllocationMode.AUTO,
                    ),
                )
            except ValidationError as error:
                apply_service_error(form, error)
            else:
                return redirect(payment)
        return self.render_to_response(self.get_context_data(form=form, formset=formset, receipts=receipts))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rows"] = list(zip(context["receipts"], context["formset"].forms, strict=False))
        return context


class SupplierPaymentDetailView(PermissionMixin, DetailView):
    permission_required = "procurement.view_supplierpayment"
    template_name = "procurement/supplierpayment_detail.html"
    context_object_name = "payment"

    def get_object(self, queryset=None):
        try:
            return selectors.supplier_payment_detail(pk=self.kwargs["pk"])
        except SupplierPayment.DoesNotExist as error:
            raise Http404 from error

    def get_context_data(self, **kwargs):
        payment = self.object
        allocated = sum((a.amount for a in payment.allocations.all()), Decimal(0))
        return {
            **super().get_context_data(**kwargs),
            "allocated": allocated,
            "unallocated": payment.amount - allocated,
            "audit_trail": audit_trail_for(payment),
        }


class SupplierPaymentAllocateView(PermissionMixin, View):
    """Match the unallocated rest of a payment to the oldest outstanding receipts."""

    permission_required = "procurement.change_supplierpayment"
    http_method_names = ["post"]

    def post(self, request, pk):
        payment = get_object_or_404(SupplierPayment, pk=pk)
        try:
            services.supplier_payment_allocate(actor=request.user, payment=payment)
        except ValidationError as error:
            show_error(request, error)
        else:
            messages.success(request, _("%(number)s matched to the oldest receipts.") % {"number": payment.number})
        return redirect(payment)


# --- reports ----------------------------------------------------------------------------------


class PayablesReportView(PermissionMixin, TemplateView):
    permission_required = "procurement.view_payable"
    template_name = "procurement/payables_report.html"

    def get_context_data(self, **kwargs):
        form = PayablesReportForm(self.request.GET or None)
        date_from, date_to = form.period()
        supplier = form.cleaned_data.get("supplier") if form.is_valid() else None
        rows = selectors.payables_report(
            date_from=date_from, date_to=date_to, supplier_id=supplier.pk if supplier else None
        )
        return {
            **super().get_context_data(**kwargs),
            "form": form,
            "rows": rows,
            "totals": selectors.payables_totals(rows),
            "date_from": date_from,
            "date_to": date_to,
        }


class SupplierStatementView(PermissionMixin, DetailView):
    """对账单: a supplier's payables entries in a period with a running balance (from the sub-ledger)."""

    permission_required = "procurement.view_payable"
    template_name = "procurement/supplier_statement.html"
    context_object_name = "supplier"
    model = Supplier

    def get_context_data(self, **kwargs):
        form = PayablesReportForm(self.request.GET or None)
        date_from, date_to = form.period()
        opening, rows, closing = selectors.supplier_statement(
            supplier=self.object, date_from=date_from, date_to=date_to
        )
        return {
            **super().get_context_data(**kwargs),
            "form": form,
            "date_from": date_from,
            "date_to": date_to,
            "opening": opening,
            "rows": rows,
            "closing": closing,
        }


class SupplierScorecardView(PermissionMixin, DetailView):
    """A supplier's figures: scorecard with a monthly trend, payables and ageing, open orders."""

    permission_required = "procurement.view_supplier_scorecard"
    template_name = "procurement/supplier_scorecard.html"
    context_object_name = "supplier"
    model = Supplier

    def get_context_data(self, **kwargs):
        supplier = self.object
        today = timezone.localdate()
        trend = selectors.supplier_scorecard_trend(supplier_id=supplier.pk, today=today)
        chart = {
            "months": [row["month"] for row in trend],
            "series": {
                key: [float(row[key]) if row[key] is not None else None for row in trend]
                for key in ("on_time_rate", "fill_rate", "acceptance_rate", "lead_time_mean", "price_variance")
            },
            "labels": {
                "on_time_rate": _("On-time rate %"),
                "fill_rate": _("Fill rate %"),
                "acceptance_rate": _("Acceptance rate %"),
                "lead_time_mean": _("Average lead time (days)"),
                "price_variance": _("Price variance %"),
            },
        }
        finance = {}
        if self.request.user.has_perm("procurement.view_payable"):
            payables = selectors.payables_report(date_from=today.replace(day=1), date_to=today, supplier_id=supplier.pk)
            finance = {
                "payables_rows": list(payables),
                "open_receipts": [
                    receipt
                    for receipt in selectors.receipts_with_outstanding(supplier_id=supplier.pk).prefetch_related(
                        "payables"
                    )
                    if receipt.outstanding != 0
                ],
            }
        return {
            **super().get_context_data(**kwargs),
            "scorecard": selectors.supplier_scorecard(supplier_id=supplier.pk),
            "trend": trend,
            "chart": chart,
            **finance,
            "open_orders": PurchaseOrder.objects.filter(
                supplier=supplier, status__in=services.RECEIVABLE_STATUSES
            ).order_by("expected_date"),
            "today": today,
        }


class SupplierComparisonView(PermissionMixin, TemplateView):
    """供应商比价: the suppliers of one product, ranked."""

    permission_required = "procurement.view_supplier_scorecard"
    template_name = "procurement/supplier_comparison.html"

    def get_context_data(self, **kwargs):
        form = ProductChoiceForm(self.request.GET or None)
        product, matches = None, []
        if form.is_valid():
            product = form.cleaned_data["product"]
            if product is None and form.cleaned_data["q"]:
                matches = [match.product for match in product_lookup(form.cleaned_data["q"], limit=20)]
                if len(matches) == 1:
                    product, matches = matches[0], []
        return {
            **super().get_context_data(**kwargs),
            "form": form,
            "product": product,
            "matches": matches,
            "rows": selectors.supplier_comparison(product=product) if product else [],
        }
