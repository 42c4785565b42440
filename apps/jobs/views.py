"""The job pages: my jobs, one job (its status part polled by htmx), its download."""

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views import View
from django.views.decorators.http import require_POST
from django.views.generic import ListView

from apps.core.mixins import PaginatedListMixin, PermissionMixin
from apps.core.permissions import permission_required
from apps.jobs import selectors, services

PERMISSION = "jobs.follow_job"


class JobListView(PermissionMixin, PaginatedListMixin, ListView):
    permission_required = PERMISSION
    template_name = "jobs/job_list.html"
    context_object_name = "jobs"
    default_ordering = ("-created_at",)

    def get_queryset(self):
        return selectors.job_list(user=self.request.user).order_by(*self.get_ordering())


class JobDetailView(PermissionMixin, View):
    """The job page; an htmx request gets only the status part, which polls until the job ends."""

    permission_required = PERMISSION
    http_method_names = ["get"]

    def get(self, request: HttpRequest, pk) -> HttpResponse:
        job = selectors.job_visible(user=request.user, job_id=pk)
        if job is None:
            raise Http404
        context = {"job": job, "show_traceback": request.user.has_perm("jobs.view_job")}
        if request.htmx:
            return render(request, "jobs/partials/_job_status.html", context)
        return render(request, "jobs/job_detail.html", context)


class JobDownloadView(PermissionMixin, View):
    permission_required = PERMISSION
    http_method_names = ["get"]

    def get(self, request: HttpRequest, pk) -> FileResponse:
        job = selectors.job_visible(user=request.user, job_id=pk)
        if job is None or not job.file:
            raise Http404
        return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.file_name or job.file.name)


@require_POST
@permission_required("jobs.add_job")
def selfcheck_start(request: HttpRequest) -> HttpResponse:
    """Start a short counting job: shows an administrator that the workers run."""
    job = services.job_start(
        kind="jobs.selfcheck", user=request.user, params={"steps": 20, "pause": settings.JOBS_SELFCHECK_PAUSE}
    )
    return redirect(job)
