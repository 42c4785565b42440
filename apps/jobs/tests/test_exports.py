"""Exports through the views: hostile stored text, csv beside xlsx, large exports as jobs."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from apps.jobs.models import Job, JobStatus
from apps.masterdata.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_customer_export_survives_control_characters_and_neutralises_formulas(client_for):
    CustomerFactory(code="K1", name="bell\x07 =cmd")
    CustomerFactory(code="K2", name='=HYPERLINK("http://x")')
    client = client_for("sales")

    xlsx = client.get(reverse("masterdata:customer_export"))
    as_csv = client.get(reverse("masterdata:customer_export"), {"format": "csv"})

    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(_body(xlsx))).active
    names = [row[1].value for row in sheet.iter_rows(min_row=2)]
    assert names == ["bell =cmd", '\'=HYPERLINK("http://x")']
    assert all(row[1].data_type == "s" for row in sheet.iter_rows(min_row=2))
    assert as_csv.status_code == 200
    rows = list(csv.reader(io.StringIO(_body(as_csv).decode("utf-8-sig"))))
    assert [row[1] for row in rows[1:]] == ["bell =cmd", '\'=HYPERLINK("http://x")']


def test_large_export_runs_as_a_job_with_a_download(client_for, settings):
    settings.EXPORT_INLINE_MAX_ROWS = 1
    for number in range(3):
        CustomerFactory(code=f"K{number}", name=f"Customer {number}")
    client = client_for("sales")

    response = client.get(reverse("masterdata:customer_export"), {"format": "csv", "q": "Customer"})

    job = Job.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("jobs:job_detail", args=[job.pk])
    assert job.status == JobStatus.SUCCEEDED
    assert job.user == client.user
    assert job.file_name.endswith(".csv")
    download = client.get(reverse("jobs:job_download", args=[job.pk]))
    rows = list(csv.reader(io.StringIO(_body(download).decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == ["K0", "K1", "K2"]


def test_export_job_applies_the_users_filters(client_for, settings):
    settings.EXPORT_INLINE_MAX_ROWS = 0
    CustomerFactory(code="A1", name="Apple")
    CustomerFactory(code="B1", name="Banana")
    client = client_for("sales")

    client.get(reverse("masterdata:customer_export"), {"format": "csv", "q": "Banana"})

    job = Job.objects.get()
    rows = list(csv.reader(io.StringIO(job.file.open("rb").read().decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == ["B1"]
