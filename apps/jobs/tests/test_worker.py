"""A real worker process on the database backend (django-tasks-db), on a SQLite file."""

import json
import time


def test_worker_runs_a_job_enqueued_through_the_database_backend(sandbox):
    job_id = sandbox.shell(
        "from apps.jobs.services import job_start; "
        "print(job_start(kind='jobs.selfcheck', user=None, params={'steps': 5, 'pause': 0}).pk)"
    )
    assert sandbox.shell(f"from apps.jobs.models import Job; print(Job.objects.get(pk='{job_id}').status)") == "queued"

    sandbox.manage("jobs_worker", "--batch", "--interval", "0")

    state = sandbox.shell(
        "import json; from apps.jobs.models import Job; "
        f"j = Job.objects.get(pk='{job_id}'); "
        "print(json.dumps([j.status, j.progress_done, j.progress_total, j.attempts]))"
    )
    assert json.loads(state) == ["succeeded", 5, 5, 1]


def test_job_of_a_killed_worker_is_run_again_by_another(sandbox):
    job_id = sandbox.shell(
        "from apps.jobs.services import job_start; "
        "print(job_start(kind='jobs.selfcheck', user=None, params={'steps': 200, 'pause': 0.05}).pk)"
    )
    status = f"from apps.jobs.models import Job; j = Job.objects.get(pk='{job_id}'); print(j.status, j.attempts)"
    first = sandbox.popen("jobs_worker", "--interval", "0.2")
    try:
        deadline = time.monotonic() + 60
        while sandbox.shell(status) != "running 1" and time.monotonic() < deadline:
            time.sleep(0.3)
    finally:
        first.kill()  # SIGKILL: no clean-up, the job stays "running"
        first.wait()

    # selfcheck allows one attempt: the sweeper of the next worker fails it with a clear message.
    second = sandbox.popen("jobs_worker", "--interval", "0.2")
    try:
        deadline = time.monotonic() + 90
        while not sandbox.shell(status).startswith("failed") and time.monotonic() < deadline:
            time.sleep(1)
    finally:
        second.terminate()
        second.wait(timeout=30)
    assert sandbox.shell(f"from apps.jobs.models import Job; print(Job.objects.get(pk='{job_id}').error)") == (
        "The worker running this job stopped; nothing was kept from that run."
    )
