"""Reads of jobs: a user sees the jobs they started; ``jobs.view_job`` (administrators) sees all."""

from django.db.models import QuerySet

from apps.jobs.models import Job


def job_list(*, user) -> QuerySet[Job]:
    jobs = Job.objects.select_related("user").defer("traceback", "params")
    if user.has_perm("jobs.view_job"):
        return jobs
    return jobs.filter(user=user)


def job_visible(*, user, job_id) -> Job | None:
    return job_list(user=user).defer(None).filter(pk=job_id).first()
