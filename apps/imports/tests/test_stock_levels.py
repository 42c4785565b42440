"""The stock-levels import: safety stock, reorder point, maximum and default location per warehouse."""

import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from apps.imports import services
from apps.imports.models import BatchStatus
from apps.imports.tests import corpus
from apps.inventory.models import StockLevel, StorageLocation
from apps.masterdata.tests.factories import ProductFactory, WarehouseFactory

pytestmark = pytest.mark.django_db

HEADER = ["仓库", "商品编码", "安全库存", "再订货点", "最高库存", "默认货位"]


@pytest.fixture
def setup():
    main = WarehouseFactory(code="WH1", name="一号仓")
    other = WarehouseFactory(code="WH2", name="二号仓")
    shelf = StorageLocation.objects.create(warehouse=main, code="A-01", sort_order=1)
    a1, a2 = ProductFactory(code="A1"), ProductFactory(code="A2")
    StockLevel.objects.create(product=a2, warehouse=main, safety_stock=1, reorder_point=2, max_stock=30)
    return {"main": main, "other": other, "shelf": shelf, "a1": a1, "a2": a2}


def upload(user, rows):
    content = corpus.xlsx(rows)
    return services.batch_create(user=user, kind="stock_levels", upload=SimpleUploadedFile("levels.xlsx", content))


def errors_of(batch) -> list[tuple]:
    return [(e["row"], e["column"], e["value"], e["message"]) for e in batch.errors]


def levels() -> list[tuple]:
    return sorted(
        StockLevel.objects.values_list(
            "product__code", "warehouse__code", "safety_stock", "reorder_point", "max_stock", "location__code"
        )
    )


def test_good_file_previews_then_sets_levels_through_the_job(make_user, setup):
    admin = make_user("admin")
    rows = [HEADER, ["WH1", "a1", "5", "10", "100", "a-01"], ["一号仓", "A2", "", "8", "", ""]]

    batch = upload(admin, rows)

    assert batch.status == BatchStatus.CHECKED
    assert batch.errors == []
    assert (batch.summary["new"], batch.summary["changed"], batch.summary["unchanged"]) == (1, 1, 0)
    assert len(levels()) == 1  # the check writes nothing

    services.batch_confirm(user=admin, batch=batch)
    batch.refresh_from_db()

    assert batch.status == BatchStatus.IMPORTED
    assert batch.job.status == "succeeded"
    assert batch.summary["written"] == {"new": 1, "changed": 1, "unchanged": 0}
    assert levels() == [
        ("A1", "WH1", Decimal(5), Decimal(10), Decimal(100), "A-01"),
        ("A2", "WH1", Decimal(1), Decimal(8), Decimal(30), None),  # blank cells keep the stored values
    ]

    again = upload(admin, rows)
    assert (again.summary["new"], again.summary["changed"], again.summary["unchanged"]) == (0, 0, 2)


def test_a_dash_clears_the_maximum_and_the_location(make_user, setup):
    admin = make_user("admin")
    StockLevel.objects.filter(product=setup["a2"]).update(location=setup["shelf"])

    services.batch_confirm(user=admin, batch=upload(admin, [HEADER, ["WH1", "A2", "", "", "-", "-"]]))

    assert levels() == [("A2", "WH1", Decimal(1), Decimal(2), None, None)]


def test_bad_rows_are_named_and_nothing_changes(make_user, setup):
    clerk = make_user("warehouse", sees_all_warehouses=False)
    setup["main"].assigned_users.add(clerk)
    before = levels()
    rows = [
        HEADER,
        ["WH1", "A2", "5", "10", "100", ""],
        ["WH1", "NOPE", "1", "1", "1", ""],
        ["WH2", "A1", "1", "1", "1", ""],
        ["WH1", "A1", "-3", "1", "", ""],
        ["WH1", "A2", "1", "1", "1", ""],
    ]

    batch = upload(clerk, rows)

    assert batch.status == BatchStatus.CHECKED
    assert errors_of(batch) == [
        (3, "Item code", "NOPE", "Unknown or deactivated product: NOPE."),
        (4, "Warehouse", "WH2", "You may not change the stock of 二号仓."),
        (5, "Safety stock", "-3", "-3 is negative; enter zero or more."),
        (6, "Warehouse + Item code", "WH1 + A2", "Row 2 already has this Warehouse + Item code; each may appear once."),
    ]
    with pytest.raises(ValidationError, match="without errors"):
        services.batch_confirm(user=clerk, batch=batch)
    assert levels() == before


def test_reorder_point_above_the_maximum_and_unknown_location_are_named(make_user, setup):
    admin = make_user("admin")
    before = levels()
    rows = [
        HEADER,
        ["WH1", "A2", "", "50", "", ""],
        ["WH1", "A1", "1", "20", "10", ""],
        ["WH2", "A1", "", "", "", "A-01"],
    ]

    batch = upload(admin, rows)

    assert errors_of(batch) == [
        (
            2,
            "Reorder point",
            "50",
            "The maximum stock level (30) cannot be below the safety stock (1) or the reorder point (50).",
        ),
        (
            3,
            "Maximum stock level",
            "10",
            "The maximum stock level (10) cannot be below the safety stock (1) or the reorder point (20).",
        ),
        (4, "Default location", "A-01", "No location A-01 in 二号仓."),
    ]
    assert levels() == before


def test_the_kind_needs_the_stock_level_permission(make_user, setup):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        upload(make_user("sales"), [HEADER, ["WH1", "A1", "1", "1", "1", ""]])


def test_template_download_has_the_columns_in_chinese(client_for, setup):
    client = client_for("admin")

    with translation.override("zh-hans"):
        response = client.get(
            reverse("imports:template_download", args=["stock_levels"]), HTTP_ACCEPT_LANGUAGE="zh-hans"
        )

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [cell.value for cell in sheet[1]] == HEADER
    page = client.get(reverse("imports:batch_create"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "库存水平" in page.content.decode()
