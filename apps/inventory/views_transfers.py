"""Transfer pages: list, new transfer with its line grid, detail with goods in transit, receipt in parts."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from apps.core.documents.views import command_view, run_refusable, save_then_post
from apps.core.forms import apply_service_error
from apps.core.mixins import PaginatedListMixin, PermissionMixin
from apps.core.selectors import audit_trail_for
from apps.inventory.forms import LINE_GRID_PREFIX, StockAdjustmentLineFormSet
from apps.inventory.forms_counts import StockTransferFilter, StockTransferForm, transfer_receipt_inputs
from apps.inventory.selectors_transfers import stock_transfers, transfer_lines
from apps.inventory.services.transfers import (
    TransferLineInput,
    stock_transfer_cancel,
    stock_transfer_create,
    stock_transfer_dispatch,
    stock_transfer_receive,
)
from apps.masterdata.selectors import warehouses_for_user


class StockTransferListView(PermissionMixin, PaginatedListMixin, ListView):
    permission_required = "inventory.view_stocktransfer"
    template_name = "inventory/stocktransfer_list.html"
    context_object_name = "documents"
    sortable_fields = ("number", "date", "status")
    default_ordering = ("-date", "-id")

    def get_queryset(self):
        self.filterset = StockTransferFilter(self.request.GET, queryset=stock_transfers(user=self.request.user))
        self.filterset.form.fields["warehouse"].queryset = warehouses_for_user(self.request.user)
        return self.filterset.qs.order_by(*self.get_ordering())

    def get_context_data(self, **kwargs):
        return super().get_context_data(filter=self.filterset, **kwargs)


class StockTransferCreateView(PermissionMixin, View):
    permission_required = "inventory.add_stocktransfer"
    template_name = "inventory/stocktransfer_form.html"

    def _forms(self, data=None):
        sources = warehouses_for_user(self.request.user)
        only = list(sources[:2])
        initial = {"date": timezone.localdate(), **({"source": only[0]} if len(only) == 1 else {})}
        form = StockTransferForm(data, sources=sources, initial=initial)
        return form, StockAdjustmentLineFormSet(data, prefix=LINE_GRID_PREFIX)

    def get(self, request):
        form, formset = self._forms()
        return render(request, self.template_name, {"form": form, "formset": formset, "outbound": True})

    def post(self, request):
        form, formset = self._forms(request.POST)
        if form.is_valid() and formset.is_valid():
            data = form.cleaned_data
            lines = [TransferLineInput(line.product_id, line.quantity, line.remarks) for line in formset.line_inputs()]
            try:  # once per form (a re-sent form shows the transfer it made); "post" dispatches it
                transfer = save_then_post(
                    request,
                    create=lambda: stock_transfer_create(
                        actor=request.user,
                        source=data["source"],
                        destination=data["destination"],
                        date=data["date"],
                        remarks=data["remarks"],
                        lines=lines,
                    ),
                    post=lambda document: stock_transfer_dispatch(actor=request.user, transfer=document),
                )
            except ValidationError as error:
                apply_service_error(form, error)
            except PermissionDenied as error:
                form.add_error(None, str(error))
            else:
                return redirect(transfer)
        context = {"form": form, "formset": formset, "outbound": True}
        return render(request, self.template_name, context, status=400)


def _transfer(request, pk):
    return get_object_or_404(stock_transfers(user=request.user), pk=pk)


class StockTransferDetailView(PermissionMixin, View):
    permission_required = "inventory.view_stocktransfer"

    def get(self, request, pk):
        transfer = _transfer(request, pk)
        context = {
            "document": transfer,
            "lines": transfer_lines(transfer=transfer),
            "receipts": transfer.receipts.select_related("received_by", "posting").order_by("received_at"),
            "audit_trail": audit_trail_for(transfer),
        }
        return render(request, "inventory/stocktransfer_detail.html", context)


class StockTransferReceiveView(PermissionMixin, View):
    """Receive in parts: what arrived and what was lost per line, with a reason for losses."""

    permission_required = "inventory.receive_stocktransfer"
    template_name = "inventory/stocktransfer_receive.html"

    def get(self, request, pk):
        transfer = _transfer(request, pk)
        return render(request, self.template_name, {"document": transfer, "lines": transfer_lines(transfer=transfer)})

    def post(self, request, pk):
        transfer = _transfer(request, pk)
        if "partial" not in request.POST:  # the pipeline's button: everything still in transit
            _result, done = run_refusable(
                request, lambda: stock_transfer_receive(actor=request.user, transfer=transfer)
            )
            if done:
                messages.success(request, _("%(number)s received.") % {"number": transfer.number})
            return redirect(transfer)
        lines = list(transfer_lines(transfer=transfer))
        receipts, errors = transfer_receipt_inputs(request.POST, lines)
        for error in errors:
            messages.error(request, error)
        if not errors:
            reason = request.POST.get("reason", "")
            _result, done = run_refusable(
                request,
                lambda: stock_transfer_receive(actor=request.user, transfer=transfer, receipts=receipts, reason=reason),
            )
            if done:
                messages.success(request, _("Receipt of %(number)s posted.") % {"number": transfer.number})
                return redirect(transfer)
        context = {"document": transfer, "lines": lines, "data": request.POST}
        return render(request, self.template_name, context, status=400)


def _transfer_command(service, permission):
    return command_view(
        queryset=lambda user: stock_transfers(user=user),
        permission=permission,
        run=lambda actor, document, reason: service(actor=actor, transfer=document, reason=reason),
    )


transfer_dispatch = _transfer_command(stock_transfer_dispatch, "inventory.dispatch_stocktransfer")
transfer_cancel = _transfer_command(stock_transfer_cancel, "inventory.change_stocktransfer")
