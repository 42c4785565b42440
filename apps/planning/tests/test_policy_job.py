"""The policy check runs as a job: the page only enqueues, the job stores the figures, the page shows them."""

import datetime

import pytest
from django.urls import reverse

from apps.jobs.models import Job
from apps.jobs.services import job_execute
from apps.masterdata.tests.factories import ProductFactory, WarehouseFactory
from apps.planning.models import ForecastRun
from apps.planning.selectors import item_forecasts
from apps.planning.services import forecast_run_compute
from apps.planning.tests.test_app import MONDAY, weekly
from apps.planning.whatif import policy_check

pytestmark = pytest.mark.django_db


def _run(monkeypatch):
    warehouse = WarehouseFactory()
    for pattern in ([10, 12, 9, 11, 10, 13, 8, 10, 11, 12], [0, 9, 0, 0, 12, 0, 8, 0, 0, 10]):
        weekly(monkeypatch, ProductFactory(), warehouse, pattern * 3)
    run = ForecastRun.objects.create(history_end=MONDAY + datetime.timedelta(weeks=29), horizon=4)
    return forecast_run_compute(run=run), warehouse


@pytest.fixture
def queue_held(monkeypatch):
    """Jobs are recorded but not run (as with a real worker that has not picked them up yet)."""
    monkeypatch.setattr("apps.jobs.services._enqueue", lambda job, delay=0: None)


def test_the_view_only_enqueues_and_the_job_produces_the_figures(client_for, monkeypatch, queue_held):
    run, warehouse = _run(monkeypatch)
    client = client_for("manager")

    response = client.post(reverse("planning:policy_check") + f"?run={run.pk}", {"warehouse": warehouse.pk})

    job = Job.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("planning:policy_check") + f"?run={run.pk}&job={job.pk}"
    assert (job.kind, job.status, job.result) == ("planning.policy_check", "queued", {})
    assert job.params == {"run_id": run.pk, "warehouse_id": warehouse.pk}
    waiting = client.get(response.url, headers={"HX-Request": "true"})
    assert 'hx-trigger="every 1s"' in waiting.content.decode()
    assert "Average stock value" not in waiting.content.decode()

    job_execute(job_id=str(job.pk))

    job.refresh_from_db()
    expected = policy_check(list(item_forecasts(run=run, user=client.user).defer(None)), period="week")
    assert job.status == "succeeded"
    assert job.result["check"] == expected
    assert job.result["check"]["items"] == 2
    assert job.result["next_url"] == response.url
    assert [row["target"] for row in job.result["check"]["levels"]] == ["0.9", "0.95", "0.98", "0.99"]
    assert all(row["fill_rate"] is not None for row in job.result["check"]["levels"])
    done = client.get(response.url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in done
    first = job.result["check"]["levels"][0]
    assert "Average stock value" in done
    assert f"{first['fill_rate']:.3f}" in done


def test_a_double_click_starts_one_check(client_for, monkeypatch, queue_held):
    run, warehouse = _run(monkeypatch)
    client = client_for("manager")

    for _ in range(2):
        client.post(reverse("planning:policy_check") + f"?run={run.pk}", {"warehouse": warehouse.pk})

    assert Job.objects.count() == 1


def test_a_failed_check_shows_its_error(client_for, monkeypatch, queue_held):
    run, _warehouse = _run(monkeypatch)
    client = client_for("manager")
    response = client.post(reverse("planning:policy_check") + f"?run={run.pk}", {"warehouse": ""})
    job = Job.objects.get()
    ForecastRun.objects.filter(pk=run.pk).delete()

    job_execute(job_id=str(job.pk))

    job.refresh_from_db()
    assert job.status == "failed"
    assert job.error == "The forecast run no longer exists."
    page = client.get(reverse("planning:policy_check") + f"?job={job.pk}").content.decode()
    assert "The forecast run no longer exists." in page
    assert "alert-danger" in page
    assert response.status_code == 302


def test_another_users_check_is_not_shown(client_for, make_user, monkeypatch):
    run, warehouse = _run(monkeypatch)
    owner = client_for("manager")
    owner.post(reverse("planning:policy_check") + f"?run={run.pk}", {"warehouse": warehouse.pk})
    job = Job.objects.get()
    other = client_for("buyer")

    page = other.get(reverse("planning:policy_check") + f"?run={run.pk}&job={job.pk}").content.decode()

    assert "Average stock value" not in page


def test_a_warehouse_outside_the_scope_is_refused(client_for, monkeypatch, queue_held):
    run, warehouse = _run(monkeypatch)
    client = client_for("manager", sees_all_warehouses=False)

    response = client.post(reverse("planning:policy_check") + f"?run={run.pk}", {"warehouse": warehouse.pk})

    assert response.status_code == 302
    assert not Job.objects.exists()
