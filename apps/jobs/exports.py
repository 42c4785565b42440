"""Exports that grow large run as background jobs, with a download link when done.

Every export view builds an :class:`apps.core.exports.Table` and answers with
:func:`export_respond`. Up to ``EXPORT_INLINE_MAX_ROWS`` rows the file streams straight back;
beyond that a ``jobs.export`` job is started and the user is sent to its page. The job calls the
same view again, as the same user with the same query string (so the same permission, data
scope and filters apply), and keeps the file it answers for download.
"""

import tempfile

from django.conf import settings
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.test import RequestFactory
from django.urls import resolve
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.exports import Table, export_response, requested_format
from apps.jobs.context import JobContext, JobError
from apps.jobs.registry import job_handler
from apps.jobs.services import job_start


def export_respond(request: HttpRequest, table: Table) -> HttpResponse:
    """Stream ``table`` (``?format=csv`` or xlsx), or start a job for it when it is large."""
    fmt = requested_format(request)
    limit = getattr(settings, "EXPORT_INLINE_MAX_ROWS", 5000)
    if getattr(request, "jxc_export_job", False) or table.count is None or table.count <= limit:
        return export_response(table, fmt)
    job = job_start(
        kind="jobs.export",
        user=request.user,
        params={"path": request.path, "query": request.GET.urlencode(), "filename": f"{table.filename}.{fmt}"},
        label=_("Export: %(title)s (%(count)d rows)") % {"title": table.title, "count": table.count},
    )
    return redirect(job)


@job_handler("jobs.export", label=gettext_lazy("Export"), max_attempts=2)
def export_job(job: JobContext, *, path: str, query: str, filename: str) -> dict:
    if job.user is None or not job.user.is_active:
        raise JobError(_("The user who started this export no longer exists."))
    match = resolve(path)
    request = RequestFactory().get(path, data=QueryDict(query))
    request.user = job.user
    request.htmx = False
    request.jxc_export_job = True
    job.progress(0, None, _("Writing the file"), force=True)
    response = match.func(request, *match.args, **match.kwargs)
    if response.status_code != 200:
        raise JobError(_("The export was refused (HTTP %(status)d).") % {"status": response.status_code})
    with tempfile.TemporaryFile() as handle:
        chunks = response.streaming_content if response.streaming else [response.content]
        for chunk in chunks:
            handle.write(chunk)
        # Only the file behind the response: response.close() would send request_finished, whose
        # handler closes this job's database connection (inside a test's transaction, for good).
        stream = getattr(response, "file_to_stream", None)
        if stream is not None:
            stream.close()
        handle.seek(0)
        job.save_file(filename, handle)
    return {"summary": _("The file is ready.")}
