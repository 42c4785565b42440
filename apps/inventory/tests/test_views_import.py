import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from apps.inventory.models import AdjustmentKind, AdjustmentStatus, StockAdjustment, StockMovement
from apps.masterdata.tests.factories import ProductFactory, WarehouseFactory

pytestmark = pytest.mark.django_db

IMPORT = reverse("inventory:adjustment_import")


def workbook_file(*rows) -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Item code", "Quantity", "Unit cost", "Remarks"])
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("opening.xlsx", buffer.getvalue())


def test_an_excel_sheet_becomes_a_draft_opening_stock_document(client_for):
    warehouse = WarehouseFactory()
    ProductFactory(code="A001")
    ProductFactory(code="B002")
    client = client_for("warehouse")

    response = client.post(
        IMPORT,
        {
            "warehouse": warehouse.pk,
            "date": "2026-11-01",
            "file": workbook_file(("a001", 10, 2.5), ("B002", 3, 1, "x")),
        },
    )

    document = StockAdjustment.objects.get()
    assert response.status_code == 302
    assert response.url == document.get_absolute_url()
    assert (document.kind, document.status, document.number[:12]) == (
        AdjustmentKind.OPENING,
        AdjustmentStatus.DRAFT,
        "QCKC20261101",
    )
    assert list(document.lines.values_list("product__code", "quantity", "unit_cost", "remarks")) == [
        ("A001", 10, 2.5, ""),
        ("B002", 3, 1, "x"),
    ]
    assert not StockMovement.objects.exists()


def test_every_bad_row_is_named_and_nothing_is_saved(client_for):
    warehouse = WarehouseFactory()
    ProductFactory(code="A001")
    client = client_for("warehouse")

    response = client.post(
        IMPORT,
        {
            "warehouse": warehouse.pk,
            "date": "2026-11-01",
            "file": workbook_file(("NOPE", 1, 1), ("A001", "ten", 1), ("A001", -1, 1), ("A001", 1, 1)),
        },
    )

    assert response.status_code == 400
    assert response.context["form"].errors["file"] == [
        "Row 2: unknown item code “NOPE”.",
        "Row 3: quantity and unit cost must be numbers.",
        "Row 4: the quantity must be positive and the unit cost not negative.",
    ]
    assert not StockAdjustment.objects.exists()


def test_a_file_that_is_not_excel_is_refused(client_for):
    warehouse = WarehouseFactory()

    response = client_for("warehouse").post(
        IMPORT,
        {
            "warehouse": warehouse.pk,
            "date": "2026-11-01",
            "file": SimpleUploadedFile("x.xlsx", b"\x89PNG\x00 not excel"),
        },
    )

    assert response.status_code == 400
    assert response.context["form"].errors["file"] == ["The file is neither an .xlsx workbook nor a CSV text file."]


def test_the_template_downloads_and_other_roles_are_refused(client_for):
    response = client_for("warehouse").get(IMPORT, {"template": "1"})

    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
    assert next(sheet.values) == ("Item code", "Quantity", "Unit cost", "Remarks")
    assert client_for("sales").get(IMPORT).status_code == 403


def test_the_import_page_offers_today_and_the_only_warehouse_of_assigned_staff(client_for):
    # The date box was empty: the browser's date input only takes yyyy-mm-dd, and the form
    # rendered the date in the active language's format.
    warehouse = WarehouseFactory()
    WarehouseFactory()
    client = client_for("warehouse", sees_all_warehouses=False)
    warehouse.assigned_users.add(client.user)

    response = client.get(IMPORT, HTTP_ACCEPT_LANGUAGE="zh-hans")

    today = timezone.localdate()
    assert f'name="date" value="{today:%Y-%m-%d}"' in response.content.decode()
    assert response.context["form"].initial["warehouse"] == warehouse
