"""The job queue with the immediate backend: states, progress, errors, retries, visibility."""

import datetime

import pytest
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone

from apps.jobs import services
from apps.jobs.context import JobContext, JobError
from apps.jobs.models import Job, JobStatus
from apps.jobs.registry import job_handler

pytestmark = pytest.mark.django_db

CALLS: list[int] = []


@job_handler("tests.count", label="Count")
def _count(job: JobContext, *, upto: int) -> dict:
    for _n in job.track(range(upto), message="counting"):
        pass
    return {"summary": f"counted to {upto}", "upto": upto}


@job_handler("tests.refuse", label="Refuse")
def _refuse(job: JobContext) -> None:
    raise JobError("Row 3: the unit KG does not exist.")


@job_handler("tests.crash", label="Crash")
def _crash(job: JobContext) -> None:
    raise ZeroDivisionError("secret detail")


@job_handler("tests.busy_once", label="Busy once", max_attempts=3)
def _busy_once(job: JobContext) -> dict:
    CALLS.append(job.attempt)
    if job.attempt == 1:
        raise OperationalError("database is locked")
    return {"attempt": job.attempt}


def test_job_runs_and_records_progress_and_result(make_user):
    user = make_user("sales")

    job = services.job_start(kind="tests.count", user=user, params={"upto": 7})

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert (job.progress_done, job.progress_total) == (7, 7)
    assert job.result == {"summary": "counted to 7", "upto": 7}
    assert job.attempts == 1
    assert job.user == user
    assert job.label == "Count"
    assert job.task_id


def test_user_error_is_shown_as_it_is_without_traceback(make_user):
    job = services.job_start(kind="tests.refuse", user=make_user("sales"))

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error == "Row 3: the unit KG does not exist."
    assert job.traceback == ""


def test_unexpected_error_hides_details_from_the_user_and_keeps_them_for_admins(make_user):
    job = services.job_start(kind="tests.crash", user=make_user("sales"))

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "secret detail" not in job.error
    assert "ZeroDivisionError: secret detail" in job.traceback


def test_database_lock_is_retried():
    CALLS.clear()

    job = services.job_start(kind="tests.busy_once", user=None)

    job.refresh_from_db()
    assert CALLS == [1, 2]
    assert job.status == JobStatus.SUCCEEDED
    assert job.attempts == 2
    assert job.result == {"attempt": 2}


def test_a_second_delivery_of_the_same_job_does_nothing(make_user):
    job = services.job_start(kind="tests.count", user=make_user("sales"), params={"upto": 2})

    services.job_execute(job_id=str(job.pk))

    job.refresh_from_db()
    assert job.attempts == 1


def test_dedupe_key_returns_the_active_job():
    first = Job.objects.create(kind="tests.count", label="Count", dedupe_key="k", params={"upto": 1})

    again = services.job_start(kind="tests.count", user=None, params={"upto": 1}, dedupe_key="k")

    assert again.pk == first.pk
    assert Job.objects.count() == 1


def test_stale_running_job_is_requeued_and_run_again():
    long_ago = timezone.now() - datetime.timedelta(hours=1)
    job = Job.objects.create(
        kind="tests.count",
        label="Count",
        params={"upto": 3},
        status=JobStatus.RUNNING,
        attempts=1,
        heartbeat_at=long_ago,
    )

    requeued = services.job_requeue_stale()

    job.refresh_from_db()
    assert requeued == 1
    assert job.status == JobStatus.SUCCEEDED
    assert job.attempts == 2


def test_stale_job_out_of_attempts_fails_with_a_message():
    long_ago = timezone.now() - datetime.timedelta(hours=1)
    job = Job.objects.create(
        kind="tests.count", label="Count", status=JobStatus.RUNNING, attempts=3, max_attempts=3, heartbeat_at=long_ago
    )

    assert services.job_requeue_stale() == 0

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error == "The worker running this job stopped 3 times; nothing was kept from those runs."


def test_fresh_running_job_is_left_alone():
    job = Job.objects.create(kind="tests.count", label="Count", status=JobStatus.RUNNING, heartbeat_at=timezone.now())

    assert services.job_requeue_stale() == 0

    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING


def test_user_sees_own_job_page_and_its_htmx_status(client_for):
    client = client_for("warehouse")
    job = services.job_start(kind="tests.count", user=client.user, params={"upto": 3})

    page = client.get(reverse("jobs:job_detail", args=[job.pk]))
    fragment = client.get(reverse("jobs:job_detail", args=[job.pk]), headers={"HX-Request": "true"})

    assert page.status_code == 200
    assert b"counted to 3" in page.content
    assert fragment.status_code == 200
    assert b"<html" not in fragment.content
    assert b'id="job-status"' in fragment.content
    assert b"hx-trigger" not in fragment.content  # finished: polling stops


def test_unfinished_job_polls(client_for):
    client = client_for("warehouse")
    job = Job.objects.create(kind="tests.count", label="Count", user=client.user, status=JobStatus.RUNNING)

    fragment = client.get(reverse("jobs:job_detail", args=[job.pk]), headers={"HX-Request": "true"})

    assert b'hx-trigger="every 1s"' in fragment.content


def test_other_users_job_is_not_found_but_admin_sees_it_with_traceback(client_for, make_user):
    job = services.job_start(kind="tests.crash", user=make_user("sales"))
    clerk = client_for("sales")
    assert clerk.get(reverse("jobs:job_detail", args=[job.pk])).status_code == 404
    assert clerk.get(reverse("jobs:job_list")).context["jobs"].count() == 0

    admin = client_for("admin")  # the same test client, logged in again
    response = admin.get(reverse("jobs:job_detail", args=[job.pk]))
    assert response.status_code == 200
    assert b"ZeroDivisionError" in response.content


def test_job_list_queries_do_not_grow_with_rows(client_for, django_assert_num_queries):
    client = client_for("warehouse")
    for _i in range(2):
        Job.objects.create(kind="tests.count", label="Count", user=client.user)
    url = reverse("jobs:job_list")
    client.get(url)
    with django_assert_num_queries(6) as captured:
        client.get(url)
    for _i in range(3):
        Job.objects.create(kind="tests.count", label="Count", user=client.user)

    with django_assert_num_queries(len(captured.captured_queries)):
        client.get(url)


def test_selfcheck_start_runs_the_counting_job(client_for):
    client = client_for("admin")

    response = client.post(reverse("jobs:job_selfcheck_start"))

    job = Job.objects.get()
    assert response.url == reverse("jobs:job_detail", args=[job.pk])
    assert job.status == JobStatus.SUCCEEDED
    assert job.progress_done == 20
