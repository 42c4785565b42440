"""Starting, running and recovering background jobs.

``job_start`` is the one call other apps need: it records a ``Job`` row and enqueues the
generic ``run_job`` task on Django's Tasks API; the worker (``manage.py jobs_worker``) picks it
up. Everything a user sees (state, progress, error, download) lives on the ``Job`` row.

Retries: a database lock or deadlock (``OperationalError``) re-enqueues the job with a back-off;
a worker that dies (killed, machine lost) stops its heartbeat and ``job_requeue_stale`` (run by
every worker every ``JOBS_HEARTBEAT_SECONDS``) enqueues the job again. Each job runs at most
``max_attempts`` times. Handlers are therefore written to be idempotent (see ``registry``).
"""

import datetime
import logging
import threading
import traceback
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, close_old_connections, connection, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.jobs.context import JobContext, JobError
from apps.jobs.models import Job, JobStatus
from apps.jobs.registry import job_kind

logger = logging.getLogger(__name__)


def _heartbeat_seconds() -> float:
    return float(getattr(settings, "JOBS_HEARTBEAT_SECONDS", 10))


def _stale_after() -> datetime.timedelta:
    return datetime.timedelta(seconds=max(3 * _heartbeat_seconds(), 3))


def job_start(
    *,
    kind: str,
    user: Any,
    params: dict | None = None,
    label: str | None = None,
    dedupe_key: str = "",
) -> Job:
    """Record a job of ``kind`` for ``user`` and enqueue it; return the ``Job`` (redirect to it).

    ``params`` must be JSON (ids and strings, never model instances or files: save uploads to
    storage first and pass the path). With ``dedupe_key``, a queued or running job of the same
    kind and key is returned instead of a second one (a double click starts one job).
    Raises ``KeyError`` for an unregistered kind.
    """
    registered = job_kind(kind)
    if dedupe_key:
        active = Job.objects.filter(
            kind=kind, dedupe_key=dedupe_key, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]
        ).first()
        if active is not None:
            return active
    job = Job.objects.create(
        kind=kind,
        label=str(label or registered.label)[:200],
        params=params or {},
        user=user if getattr(user, "pk", None) else None,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        dedupe_key=dedupe_key,
        max_attempts=registered.max_attempts,
    )
    _enqueue(job)
    job.refresh_from_db()
    return job


def _enqueue(job: Job, *, delay: float = 0) -> None:
    from apps.jobs.tasks import run_job

    task = run_job
    if delay and task.get_backend().supports_defer:
        task = task.using(run_after=timezone.now() + datetime.timedelta(seconds=delay))
    result = task.enqueue(str(job.pk))
    Job.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])


class _Heartbeat(threading.Thread):
    """Touches ``heartbeat_at`` while a job runs, so a dead worker's job can be told apart."""

    def __init__(self, job_id) -> None:
        super().__init__(daemon=True, name=f"job-heartbeat-{job_id}")
        self.job_id = job_id
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopped.wait(_heartbeat_seconds()):
                try:
                    Job.objects.filter(pk=self.job_id, status=JobStatus.RUNNING).update(heartbeat_at=timezone.now())
                except OperationalError:  # the database is busy; the next beat will do
                    logger.info("job %s: heartbeat skipped, database busy", self.job_id)
        finally:
            connection.close()


def job_execute(*, job_id: str) -> None:
    """Run job ``job_id`` once (called by the ``run_job`` task on a worker).

    Claims the job (queued → running) with one conditional UPDATE, so a duplicate delivery of
    the same task does nothing. Never raises for a handler's failure: the job records it.
    """
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=now, heartbeat_at=now, attempts=F("attempts") + 1, error=""
    )
    if not claimed:
        logger.info("job %s: not queued any more, skipped", job_id)
        return
    job = Job.objects.select_related("user").get(pk=job_id)
    heartbeat = _Heartbeat(job.pk) if _heartbeat_seconds() > 0 else None
    if heartbeat is not None:
        heartbeat.start()
    try:
        with translation.override(job.language or settings.LANGUAGE_CODE):
            _run_handler(job)
    finally:
        if heartbeat is not None:
            heartbeat.stopped.set()
            heartbeat.join(timeout=5)


def _run_handler(job: Job) -> None:
    context = JobContext(job)
    try:
        handler = job_kind(job.kind).handler
        result = handler(context, **job.params)
    except (JobError, ValidationError) as error:
        messages = error.messages if isinstance(error, ValidationError) else [str(error)]
        _finish(job, JobStatus.FAILED, error="\n".join(str(m) for m in messages))
    except OperationalError as error:
        if _is_retryable(error) and job.attempts < job.max_attempts:
            logger.warning("job %s: %s, retrying", job.pk, error)
            Job.objects.filter(pk=job.pk).update(status=JobStatus.QUEUED, message=_("Waiting to retry"))
            _enqueue(job, delay=2**job.attempts)
            return
        busy = _is_retryable(error)
        message = (
            _("The database stayed busy; try again later.")
            if busy
            else _("The job stopped on an unexpected error; an administrator can see the details.")
        )
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        _finish(job, JobStatus.FAILED, error=message, trace=traceback.format_exc())
    except Exception:
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        _finish(
            job,
            JobStatus.FAILED,
            error=_("The job stopped on an unexpected error; an administrator can see the details."),
            trace=traceback.format_exc(),
        )
    else:
        if result is not None:
            context.set_result(**result)
        _finish(job, JobStatus.SUCCEEDED)


def _finish(job: Job, status: str, *, error: str = "", trace: str = "") -> None:
    fields: dict[str, Any] = {"status": status, "finished_at": timezone.now(), "error": error, "traceback": trace}
    if status == JobStatus.SUCCEEDED and job.progress_total:
        fields["progress_done"] = fields["progress_total"] = job.progress_total
    Job.objects.filter(pk=job.pk).update(**fields)


def _is_retryable(error: OperationalError) -> bool:
    """A lock timeout, deadlock or serialization failure: nothing was written, run it again."""
    from apps.core.db import _is_retryable as core_retryable

    return core_retryable(error) or "database is locked" in str(error) or "deadlock" in str(error)


def job_requeue_stale() -> int:
    """Re-enqueue running jobs whose worker stopped beating; fail those out of attempts.

    Safe to run from any number of workers at once: each job is moved by one conditional
    UPDATE, so only one of them re-enqueues it. Returns how many jobs were re-enqueued.
    """
    cutoff = timezone.now() - _stale_after()
    stale = Job.objects.filter(status=JobStatus.RUNNING).filter(Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at=None))
    requeued = 0
    for job in stale:
        _fail_task_result(job.task_id)
        with translation.override(job.language or settings.LANGUAGE_CODE):
            if job.attempts >= job.max_attempts:
                error = ngettext(
                    "The worker running this job stopped; nothing was kept from that run.",
                    "The worker running this job stopped %(count)d times; nothing was kept from those runs.",
                    job.attempts,
                ) % {"count": job.attempts}
                Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING, heartbeat_at=job.heartbeat_at).update(
                    status=JobStatus.FAILED, finished_at=timezone.now(), error=error
                )
                continue
            message = _("The worker stopped; the job starts again")
        moved = Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING, heartbeat_at=job.heartbeat_at).update(
            status=JobStatus.QUEUED, message=message
        )
        if moved:
            _enqueue(job)
            requeued += 1
    return requeued


def _fail_task_result(task_id: str) -> None:
    """Mark the queue's own record of a lost run as failed (it would say "running" forever)."""
    if not task_id or "django_tasks_db" not in settings.INSTALLED_APPS:
        return
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(pk=task_id, status="RUNNING").update(status="FAILED", finished_at=timezone.now())


def job_delete_expired(*, days: int = 30) -> int:
    """Delete finished jobs older than ``days`` with their files; return how many."""
    cutoff = timezone.now() - datetime.timedelta(days=days)
    count = 0
    for job in Job.objects.filter(finished_at__lt=cutoff).iterator():
        if job.file:
            job.file.delete(save=False)
        job.delete()
        count += 1
    close_old_connections()
    return count


# Periodic job ids are derived from (kind, interval, slot) in this namespace: a primary key, so a
# slot's job is inserted once however many workers ask for it at the same moment.
PERIODIC_NAMESPACE = uuid.UUID("6f1d3c4e-2b5a-4f0e-9c57-0d2f8a1b7e33")


def periodic_jobs() -> dict[str, float]:
    """``settings.JOBS_PERIODIC``: job kind → seconds between runs (kinds with 0 or less are off)."""
    return {kind: float(seconds) for kind, seconds in getattr(settings, "JOBS_PERIODIC", {}).items() if seconds > 0}


def job_start_periodic(*, kind: str, interval: float, now: datetime.datetime | None = None) -> Job | None:
    """Start ``kind`` once per ``interval`` seconds; return the job started, or None when this
    interval's job exists already.

    Time is cut into slots of ``interval`` seconds since the epoch; a slot's job has an id derived
    from (kind, interval, slot), so whichever worker inserts it first starts it and every other
    insert fails on the primary key: idempotent without a lock, across any number of workers.
    The job row and its task are written in one transaction (the database backend queues in the
    same database), so a slot never ends up with a job that nobody will run.
    """
    registered = job_kind(kind)
    moment = now or timezone.now()
    slot = int(moment.timestamp() // interval)
    job_id = uuid.uuid5(PERIODIC_NAMESPACE, f"{kind}:{interval:g}:{slot}")
    try:
        with transaction.atomic():
            job = Job.objects.create(
                id=job_id,
                kind=kind,
                label=str(registered.label)[:200],
                params={},
                language=settings.LANGUAGE_CODE,
                dedupe_key=f"periodic:{slot}",
                max_attempts=registered.max_attempts,
            )
            _enqueue(job)
    except IntegrityError:
        return None
    job.refresh_from_db()
    return job


def jobs_start_due(*, now: datetime.datetime | None = None) -> list[Job]:
    """Start every periodic job (``periodic_jobs()``) whose current slot has none yet (the worker calls this)."""
    started = []
    for kind, interval in periodic_jobs().items():
        try:
            job = job_start_periodic(kind=kind, interval=interval, now=now)
        except KeyError:  # configured but not registered: the others still run
            logger.error("periodic job kind %s is not registered", kind)
            continue
        if job is not None:
            started.append(job)
    return started
