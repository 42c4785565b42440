"""The planning job: forecast the whole catalogue in the background."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.jobs.context import JobContext, JobError
from apps.jobs.registry import job_handler
from apps.planning.models import ForecastRun, RunStatus
from apps.planning.services import forecast_run_compute


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
