"""Master-data exports; imports go through apps.imports (see its tests)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from apps.imports.services import batch_create
from apps.masterdata.tests.factories import (
    BrandFactory,
    CategoryFactory,
    ProductBarcodeFactory,
    ProductFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_upload(rows, name="products.xlsx", content_type=XLSX):
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=content_type)


def read_xlsx(content):
    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.fixture
def refs():
    return {
        "category": CategoryFactory(code="DRINK", name="饮料"),
        "unit": UnitFactory(code="PCS", name="个"),
        "brand": BrandFactory(name="农夫山泉"),
    }


PRODUCT_HEADER = ["code", "name", "category", "base_unit", "brand", "purchase_price", "sale_price", "barcodes"]


def test_export_respects_the_list_filters(client_for):
    ProductFactory(code="TEA-01", name="Green tea")
    ProductFactory(code="COF-01", name="Coffee")
    ProductFactory(code="TEA-02", name="Old tea", is_active=False)

    response = client_for("sales").get(reverse("masterdata:product_export"), {"q": "tea", "active": "1"})

    assert response.status_code == 200
    rows = read_xlsx(b"".join(response.streaming_content))
    assert rows[0][:2] == ["code", "name"]
    assert [row[0] for row in rows[1:]] == ["TEA-01"]


def test_exported_workbook_imports_back_unchanged(client_for, refs):
    product = ProductFactory(code="X1", category=refs["category"], base_unit=refs["unit"], brand=refs["brand"])
    ProductBarcodeFactory(product=product, barcode="6921168509256")
    client = client_for("admin")
    exported = b"".join(client.get(reverse("masterdata:product_export")).streaming_content)

    batch = batch_create(user=client.user, kind="products", upload=SimpleUploadedFile("back.xlsx", exported))

    assert batch.errors == []
    assert (batch.summary["new"], batch.summary["changed"], batch.summary["unchanged"]) == (0, 0, 1)


def test_list_page_offers_the_import_page_to_administrators_only(client_for):
    admin_page = client_for("admin").get(reverse("masterdata:product_list")).content.decode()
    buyer_page = client_for("buyer").get(reverse("masterdata:product_list")).content.decode()

    assert reverse("imports:batch_create") + "?kind=products" in admin_page
    assert reverse("imports:batch_create") not in buyer_page
