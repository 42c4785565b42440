"""Periodic jobs: the worker starts each configured kind once per interval, however many workers ask."""

import datetime

import pytest

from apps.jobs.models import Job, JobStatus
from apps.jobs.services import job_start_periodic, jobs_start_due
from apps.notifications.models import Notification, NotificationKind

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 12, 1, 3, 0, tzinfo=datetime.UTC)  # a multiple of 300 s since the epoch


def test_one_job_per_interval_however_often_it_is_asked(settings):
    settings.JOBS_PERIODIC = {"jobs.selfcheck": 300}

    first = jobs_start_due(now=T0)
    again = jobs_start_due(now=T0 + datetime.timedelta(seconds=299))
    later = jobs_start_due(now=T0 + datetime.timedelta(seconds=300))

    assert [job.kind for job in first] == ["jobs.selfcheck"]
    assert again == []
    assert len(later) == 1
    assert later[0].pk != first[0].pk
    assert Job.objects.filter(kind="jobs.selfcheck").count() == 2
    assert set(Job.objects.values_list("status", flat=True)) == {JobStatus.SUCCEEDED}  # the immediate backend ran them


def test_a_second_worker_in_the_same_interval_starts_nothing():
    assert job_start_periodic(kind="jobs.selfcheck", interval=60, now=T0) is not None
    assert job_start_periodic(kind="jobs.selfcheck", interval=60, now=T0 + datetime.timedelta(seconds=59)) is None
    assert Job.objects.count() == 1


def test_kinds_turned_off_are_not_started(settings):
    settings.JOBS_PERIODIC = {"jobs.selfcheck": 0}

    assert jobs_start_due(now=T0) == []
    assert not Job.objects.exists()


def test_the_alert_sweep_runs_as_a_periodic_job(settings, make_user):
    from apps.procurement.tests.factories import approved_order

    settings.JOBS_PERIODIC = {"notifications.sweep": 300}
    order = approved_order(expected_date=datetime.date(2020, 1, 1))

    (job,) = jobs_start_due(now=T0)

    assert job.status == JobStatus.SUCCEEDED
    assert Notification.objects.filter(
        kind=NotificationKind.LATE_PURCHASE_ORDER, key=f"late_po:{order.pk}", closed_at__isnull=True
    ).exists()
