"""The import page as an administrator uses it: template, upload, result page, confirm."""

import io

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from apps.imports.models import BatchStatus, ImportBatch
from apps.imports.tests import corpus
from apps.masterdata.models import Product
from apps.masterdata.tests.factories import CategoryFactory, UnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def refs():
    CategoryFactory(code="DRINK", name="饮料")
    UnitFactory(code="PCS", name="个")


def test_template_has_headers_in_the_users_language_an_example_and_drop_downs(client_for, refs):
    client = client_for("admin")

    response = client.get(
        reverse("imports:template_download", args=["products"]), headers={"accept-language": "zh-hans"}
    )

    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    assert headers[:4] == ["商品编码", "名称", "商品类别", "基本单位"]
    assert sheet["A2"].value == "A0001"
    validations = {str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation}
    assert validations["C2:C5000"] == "=lists!$A$1:$A$1"
    assert workbook["lists"].sheet_state == "hidden"
    assert workbook["lists"]["A1"].value == "DRINK"


def test_upload_check_and_confirm_through_the_pages(client_for, refs):
    client = client_for("admin")
    content = corpus.xlsx([["code", "name", "category", "base unit"], ["A1", "x", "DRINK", "PCS"]])

    response = client.post(
        reverse("imports:batch_create"), {"kind": "products", "file": SimpleUploadedFile("p.xlsx", content)}
    )

    batch = ImportBatch.objects.get()
    assert response.url == reverse("imports:batch_detail", args=[batch.pk])
    page = client.get(response.url)
    assert page.status_code == 200
    assert "Confirm import" in page.content.decode()
    client.post(reverse("imports:batch_confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == BatchStatus.IMPORTED
    assert Product.objects.filter(code="A1").exists()
    assert "Imported: 1 new, 0 changed, 0 unchanged." in client.get(response.url).content.decode()


def test_errors_page_and_rejected_rows_download(client_for, refs):
    client = client_for("admin")
    content = corpus.xlsx(
        [["code", "name", "category", "base unit"], ["A1", "x", "NOPE", "PCS"], ["A2", "y", "DRINK", "PCS"]]
    )
    client.post(reverse("imports:batch_create"), {"kind": "products", "file": SimpleUploadedFile("p.xlsx", content)})
    batch = ImportBatch.objects.get()

    page = client.get(reverse("imports:batch_detail", args=[batch.pk])).content.decode()
    rejected = client.get(reverse("imports:batch_rejected", args=[batch.pk]))

    assert "Unknown or deactivated product category: NOPE." in page
    assert "Confirm import" not in page
    sheet = load_workbook(io.BytesIO(b"".join(rejected.streaming_content))).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows == [
        ["Row", "Errors", "code", "name", "category", "base unit"],
        [2, "Product category: Unknown or deactivated product category: NOPE.", "A1", "x", "NOPE", "PCS"],
    ]


def test_busy_batch_page_polls(client_for, refs):
    client = client_for("admin")
    batch = ImportBatch.objects.create(kind="products", user=client.user, file_name="p.xlsx")

    fragment = client.get(reverse("imports:batch_detail", args=[batch.pk]), headers={"HX-Request": "true"})

    assert 'hx-trigger="every 1s"' in fragment.content.decode()


def test_another_users_batch_is_not_found(client_for, make_user):
    batch = ImportBatch.objects.create(kind="products", user=make_user("admin"), file_name="p.xlsx")
    client = client_for("manager")
    client.user.user_permissions.add(*Permission.objects.filter(codename="run_import"))

    assert client.get(reverse("imports:batch_detail", args=[batch.pk])).status_code == 404


def test_import_page_is_for_administrators(client_for):
    assert client_for("manager").get(reverse("imports:batch_create")).status_code == 403
    assert client_for("admin").get(reverse("imports:batch_create")).status_code == 200
