"""The one task on the queue: run a recorded job (see ``services.job_execute``)."""

from django_tasks import task

from apps.jobs import services


@task()
def run_job(job_id: str) -> None:
    services.job_execute(job_id=job_id)
