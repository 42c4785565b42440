"""The alert sweep as a job: the workers start it every ``JOBS_PERIODIC["notifications.sweep"]`` seconds."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.jobs.context import JobContext
from apps.jobs.registry import job_handler
from apps.notifications.triggers import sweep


@job_handler("notifications.sweep", label=gettext_lazy("Alert sweep"), max_attempts=2)
def alert_sweep(job: JobContext) -> dict:
    """Raise what holds and close what cleared; safe to run twice (a notification is keyed by its condition)."""
    sweep()
    return {"summary": _("Alerts checked: low stock, late purchase orders, overdue receivables.")}
