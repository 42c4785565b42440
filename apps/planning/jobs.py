"""The planning jobs: forecast the whole catalogue; replay the last year for the policy check."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.jobs.context import JobContext, JobError
from apps.jobs.registry import job_handler
from apps.masterdata.models import Warehouse
from apps.planning.models import ForecastRun, RunStatus
from apps.planning.selectors import item_forecasts
from apps.planning.services import forecast_run_compute
from apps.planning.whatif import policy_check


@job_handler("planning.forecast", label=gettext_lazy("Demand forecast"), max_attempts=2)
def forecast(job: JobContext, *, run_id: int) -> dict:
    run = ForecastRun.objects.filter(pk=run_id).first()
    if run is None:
        raise JobError(_("The forecast run no longer exists."))
    try:
        run = forecast_run_compute(run=run, progress=lambda done, total, message: job.progress(done, total, message))
    except Exception:
        ForecastRun.objects.filter(pk=run_id).update(status=RunStatus.FAILED)
        raise
    return {"summary": _("%(count)s product × warehouse pairs forecast.") % {"count": run.summary.get("pairs", 0)}}


@job_handler("planning.policy_check", label=gettext_lazy("Policy check"), max_attempts=2)
def policy_check_job(job: JobContext, *, run_id: int, warehouse_id: int | None = None) -> dict:
    """Read-only: replays the run's items in the starting user's warehouses and stores the figures as the result."""
    run = ForecastRun.objects.filter(pk=run_id, status=RunStatus.DONE).first()
    if run is None:
        raise JobError(_("The forecast run no longer exists."))
    if job.user is None:
        raise JobError(_("The user who started this check no longer exists."))
    job.progress(0, 2, _("Reading the forecasts"), force=True)
    items = item_forecasts(run=run, user=job.user).defer(None)
    if warehouse_id is not None:
        if not Warehouse.objects.filter(pk=warehouse_id).exists():
            raise JobError(_("The warehouse no longer exists."))
        items = items.filter(warehouse_id=warehouse_id)
    items = list(items)
    job.progress(1, 2, _("Replaying the last year of %(count)s items") % {"count": len(items)}, force=True)
    result = policy_check(items, period=run.period)
    job.progress(2, 2, _("Done"), force=True)
    if result["levels"]:
        summary = _("%(items)s products, the last %(periods)s periods replayed.") % {
            "items": result["items"],
            "periods": result["holdout"],
        }
    else:
        summary = _("Too little history to replay a year.")
    return {
        "run_id": run.pk,
        "warehouse_id": warehouse_id,
        "check": result,
        "summary": summary,
        "next_url": reverse("planning:policy_check") + f"?run={run.pk}&job={job.id}",
        "next_label": _("See the result"),
    }
