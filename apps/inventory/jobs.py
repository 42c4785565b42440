"""Inventory's background jobs: the monthly stock snapshots (the workers start it every
``JOBS_PERIODIC["inventory.stock_snapshots"]`` seconds; a run with nothing due does nothing)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.inventory.services.snapshots import stock_snapshots_update
from apps.jobs.context import JobContext
from apps.jobs.registry import job_handler


@job_handler("inventory.stock_snapshots", label=gettext_lazy("Monthly stock snapshots"), max_attempts=2)
def stock_snapshots(job: JobContext) -> dict:
    built = stock_snapshots_update()
    return {"summary": _("%(count)d month(s) of stock snapshots built.") % {"count": len(built)}}
