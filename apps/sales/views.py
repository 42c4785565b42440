"""Sales pages. Thin: bind a form or FilterSet, call one selector or service, render or redirect."""

import datetime
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import DetailView, ListView

from apps.core.documents.views import Refusal, pipeline_commands, post_saved, save_then_post, show_refusal
from apps.core.exports import CHUNK_SIZE, Table
from apps.core.forms import apply_service_error
from apps.core.mixins import PaginatedListMixin, PermissionMixin
from apps.core.models import SystemSettings
from apps.core.permissions import permission_required
from apps.core.selectors import audit_trail_for
from apps.inventory.services import InsufficientStock
from apps.jobs.exports import export_respond
from apps.masterdata.models import Customer, PriceLevel
from apps.sales import selectors, services
from apps.sales.filters import (
    CustomerSalesFilter,
    ReceiptFilter,
    SalesOrderFilter,
    SalesReturnFilter,
    ShipmentFilter,
)
from apps.sales.forms import (
    AllocationFormSet,
    CustomerTagsForm,
    DateRangeForm,
    FollowUpForm,
    OrderLineFormSet,
    ReceiptForm,
    ReturnLineFormSet,
    SalesOrderForm,
    SalesReturnForm,
    ShipmentForm,
    ShipmentLineFormSet,
    ShipmentStartForm,
)
from apps.sales.models import (
    DocumentStatus,
    Receivable,
    SalesOrderLine,
    SalesOrderStatus,
    Shipment,
)
from apps.sales.pipelines import SALES_ORDER_PIPELINE, SALES_RETURN_PIPELINE, SHIPMENT_PIPELINE

LINES_PREFIX = "lines"


def _error_messages(request: HttpRequest, error: ValidationError) -> None:
    show_refusal(request, error)


class FilteredListView(PermissionMixin, PaginatedListMixin, ListView):
    filterset_class = None

    def base_queryset(self) -> QuerySet:
        raise NotImplementedError

    def get_queryset(self):
        self.filterset = self.filterset_class(
            self.request.GET or None, queryset=self.base_queryset(), request=self.request
        )
        queryset = self.filterset.qs if self.filterset.is_bound else self.filterset.queryset
        return queryset.order_by(*self.get_ordering())

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "filter": self.filterset}


# ---------------------------------------------------------------------------------------------
# Customers (sales view)
# ---------------------------------------------------------------------------------------------


class CustomerListView(FilteredListView):
    permission_required = "sales.view_customer_sales"
    template_name = "sales/customer_list.html"
    context_object_name = "customers"
    filterset_class = CustomerSalesFilter
    sortable_fields = ("code", "name", "last_shipped", "frequency", "monetary", "balance")
    default_ordering = ("code",)

    def base_queryset(self):
        return selectors.customer_list(user=self.request.user, today=timezone.localdate())


def _scoped_customer(request: HttpRequest, pk: int) -> Customer:
    return get_object_or_404(selectors.customers_for_user(request.user), pk=pk)


class CustomerOverviewView(PermissionMixin, DetailView):
    permission_required = "sales.view_customer_sales"
    template_name = "sales/customer_overview.html"
    context_object_name = "customer"

    def get_queryset(self):
        return selectors.with_rfm(
            selectors.customers_for_user(self.request.user), today=timezone.localdate()
        ).select_related("salesperson")

    def account_summary(self, customer: Customer):
        """This month's opening, new, returned, received and outstanding, with ageing (one row of the report)."""
        today = timezone.localdate()
        return selectors.receivables_report(
            customers=Customer.objects.filter(pk=customer.pk), date_from=today.replace(day=1), date_to=today
        ).first()

    def get_context_data(self, **kwargs):
        customer = self.object
        tags = list(customer.sales_tags.all())
        return {
            **super().get_context_data(**kwargs),
            "credit": selectors.customer_credit_position(customer),
            "tags": tags,
            "tags_form": kwargs.get("tags_form") or CustomerTagsForm(initial={"tags": ", ".join(t.name for t in tags)}),
            "follow_ups": selectors.customer_follow_ups(customer)[:50],
            "follow_up_form": kwargs.get("follow_up_form") or FollowUpForm(initial={"date": timezone.localdate()}),
            "orders": selectors.sales_order_list(user=self.request.user).filter(customer=customer)[:20],
            "receivables": selectors.open_receivables(customer),
            "account": self.account_summary(customer),
            "today": timezone.localdate(),
        }


@require_POST
@permission_required("sales.add_customerfollowup")
def followup_create(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _scoped_customer(request, pk)
    form = FollowUpForm(request.POST)
    if form.is_valid():
        try:
            services.customer_follow_up_create(customer=customer, actor=request.user, **form.cleaned_data)
        except Refusal as error:
            apply_service_error(form, error)
        else:
            messages.success(request, _("Follow-up recorded."))
            return redirect("sales:customer_overview", pk=customer.pk)
    view = CustomerOverviewView(request=request, kwargs={"pk": pk}, object=None)
    view.object = view.get_object()
    return render(request, view.template_name, view.get_context_data(follow_up_form=form), status=400)


@require_POST
@permission_required("sales.change_customertag")
def customer_tags_update(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _scoped_customer(request, pk)
    form = CustomerTagsForm(request.POST)
    if form.is_valid():
        try:
            services.customer_tags_set(customer=customer, names=form.cleaned_names(), actor=request.user)
        except Refusal as error:
            _error_messages(request, error)
        else:
            messages.success(request, _("Tags saved."))
    return redirect("sales:customer_overview", pk=customer.pk)


def _date_range(request: HttpRequest, days: int = 90) -> tuple[DateRangeForm, datetime.date, datetime.date]:
    today = timezone.localdate()
    default = {"date_from": today - datetime.timedelta(days=days), "date_to": today}
    form = DateRangeForm(request.GET or None, initial=default)
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data["date_from"], form.cleaned_data["date_to"]
    return form, default["date_from"], default["date_to"]


@require_GET
@permission_required("sales.view_receivable")
def customer_statement(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _scoped_customer(request, pk)
    form, date_from, date_to = _date_range(request)
    opening, rows, closing = selectors.customer_statement(customer=customer, date_from=date_from, date_to=date_to)
    return render(
        request,
        "sales/customer_statement.html",
        {
            "customer": customer,
            "form": form,
            "date_from": date_from,
            "date_to": date_to,
            "opening": opening,
            "rows": rows,
            "closing": closing,
            "company": SystemSettings.load(),
        },
    )


# ---------------------------------------------------------------------------------------------
# Sales orders
# ---------------------------------------------------------------------------------------------


class SalesOrderListView(FilteredListView):
    permission_required = "sales.view_salesorder"
    template_name = "sales/order_list.html"
    context_object_name = "orders"
    filterset_class = SalesOrderFilter
    sortable_fields = ("number", "order_date", "customer__code", "total_amount", "status")
    default_ordering = ("-order_date", "-id")

    def base_queryset(self):
        return selectors.sales_order_list(user=self.request.user)


@require_GET
@permission_required("sales.view_salesorder")
def order_export(request: HttpRequest) -> HttpResponse:
    """The filtered order list as .xlsx or .csv, written row by row and streamed (a job when large)."""
    filterset = SalesOrderFilter(request.GET or None, queryset=selectors.sales_order_list(user=request.user))
    orders = (filterset.qs if filterset.is_bound else filterset.queryset).order_by("-order_date", "-id")
    headers = [
        _("Document no."),
        _("Order date"),
        _("Customer code"),
        _("Customer"),
        _("Salesperson"),
        _("Warehouse"),
        _("Status"),
        _("Amount"),
        _("Tax amount"),
        _("Total incl. tax"),
    ]
    rows = (
        (
            order.number,
            order.order_date,
            order.customer.code,
            order.customer.name,
            str(order.salesperson or ""),
            order.warehouse.name,
            order.get_status_display(),
            order.net_amount,
            order.tax_amount,
            order.total_amount,
        )
        for order in orders.iterator(chunk_size=CHUNK_SIZE)
    )
    filename = f"sales-orders-{timezone.localdate():%Y%m%d}"
    return export_respond(request, Table(_("Sales orders"), filename, headers, rows, count=orders.count()))


def _order_line_inputs(formset) -> list[services.OrderLineInput]:
    return [
        services.OrderLineInput(
            product=row["product_obj"],
            quantity=row["quantity"],
            unit=row.get("unit"),
            unit_price=row.get("unit_price"),
            discount_percent=row.get("discount_percent") or Decimal(0),
            tax_rate=row.get("tax_rate"),
        )
        for row in (form.cleaned_data for form in formset.rows())
    ]


def _order_form_page(request: HttpRequest, order=None) -> HttpResponse:
    customers = selectors.customers_for_user(request.user)
    if request.method == "POST":
        form = SalesOrderForm(request.POST, customers=customers)
        formset = OrderLineFormSet(request.POST, prefix=LINES_PREFIX)
        if form.is_valid() and formset.is_valid():
            try:
                if order is None:
                    lines = _order_line_inputs(formset)
                    order = save_then_post(
                        request,
                        create=lambda: services.sales_order_create(
                            actor=request.user, lines=lines, **form.cleaned_data
                        ),
                    )
                else:
                    order = services.sales_order_update(
                        order=order, actor=request.user, lines=_order_line_inputs(formset), **form.cleaned_data
                    )
                    messages.success(request, _("Sales order %(number)s saved.") % {"number": order.number})
            except Refusal as error:
                apply_service_error(form, error)
            else:
                if "submit" in request.POST:
                    try:
                        services.sales_order_submit(order=order, actor=request.user)
                    except Refusal as error:
                        _error_messages(request, error)
                return redirect(order)
        status = 400
    else:
        status = 200
        if order is None:
            form = SalesOrderForm(customers=customers, initial={"customer": request.GET.get("customer")})
            formset = OrderLineFormSet(prefix=LINES_PREFIX)
        else:
            form = SalesOrderForm(
                customers=customers,
                initial={
                    "customer": order.customer_id,
                    "warehouse": order.warehouse_id,
                    "order_date": order.order_date,
                    "delivery_date": order.delivery_date,
                    "salesperson": order.salesperson_id,
                    "remarks": order.remarks,
                },
            )
            formset = OrderLineFormSet(
                prefix=LINES_PREFIX,
                initial=[
                    {
                        "product": line.product_id,
                        "product_search": str(line.product),
                        "unit": line.unit_id,
                        "quantity": line.quantity,
                        "unit_price": line.unit_price,
                        "discount_percent": line.discount_percent,
                        "tax_rate": line.tax_rate,
                    }
                    for line in order.lines.select_related("product").order_by("line_no")
                ],
            )
            formset.extra = 0
    # The line grid prices a picked product at the customer's price level less its discount.
    customer_prices = {
        str(pk): {"field": "retail_price" if level == PriceLevel.RETAIL else "sale_price", "discount": str(discount)}
        for pk, level, discount in form.fields["customer"].queryset.values_list("pk", "price_level", "discount_percent")
    }
    return render(
        request,
        "sales/order_form.html",
        {"form": form, "formset": formset, "order": order, "customer_prices": customer_prices},
        status=status,
    )


@permission_required("sales.add_salesorder")
def order_create(request: HttpRequest) -> HttpResponse:
    return _order_form_page(request)


@permission_required("sales.change_salesorder")
def order_update(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_object_or_404(selectors.sales_order_list(user=request.user), pk=pk)
    if order.status != SalesOrderStatus.DRAFT:
        messages.error(request, _("Only a draft can be edited."))
        return redirect(order)
    return _order_form_page(request, order)


class SalesOrderDetailView(PermissionMixin, DetailView):
    permission_required = "sales.view_salesorder"
    template_name = "sales/order_detail.html"
    context_object_name = "order"

    def get_queryset(self):
        return selectors.sales_order_detail(user=self.request.user)

    def get_context_data(self, **kwargs):
        order = self.object
        return {
            **super().get_context_data(**kwargs),
            "lines": selectors.order_lines_with_stock(order),
            "credit": selectors.customer_credit_position(order.customer, exclude_order=order),
            "shipments": Shipment.objects.filter(lines__order_line__order=order).distinct().order_by("ship_date", "id"),
            "audit_trail": audit_trail_for(order),
        }


class SalesOrderPrintView(SalesOrderDetailView):
    template_name = "sales/order_print.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "company": SystemSettings.load()}


_order_commands = pipeline_commands(
    SALES_ORDER_PIPELINE,
    queryset=lambda user: selectors.sales_order_list(user=user),
    submit=lambda actor, document, reason: services.sales_order_submit(order=document, actor=actor),
    withdraw=lambda actor, document, reason: services.sales_order_withdraw(order=document, actor=actor),
    approve=lambda actor, document, reason: services.sales_order_approve(order=document, actor=actor),
    reserve=lambda actor, document, reason: services.sales_order_reserve_backorders(order=document, actor=actor),
    close=lambda actor, document, reason: services.sales_order_close(order=document, actor=actor),
    cancel=lambda actor, document, reason: services.sales_order_cancel(order=document, actor=actor),
)
order_submit, order_withdraw, order_approve = (_order_commands[a] for a in ("submit", "withdraw", "approve"))
order_reserve, order_close, order_cancel = (_order_commands[a] for a in ("reserve", "close", "cancel"))


@require_POST
@permission_required("sales.change_salesorder")
def order_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve (审核); ``backorder=1`` reserves what is available and backorders the rest."""
    order = get_object_or_404(selectors.sales_order_list(user=request.user), pk=pk)
    allow_backorder = request.POST.get("backorder") == "1"
    try:
        order = services.sales_order_confirm(order=order, actor=request.user, allow_backorder=allow_backorder)
    except Refusal as error:
        show_refusal(request, error)
        if isinstance(error, InsufficientStock):
            messages.warning(
                request,
                _("Not approved. Approve with backorders to reserve what is available and backorder the rest."),
            )
    else:
        messages.success(request, _("Sales order %(number)s approved.") % {"number": order.number})
    return redirect("sales:order_detail", pk=pk)


# ---------------------------------------------------------------------------------------------
# Shipments
# ---------------------------------------------------------------------------------------------


class ShipmentListView(FilteredListView):
    permission_required = "sales.view_shipment"
    template_name = "sales/shipment_list.html"
    context_object_name = "shipments"
    filterset_class = ShipmentFilter
    sortable_fields = ("number", "ship_date", "customer__code", "total_amount", "margin_amount", "status")
    default_ordering = ("-ship_date", "-id")

    def base_queryset(self):
        return selectors.shipment_list(user=self.request.user)


def _shipment_lines_page(request, *, customer, warehouse, shipment=None) -> HttpResponse:
    open_lines = list(selectors.open_order_lines(customer=customer, warehouse_id=warehouse.pk))
    current = {}
    if shipment is not None:
        current = {line.order_line_id: line.quantity for line in shipment.lines.all()}
    if request.method == "POST" and "ship_date" in request.POST:
        form = ShipmentForm(request.POST)
        formset = ShipmentLineFormSet(request.POST, prefix=LINES_PREFIX)
        if form.is_valid() and formset.is_valid():
            by_id = {
                line.pk: line
                for line in SalesOrderLine.objects.filter(
                    pk__in=[row["order_line"] for row in formset.cleaned_data if row]
                )
            }
            inputs = [
                services.ShipmentLineInput(order_line=by_id[row["order_line"]], quantity=row["quantity"])
                for row in formset.cleaned_data
                if row and row.get("quantity") and row["order_line"] in by_id
            ]
            # The draft is kept either way; a refusal to post (short stock) is shown on it.
            post = lambda document: services.shipment_post(shipment=document, actor=request.user)  # noqa: E731
            try:
                if shipment is None:
                    shipment = save_then_post(
                        request,
                        create=lambda: services.shipment_create(
                            customer=customer,
                            warehouse=warehouse,
                            actor=request.user,
                            lines=inputs,
                            **form.cleaned_data,
                        ),
                        post=post,
                    )
                else:
                    shipment = services.shipment_update(
                        shipment=shipment, actor=request.user, lines=inputs, **form.cleaned_data
                    )
                    messages.success(request, _("%(number)s saved.") % {"number": shipment.number})
                    if "post" in request.POST:
                        post_saved(request, post, shipment)
            except ValidationError as error:
                apply_service_error(form, error)
            else:
                return redirect(shipment)
        status = 400
    else:
        status = 200
        form = ShipmentForm(
            initial={
                "ship_date": shipment.ship_date if shipment else timezone.localdate(),
                "remarks": shipment.remarks if shipment else "",
            }
        )
        formset = ShipmentLineFormSet(
            prefix=LINES_PREFIX,
            initial=[{"order_line": line.pk, "quantity": current.get(line.pk)} for line in open_lines],
        )
    rows = list(zip(open_lines, formset.forms, strict=False))
    return render(
        request,
        "sales/shipment_form.html",
        {
            "form": form,
            "formset": formset,
            "rows": rows,
            "customer": customer,
            "warehouse": warehouse,
            "shipment": shipment,
        },
        status=status,
    )


@permission_required("sales.add_shipment")
def shipment_create(request: HttpRequest) -> HttpResponse:
    start = ShipmentStartForm(request.GET or None, customers=selectors.customers_with_open_orders(user=request.user))
    if not start.is_bound or not start.is_valid():
        return render(request, "sales/shipment_start.html", {"form": start})
    return _shipment_lines_page(
        request, customer=start.cleaned_data["customer"], warehouse=start.cleaned_data["warehouse"]
    )


@permission_required("sales.change_shipment")
def shipment_update(request: HttpRequest, pk: int) -> HttpResponse:
    shipment = get_object_or_404(selectors.shipment_detail(user=request.user), pk=pk)
    if shipment.status != DocumentStatus.DRAFT:
        messages.error(request, _("Only a draft can be edited."))
        return redirect(shipment)
    return _shipment_lines_page(request, customer=shipment.customer, warehouse=shipment.warehouse, shipment=shipment)


class ShipmentDetailView(PermissionMixin, DetailView):
    permission_required = "sales.view_shipment"
    template_name = "sales/shipment_detail.html"
    context_object_name = "shipment"

    def get_queryset(self):
        return selectors.shipment_detail(user=self.request.user)

    def get_context_data(self, **kwargs):
        shipment = self.object
        return {
            **super().get_context_data(**kwargs),
            "lines": selectors.shipment_lines(shipment),
            "receivable": Receivable.objects.filter(shipment=shipment).first(),
            "returns": shipment.returns.all(),
            "audit_trail": audit_trail_for(shipment),
        }


class ShipmentPrintView(ShipmentDetailView):
    template_name = "sales/shipment_print.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "company": SystemSettings.load()}


class ShipmentPickListView(ShipmentDetailView):
    """The pick list: the lines in location order, for the person walking the warehouse."""

    template_name = "sales/shipment_pick_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        return {**context, "company": SystemSettings.load(), "lines": selectors.shipment_pick_lines(self.object)}


_shipment_commands = pipeline_commands(
    SHIPMENT_PIPELINE,
    queryset=lambda user: selectors.shipment_detail(user=user),
    post=lambda actor, document, reason: services.shipment_post(shipment=document, actor=actor),
    cancel=lambda actor, document, reason: services.shipment_cancel(shipment=document, actor=actor),
)
shipment_post, shipment_cancel = _shipment_commands["post"], _shipment_commands["cancel"]


# ---------------------------------------------------------------------------------------------
# Returns
# ---------------------------------------------------------------------------------------------


class SalesReturnListView(FilteredListView):
    permission_required = "sales.view_salesreturn"
    template_name = "sales/return_list.html"
    context_object_name = "returns"
    filterset_class = SalesReturnFilter
    sortable_fields = ("number", "return_date", "customer__code", "total_amount", "status")
    default_ordering = ("-return_date", "-id")

    def base_queryset(self):
        return selectors.sales_return_list(user=self.request.user)


@permission_required("sales.add_salesreturn")
def return_create(request: HttpRequest, shipment_pk: int) -> HttpResponse:
    shipment = get_object_or_404(
        selectors.shipment_detail(user=request.user).filter(status=DocumentStatus.POSTED), pk=shipment_pk
    )
    shipment_lines = list(selectors.shipment_lines(shipment))
    if request.method == "POST":
        form = SalesReturnForm(request.POST)
        formset = ReturnLineFormSet(request.POST, prefix=LINES_PREFIX)
        if form.is_valid() and formset.is_valid():
            by_id = {line.pk: line for line in shipment_lines}
            inputs = [
                services.ReturnLineInput(
                    shipment_line=by_id[row["shipment_line"]],
                    quantity=row["quantity"],
                    disposition=row["disposition"],
                    scrap_reason=row.get("scrap_reason", ""),
                )
                for row in formset.cleaned_data
                if row and row.get("quantity") and row["shipment_line"] in by_id
            ]
            try:
                sales_return = save_then_post(
                    request,
                    create=lambda: services.sales_return_create(
                        shipment=shipment, actor=request.user, lines=inputs, **form.cleaned_data
                    ),
                    post=lambda document: services.sales_return_post(sales_return=document, actor=request.user),
                )
            except ValidationError as error:
                apply_service_error(form, error)
            else:
                return redirect(sales_return)
        status = 400
    else:
        status = 200
        form = SalesReturnForm(initial={"return_date": timezone.localdate()})
        formset = ReturnLineFormSet(
            prefix=LINES_PREFIX, initial=[{"shipment_line": line.pk} for line in shipment_lines]
        )
    return render(
        request,
        "sales/return_form.html",
        {
            "form": form,
            "formset": formset,
            "rows": list(zip(shipment_lines, formset.forms, strict=False)),
            "shipment": shipment,
        },
        status=status,
    )


class SalesReturnDetailView(PermissionMixin, DetailView):
    permission_required = "sales.view_salesreturn"
    template_name = "sales/return_detail.html"
    context_object_name = "sales_return"

    def get_queryset(self):
        return selectors.sales_return_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "lines": self.object.lines.select_related("product", "unit", "shipment_line").order_by("line_no"),
            "audit_trail": audit_trail_for(self.object),
        }


_return_commands = pipeline_commands(
    SALES_RETURN_PIPELINE,
    queryset=lambda user: selectors.sales_return_list(user=user),
    post=lambda actor, document, reason: services.sales_return_post(sales_return=document, actor=actor),
    cancel=lambda actor, document, reason: services.sales_return_cancel(sales_return=document, actor=actor),
)
return_post, return_cancel = _return_commands["post"], _return_commands["cancel"]


# ---------------------------------------------------------------------------------------------
# Receipts and receivables
# ---------------------------------------------------------------------------------------------


class ReceiptListView(FilteredListView):
    permission_required = "sales.view_customerreceipt"
    template_name = "sales/receipt_list.html"
    context_object_name = "receipts"
    filterset_class = ReceiptFilter
    sortable_fields = ("number", "receipt_date", "customer__code", "amount")
    default_ordering = ("-receipt_date", "-id")

    def base_queryset(self):
        return selectors.receipt_list(user=self.request.user)


@permission_required("sales.add_customerreceipt")
def receipt_create(request: HttpRequest) -> HttpResponse:
    customers = selectors.customers_for_user(request.user)
    data = request.POST if request.method == "POST" else None
    form = ReceiptForm(data, customers=customers, initial={"customer": request.GET.get("customer")})
    customer = None
    customer_id = (data or request.GET).get("customer")
    if customer_id and str(customer_id).isdigit():
        customer = customers.filter(pk=customer_id).first()
    receivables = list(selectors.open_receivables(customer)) if customer else []
    formset = AllocationFormSet(data, prefix="alloc", initial=[{"receivable": r.pk} for r in receivables])
    if data is not None and form.is_valid() and formset.is_valid():
        typed = any(row and row.get("amount") for row in formset.cleaned_data)
        if typed and form.cleaned_data["allocation"] == ReceiptForm.AUTO:
            form.add_error(
                "allocation",
                _(
                    "Amounts are entered below, but matching is set to oldest deliveries first: "
                    "choose “As entered below” or clear the amounts."
                ),
            )
    if data is not None and form.is_valid() and formset.is_valid():
        allocations = None
        if form.cleaned_data["allocation"] == ReceiptForm.MANUAL:
            by_id = {r.pk: r for r in receivables}
            allocations = [
                (by_id[row["receivable"]], row["amount"])
                for row in formset.cleaned_data
                if row and row.get("amount") and row["receivable"] in by_id
            ]
        fields = {k: v for k, v in form.cleaned_data.items() if k != "allocation"}
        try:
            receipt = save_then_post(
                request,
                create=lambda: services.customer_receipt_create(actor=request.user, allocations=allocations, **fields),
            )
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            return redirect(receipt)
    return render(
        request,
        "sales/receipt_form.html",
        {
            "form": form,
            "formset": formset,
            "rows": list(zip(receivables, formset.forms, strict=False)),
            "customer": customer,
        },
        status=400 if data is not None else 200,
    )


class ReceiptDetailView(PermissionMixin, DetailView):
    permission_required = "sales.view_customerreceipt"
    template_name = "sales/receipt_detail.html"
    context_object_name = "receipt"

    def get_queryset(self):
        return selectors.receipt_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "allocations": self.object.allocations.select_related("receivable__shipment"),
            "audit_trail": audit_trail_for(self.object),
        }


@require_POST
@permission_required("sales.change_customerreceipt")
def receipt_allocate(request: HttpRequest, pk: int) -> HttpResponse:
    receipt = get_object_or_404(selectors.receipt_list(user=request.user), pk=pk)
    try:
        services.customer_receipt_allocate(receipt=receipt, actor=request.user)
    except Refusal as error:
        _error_messages(request, error)
    else:
        messages.success(request, _("Customer receipt %(number)s allocated.") % {"number": receipt.number})
    return redirect("sales:receipt_detail", pk=pk)


class ReceivableReportView(PermissionMixin, PaginatedListMixin, ListView):
    permission_required = "sales.view_receivable"
    template_name = "sales/receivable_report.html"
    context_object_name = "rows"

    def get_queryset(self):
        self.form, self.date_from, self.date_to = _date_range(self.request, days=30)
        customers = selectors.customers_for_user(self.request.user)
        query = self.request.GET.get("q", "").strip()
        if query:
            customers = customers.filter(name__icontains=query) | customers.filter(code__iexact=query)
        return selectors.receivables_report(customers=customers, date_from=self.date_from, date_to=self.date_to)

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "form": self.form,
            "date_from": self.date_from,
            "date_to": self.date_to,
            "query": self.request.GET.get("q", ""),
        }
