"""A real worker starts the alert sweep on its own and runs it (django-tasks has no scheduler)."""

import json


def test_a_worker_starts_the_alert_sweep_once_per_interval(sandbox, monkeypatch):
    monkeypatch.setenv("ALERT_SWEEP_SECONDS", "86400")  # both runs fall in the same day's interval
    sandbox.manage("jobs_worker", "--batch", "--interval", "0")
    sandbox.manage("jobs_worker", "--batch", "--interval", "0")  # a second worker in the same interval

    state = sandbox.shell(
        "import json; from apps.jobs.models import Job; "
        "print(json.dumps(list(Job.objects.filter(kind='notifications.sweep').values_list('status', flat=True))))"
    )
    assert json.loads(state) == ["succeeded"]
