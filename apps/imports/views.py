"""The import page: choose the data, download its template, upload; then the batch page
(progress, column mapping, counts, every error, rejected rows, confirm)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from apps.core.mixins import PermissionMixin
from apps.imports import lines, services
from apps.imports.forms import UploadForm
from apps.imports.framework import kind_named
from apps.imports.models import ImportBatch
from apps.imports.reader import FileRefused
from apps.imports.workbook import template_bytes

PERMISSION = "imports.run_import"


def _batch(request: HttpRequest, pk) -> ImportBatch:
    batch = ImportBatch.objects.select_related("job").filter(pk=pk).first()
    if batch is None or (batch.user_id != request.user.pk and not request.user.is_superuser):
        raise Http404
    return batch


class BatchCreateView(PermissionMixin, View):
    permission_required = PERMISSION
    template_name = "imports/batch_create.html"

    def render_page(self, request, form, status=200) -> HttpResponse:
        recent = ImportBatch.objects.filter(user=request.user).order_by("-created_at")[:10]
        kinds = services.kinds_for(request.user)
        return render(request, self.template_name, {"form": form, "kinds": kinds, "recent": recent}, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        kinds = services.kinds_for(request.user)
        return self.render_page(request, UploadForm(kinds=kinds, initial={"kind": request.GET.get("kind")}))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = UploadForm(request.POST, request.FILES, kinds=services.kinds_for(request.user))
        if not form.is_valid():
            return self.render_page(request, form, status=400)
        try:
            batch = services.batch_create(
                user=request.user, kind=form.cleaned_data["kind"], upload=form.cleaned_data["file"]
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.render_page(request, form, status=400)
        return redirect(batch)


class BatchDetailView(PermissionMixin, View):
    """The batch page; while a job runs, htmx polls its body."""

    permission_required = PERMISSION
    http_method_names = ["get"]

    def get(self, request: HttpRequest, pk) -> HttpResponse:
        batch = _batch(request, pk)
        kind = kind_named(batch.kind)
        header = batch.summary.get("header", [])
        mapping = batch.summary.get("mapping", {})
        context = {
            "batch": batch,
            "kind": kind,
            "job": batch.job,
            "columns": [(index, text, mapping.get(str(index), "")) for index, text in enumerate(header)],
            "choices": [(column.key, column.label, column.required) for column in kind.columns],
        }
        template = "imports/partials/_batch_body.html" if request.htmx else "imports/batch_detail.html"
        return render(request, template, context)


class BatchRemapView(PermissionMixin, View):
    permission_required = PERMISSION
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk) -> HttpResponse:
        batch = _batch(request, pk)
        header = batch.summary.get("header", [])
        mapping = {index: request.POST.get(f"column_{index}", "") for index in range(len(header))}
        try:
            services.batch_remap(user=request.user, batch=batch, mapping=mapping)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        return redirect(batch)


class BatchConfirmView(PermissionMixin, View):
    permission_required = PERMISSION
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk) -> HttpResponse:
        batch = _batch(request, pk)
        try:
            services.batch_confirm(user=request.user, batch=batch)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        return redirect(batch)


class BatchRejectedView(PermissionMixin, View):
    permission_required = PERMISSION
    http_method_names = ["get"]

    def get(self, request: HttpRequest, pk) -> FileResponse:
        batch = _batch(request, pk)
        if not batch.rejected_file:
            raise Http404
        stem = batch.file_name.rsplit(".", 1)[0]
        return FileResponse(batch.rejected_file.open("rb"), as_attachment=True, filename=f"{stem}-rejected.xlsx")


class TemplateDownloadView(PermissionMixin, View):
    permission_required = PERMISSION
    http_method_names = ["get"]

    def get(self, request: HttpRequest, kind: str) -> HttpResponse:
        try:
            found = kind_named(kind)
        except KeyError as error:
            raise Http404 from error
        if not request.user.has_perm(found.permission):
            raise PermissionDenied
        response = HttpResponse(
            template_bytes(found), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = f'attachment; filename="{found.name}-template.xlsx"'
        return response


class LinesResolveView(PermissionMixin, View):
    """POST ``text`` (rows copied from Excel): the lines for the grid as JSON (``apps.imports.lines``).

    Same permission and price masking as the product lookup the grid uses.
    """

    permission_required = "masterdata.view_product"
    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> JsonResponse:
        try:
            rows = lines.rows_from_text(request.POST.get("text", ""))
            return JsonResponse(lines.lines_resolve(user=request.user, rows=rows))
        except FileRefused as error:
            return JsonResponse({"refused": str(error)}, status=400)


class LinesUploadView(PermissionMixin, View):
    """POST ``file`` (.xlsx or .csv with the paste's columns): the same JSON, or why the file is refused."""

    permission_required = "masterdata.view_product"
    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> JsonResponse:
        upload = request.FILES.get("file")
        if upload is None:
            return JsonResponse({"refused": _("Choose an .xlsx or .csv file.")}, status=400)
        try:
            rows = lines.rows_from_upload(upload, size=upload.size)
            return JsonResponse(lines.lines_resolve(user=request.user, rows=rows))
        except FileRefused as error:
            return JsonResponse({"refused": str(error)}, status=400)
