"""The queue's own job kinds: a self-check that shows workers are running, and the clean-up."""

import time

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.jobs.context import JobContext
from apps.jobs.registry import job_handler
from apps.jobs.services import job_delete_expired


@job_handler("jobs.selfcheck", label=gettext_lazy("Worker self-check"), max_attempts=1)
def selfcheck(job: JobContext, *, steps: int = 20, pause: float = 0.1) -> dict:
    """Counts to ``steps`` with a pause between, so a worker's progress can be watched."""
    for _step in job.track(range(max(1, min(int(steps), 1000))), message=_("Counting")):
        time.sleep(max(0.0, min(float(pause), 1.0)))
    return {"summary": _("The workers are running.")}


@job_handler("jobs.cleanup", label=gettext_lazy("Clean up old jobs"), max_attempts=1)
def cleanup(job: JobContext, *, days: int = 30) -> dict:
    deleted = job_delete_expired(days=int(days))
    return {"summary": _("%(count)d old job(s) deleted.") % {"count": deleted}}


from apps.jobs import exports  # noqa: E402, F401  (registers the jobs.export kind)
