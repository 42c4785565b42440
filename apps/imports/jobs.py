"""The import job kinds: check (the preview) and import (the confirm)."""

from django.utils.translation import gettext_lazy

from apps.imports import services
from apps.jobs.context import JobContext
from apps.jobs.registry import job_handler


@job_handler("imports.check", label=gettext_lazy("Check an import file"))
def check(job: JobContext, *, batch: str) -> dict:
    return services.batch_check(batch_id=batch, job=job)


@job_handler("imports.commit", label=gettext_lazy("Import a file"))
def commit(job: JobContext, *, batch: str) -> dict:
    return services.batch_commit(batch_id=batch, job=job)
