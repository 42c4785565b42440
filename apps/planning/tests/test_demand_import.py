"""Uploaded demand history: imported through the import page's checks, then used by the forecast."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.imports import services
from apps.imports.models import BatchStatus
from apps.imports.tests import corpus
from apps.masterdata.tests.factories import ProductFactory, WarehouseFactory
from apps.planning.models import ExternalDemand, ForecastRun
from apps.planning.selectors import demand_history
from apps.planning.services import forecast_run_compute
from apps.planning.tests.test_app import MONDAY, weekly

pytestmark = pytest.mark.django_db
NEGATIVE = "-3 is negative; enter zero or more."
WEEKS = [MONDAY + datetime.timedelta(weeks=w) for w in range(4)]


@pytest.fixture
def planner(make_user):
    return make_user("admin")


def upload(user, content: bytes, name="history.xlsx"):
    batch = services.batch_create(user=user, kind="demand_history", upload=SimpleUploadedFile(name, content))
    batch.refresh_from_db()
    return batch


def errors_of(batch) -> list[tuple]:
    return [(e["row"], e["column"], e["value"], e["message"]) for e in batch.errors]


def test_a_good_file_is_stored_per_product_warehouse_and_period(planner):
    warehouse = WarehouseFactory(code="WH1")
    WarehouseFactory(code="WH2")
    bolt, _nut = ProductFactory(code="B001"), ProductFactory(code="N001")
    rows = [
        ["商品编码", "仓库", *WEEKS],
        ["b001", "wh1", 5, 0, None, "7.5"],
        ["N001", "WH1", 1, 2, 3, 4],
    ]

    batch = upload(planner, corpus.xlsx(rows))

    assert errors_of(batch) == []
    assert (batch.status, batch.summary["new"]) == (BatchStatus.CHECKED, 7)
    services.batch_confirm(user=planner, batch=batch)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.IMPORTED
    stored = {(r.product_id, r.period_start): r.quantity for r in ExternalDemand.objects.filter(warehouse=warehouse)}
    assert stored[(bolt.pk, WEEKS[0])] == Decimal(5)
    assert stored[(bolt.pk, WEEKS[3])] == Decimal("7.5")
    assert (bolt.pk, WEEKS[2]) not in stored  # a blank cell holds no figure
    assert len(stored) == 7
    again = upload(planner, corpus.xlsx(rows))
    assert (again.summary["new"], again.summary["changed"], again.summary["unchanged"]) == (0, 0, 7)


def test_a_csv_with_one_warehouse_needs_no_warehouse_column(planner):
    warehouse = WarehouseFactory()
    product = ProductFactory(code="C001")
    content = b"item code,2025-06-02,2025-06-09\nC001,4,6\n"

    batch = upload(planner, content, name="history.csv")
    services.batch_confirm(user=planner, batch=batch)

    assert sorted(
        ExternalDemand.objects.filter(product=product, warehouse=warehouse).values_list("quantity", flat=True)
    ) == [
        Decimal(4),
        Decimal(6),
    ]


def test_bad_rows_are_named_and_nothing_is_written(planner):
    WarehouseFactory(code="WH1")
    for code in ("B001", "B002", "B003", "B004"):
        ProductFactory(code=code)
    rows = [
        ["商品编码", "仓库", *WEEKS],
        ["B001", "WH1", 5, 0, 1, 2],
        ["X999", "WH1", 1, 1, 1, 1],
        ["B002", "WH9", 1, 1, 1, 1],
        ["B003", "WH1", 1, "lots", 1, 1],
        ["B004", "WH1", 1, 1, -3, 1],
    ]

    batch = upload(planner, corpus.xlsx(rows))

    assert errors_of(batch) == [
        (3, "Item code", "X999", "Unknown or deactivated product: X999."),
        (4, "Warehouse", "WH9", "Unknown warehouse, or one you may not work in: WH9."),
        (5, "2025-06-09", "lots", "“lots” is not a number."),
        (6, "2025-06-16", "-3", NEGATIVE),
    ]
    with pytest.raises(services.ValidationError):
        services.batch_confirm(user=planner, batch=batch)
    assert not ExternalDemand.objects.exists()


def test_a_file_without_period_columns_is_refused(planner):
    WarehouseFactory()
    batch = upload(planner, corpus.xlsx([["item code", "name"], ["B001", "Bolt"]]))

    assert batch.error_count == 1
    assert batch.errors[0]["message"].startswith("The file has no period columns")


def test_the_ledger_wins_and_the_upload_fills_the_periods_before_it(monkeypatch):
    warehouse, product = WarehouseFactory(), ProductFactory()
    weeks_before = [MONDAY - datetime.timedelta(weeks=w) for w in range(3, 0, -1)]
    for day, quantity in zip([*weeks_before, MONDAY], [4, 6, 8, 99], strict=True):
        ExternalDemand.objects.create(product=product, warehouse=warehouse, period_start=day, quantity=quantity)
    weekly(monkeypatch, product, warehouse, [5, 7])  # the ledger starts the Sunday before MONDAY's week

    keys, buckets, y = demand_history(period="week", end=MONDAY + datetime.timedelta(weeks=1))

    assert keys == [(product.pk, warehouse.pk)]
    assert buckets[-5:] == [*weeks_before[:1], *weeks_before[1:], MONDAY, MONDAY + datetime.timedelta(weeks=1)][-5:]
    # the receipt the Sunday before MONDAY opens the ledger in the week before: upload 4, 6; ledger 0, 5, 7
    assert y[0, -5:].tolist() == [4, 6, 0, 5, 7]


def test_a_product_with_only_uploaded_history_gets_a_history():
    warehouse, product = WarehouseFactory(), ProductFactory()
    ExternalDemand.objects.create(product=product, warehouse=warehouse, period_start=MONDAY, quantity=3)
    ExternalDemand.objects.create(
        product=product, warehouse=warehouse, period_start=MONDAY + datetime.timedelta(weeks=2), quantity=5
    )

    keys, _buckets, y = demand_history(period="week", end=MONDAY + datetime.timedelta(weeks=3))

    assert keys == [(product.pk, warehouse.pk)]
    assert y[0].tolist() == [3, 0, 5, 0]


def test_the_forecast_uses_the_uploaded_history(monkeypatch):
    warehouse = WarehouseFactory()
    product = ProductFactory()
    go_live = MONDAY + datetime.timedelta(weeks=26)
    pattern = [10, 12, 9, 11, 10, 13, 8, 10, 11, 12] * 3
    for week, quantity in enumerate(pattern[:26]):
        ExternalDemand.objects.create(
            product=product,
            warehouse=warehouse,
            period_start=MONDAY + datetime.timedelta(weeks=week),
            quantity=quantity,
        )
    weekly(monkeypatch, product, warehouse, pattern[26:], first=go_live)
    run = ForecastRun.objects.create(history_end=go_live + datetime.timedelta(weeks=3), horizon=4)

    forecast_run_compute(run=run)

    item = run.items.get()
    assert item.status == "ok"  # four weeks of ledger alone would be too little history
    assert len(item.history) == 30
    assert item.history[:3] == [10, 12, 9]
    assert Decimal(8) < item.next_period < Decimal(13)
    ExternalDemand.objects.all().delete()
    alone = ForecastRun.objects.create(history_end=go_live + datetime.timedelta(weeks=3), horizon=4)
    forecast_run_compute(run=alone)
    assert alone.items.get().status == "insufficient"


def test_the_import_page_offers_demand_history(client_for):
    client = client_for("admin")

    page = client.get(reverse("imports:batch_create")).content.decode()

    assert 'value="demand_history"' in page


def test_the_template_of_the_demand_history_kind_downloads(client_for):
    import io

    from openpyxl import load_workbook

    response = client_for("admin").get(reverse("imports:template_download", args=["demand_history"]))

    sheet = load_workbook(io.BytesIO(response.content)).active
    assert response.status_code == 200
    assert [cell.value for cell in sheet[1]] == ["Item code", "Warehouse"]
