"""Stock count pages: list, open, detail and review, the counting page (scan or type), the count sheet,
commands (submit, recount, post, void) and the cycle-count schedule."""

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from apps.core.documents.views import Refusal, command_view, run_refusable, save_then_post
from apps.core.forms import apply_service_error
from apps.core.mixins import PaginatedListMixin, PermissionMixin
from apps.inventory.forms_counts import StockCountFilter, StockCountOpenForm, count_sheet_entries, pasted_counts
from apps.inventory.selectors_counts import (
    accuracy_percent,
    count_accuracy,
    count_entries,
    count_lines,
    count_progress,
    count_review_lines,
    cycle_count_due,
    stock_counts,
)
from apps.inventory.services.counts import (
    CountEntryInput,
    stock_count_cancel,
    stock_count_open,
    stock_count_post,
    stock_count_record,
    stock_count_recount,
    stock_count_submit,
)
from apps.masterdata.selectors import product_lookup, warehouses_for_user

SHEET_PAGE_SIZE = 100


class StockCountListView(PermissionMixin, PaginatedListMixin, ListView):
    permission_required = "inventory.view_stockcount"
    template_name = "inventory/stockcount_list.html"
    context_object_name = "documents"
    sortable_fields = ("number", "created_at", "status")
    default_ordering = ("-created_at", "-id")

    def get_queryset(self):
        self.filterset = StockCountFilter(self.request.GET, queryset=stock_counts(user=self.request.user))
        self.filterset.form.fields["warehouse"].queryset = warehouses_for_user(self.request.user)
        return self.filterset.qs.order_by(*self.get_ordering())

    def get_context_data(self, **kwargs):
        return super().get_context_data(filter=self.filterset, **kwargs)


class StockCountOpenView(PermissionMixin, View):
    """Open a count: warehouse and scope; the book quantities are recorded at this moment."""

    permission_required = "inventory.add_stockcount"
    template_name = "inventory/stockcount_form.html"

    def _form(self, data=None):
        warehouses = warehouses_for_user(self.request.user)
        initial = {k: v for k, v in self.request.GET.items() if k in ("scope", "abc_class", "products", "warehouse")}
        return StockCountOpenForm(data, warehouses=warehouses, initial=initial)

    def get(self, request):
        return render(request, self.template_name, {"form": self._form()})

    def post(self, request):
        form = self._form(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:  # once per form: a re-sent form shows the count it opened
                count = save_then_post(
                    request,
                    create=lambda: stock_count_open(
                        actor=request.user,
                        warehouse=data["warehouse"],
                        scope=data["scope"],
                        category=data["category"],
                        abc_class=data["abc_class"],
                        location_from=data["location_from"],
                        location_to=data["location_to"],
                        product_ids=data["products"],
                        blind=data["blind"],
                        remarks=data["remarks"],
                    ),
                )
            except ValidationError as error:
                apply_service_error(form, error)
            except PermissionDenied as error:
                form.add_error(None, str(error))
            else:
                return redirect("inventory:count_scan", pk=count.pk)
        return render(request, self.template_name, {"form": form}, status=400)


def _count(request, pk):
    return get_object_or_404(stock_counts(user=request.user), pk=pk)


def _show_book(request, count) -> bool:
    """Blind counts hide the book quantity from people who count; reviewers see it once counting is done."""
    return not count.blind or count.status != "counting"


class StockCountDetailView(PermissionMixin, View):
    """The count with its progress, its review (sorted by value impact) and who counted what."""

    permission_required = "inventory.view_stockcount"

    def get(self, request, pk):
        count = _count(request, pk)
        progress = count_progress(count=count)
        context = {
            "document": count,
            "progress": progress,
            "lines": count_review_lines(count=count)[:500],
            "truncated": progress["lines"] > 500,
            "show_book": _show_book(request, count),
            "entries": count_entries(count=count)[:200],
        }
        return render(request, "inventory/stockcount_detail.html", context)


class StockCountScanView(PermissionMixin, View):
    """The counting page for a phone or tablet: scan (scanner or camera) or search, or type a page of counts."""

    permission_required = "inventory.change_stockcount"

    def get(self, request, pk):
        count = _count(request, pk)
        lines = count_lines(count=count, user=request.user).order_by("line_no")
        query = request.GET.get("q", "").strip()
        if query:
            lines = lines.filter(Q(product__code__icontains=query) | Q(product__name__icontains=query))
        page = int(request.GET["page"]) if request.GET.get("page", "").isdigit() else 1
        page = max(page, 1)
        start = (page - 1) * SHEET_PAGE_SIZE
        rows = list(lines[start : start + SHEET_PAGE_SIZE + 1])
        context = {
            "document": count,
            "lines": rows[:SHEET_PAGE_SIZE],
            "page": page,
            "has_next": len(rows) > SHEET_PAGE_SIZE,
            "progress": count_progress(count=count),
            "show_book": _show_book(request, count),
            "query": query,
        }
        return render(request, "inventory/stockcount_scan.html", context)

    def post(self, request, pk):
        """The bulk path: the quantities typed on this page of the sheet, saved in one call."""
        count = _count(request, pk)
        page_ids = [int(pk) for pk in request.POST.getlist("line") if pk.isdigit()]
        lines = count_lines(count=count, user=request.user).filter(pk__in=page_ids)
        entries, errors = count_sheet_entries(request.POST, lines)
        for error in errors:
            messages.error(request, error)
        if not errors:
            saved, done = run_refusable(
                request, lambda: stock_count_record(actor=request.user, count=count, entries=entries)
            )
            if done:
                messages.success(request, _("%(count)s counts saved.") % {"count": saved})
        return redirect(request.get_full_path())


def _decimal(text: str, default: Decimal) -> Decimal | None:
    try:
        return Decimal(text) if text.strip() else default
    except InvalidOperation:
        return None


class StockCountRecordView(PermissionMixin, View):
    """JSON for the counting page: a scanned or typed code adds (or ``set`` replaces) a quantity.

    ``term`` is a barcode, an item code or a search text. An exact match is recorded and the
    line is returned; otherwise the candidates are returned for the counter to choose.
    """

    permission_required = "inventory.change_stockcount"
    http_method_names = ["post"]

    def post(self, request, pk):
        count = _count(request, pk)
        term = request.POST.get("term", "").strip()
        quantity = _decimal(request.POST.get("quantity", ""), Decimal(1))
        if quantity is None or not quantity.is_finite():
            return JsonResponse({"error": _("Enter a number.")}, status=400)
        product_id = request.POST.get("product", "")
        if product_id.isdigit():
            chosen, unit_id = int(product_id), (request.POST.get("unit") or None)
        else:
            matches = product_lookup(term, limit=8, include_inactive=True)
            if not matches or not matches[0].exact:
                return JsonResponse(
                    {
                        "candidates": [
                            {"id": m.product.pk, "code": m.product.code, "name": m.product.name} for m in matches
                        ],
                        "error": "" if matches else _("No product matches “%(term)s”.") % {"term": term},
                    },
                    status=200 if matches else 404,
                )
            chosen, unit_id = matches[0].product.pk, matches[0].barcode_unit_id
        entry = CountEntryInput(
            product_id=chosen,
            quantity=quantity,
            unit_id=int(unit_id) if unit_id else None,
            add=request.POST.get("mode") != "set",
        )
        try:
            stock_count_record(actor=request.user, count=count, entries=[entry])
        except Refusal as error:
            message = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            return JsonResponse({"error": message or _("You do not have permission to do this.")}, status=400)
        line = count_lines(count=count, user=request.user).get(product_id=chosen)
        return JsonResponse(
            {
                "line": {
                    "id": line.pk,
                    "row": line.line_no,
                    "code": line.product.code,
                    "name": line.product.name,
                    "unit": line.product.base_unit.name,
                    "location": line.location_code,
                    "mine": f"{line.my_quantity.normalize():f}" if line.my_quantity is not None else "",
                    "counted": f"{line.counted_quantity.normalize():f}" if line.counted_quantity is not None else "",
                    "book": f"{line.book_quantity.normalize():f}" if _show_book(request, count) else None,
                    "added": line.added,
                }
            }
        )


class StockCountPasteView(PermissionMixin, View):
    """The bulk path for a handheld's export: paste ``code quantity`` rows, recorded in one call."""

    permission_required = "inventory.change_stockcount"
    http_method_names = ["post"]

    def post(self, request, pk):
        count = _count(request, pk)
        entries, errors = pasted_counts(request.POST.get("rows", ""))
        for error in errors[:20]:
            messages.error(request, error)
        if entries and not errors:
            saved, done = run_refusable(
                request, lambda: stock_count_record(actor=request.user, count=count, entries=entries)
            )
            if done:
                messages.success(request, _("%(count)s counts saved.") % {"count": saved})
        return redirect("inventory:count_scan", pk=count.pk)


class StockCountSheetView(PermissionMixin, View):
    """The printable count sheet (盘点表), sorted by storage location, with barcodes."""

    permission_required = "inventory.view_stockcount"

    def get(self, request, pk):
        count = _count(request, pk)
        lines = count_lines(count=count, user=request.user).order_by("line_no")
        context = {"document": count, "lines": lines, "show_book": not count.blind}
        return render(request, "inventory/stockcount_sheet.html", context)


class StockCountRecountView(PermissionMixin, View):
    """Send lines back for a recount: the chosen ones (``line``), else every line with a variance."""

    permission_required = "inventory.change_stockcount"
    http_method_names = ["post"]

    def post(self, request, pk):
        count = _count(request, pk)
        line_ids = [int(value) for value in request.POST.getlist("line") if value.isdigit()]
        _result, done = run_refusable(
            request, lambda: stock_count_recount(actor=request.user, count=count, line_ids=line_ids or None)
        )
        if done:
            messages.success(request, _("%(number)s is back to counting for the recount.") % {"number": count.number})
            return redirect("inventory:count_scan", pk=count.pk)
        return redirect(count)


def _count_command(service):
    return command_view(
        queryset=lambda user: stock_counts(user=user),
        permission="inventory.change_stockcount",
        run=lambda actor, document, reason: service(actor=actor, count=document, reason=reason),
    )


count_submit = _count_command(stock_count_submit)
count_post = _count_command(stock_count_post)
count_cancel = _count_command(stock_count_cancel)


class CycleCountView(PermissionMixin, View):
    """Cycle counting (循环盘点): what is due by ABC class, and count accuracy over time."""

    permission_required = "inventory.view_stockcount"

    def get(self, request):
        warehouse_id = request.GET.get("warehouse")
        warehouse_id = int(warehouse_id) if (warehouse_id or "").isdigit() else None
        due = cycle_count_due(user=request.user, warehouse_id=warehouse_id)
        history = list(count_accuracy(user=request.user, warehouse_id=warehouse_id)[:24])
        for count in history:
            count.accuracy = accuracy_percent(count)
        due_rows = list(due[:200])
        by_warehouse: dict[int, list[str]] = {}
        for row in due_rows:
            by_warehouse.setdefault(row.warehouse_id, []).append(row.product.code)
        context = {
            "due": due_rows,
            "due_total": due.count(),
            "by_warehouse": {k: " ".join(v) for k, v in by_warehouse.items()},
            "history": history,
            "warehouses": warehouses_for_user(request.user),
            "warehouse_id": warehouse_id,
        }
        return render(request, "inventory/cycle_count.html", context)
