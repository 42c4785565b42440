"""The check keeps the sheet it read; the import reads that copy, never the workbook again."""

import datetime
import io

import pytest
from django.core.files.storage import default_storage

from apps.imports import services
from apps.imports.models import BatchStatus
from apps.imports.reader import Sheet, read_upload, sheet_dump, sheet_load
from apps.imports.tests import corpus
from apps.imports.tests.test_services import PRODUCTS, confirm, upload
from apps.masterdata.models import Product
from apps.masterdata.tests.factories import CategoryFactory, UnitFactory


def test_a_kept_sheet_reads_back_with_every_cell_type():
    sheet = Sheet(
        name="货品",
        header=["code", "日期"],
        rows=[
            (2, ["A1", datetime.datetime(2026, 3, 1, 8, 30), 1.5, 7, True, None]),  # noqa: DTZ001 (cells are naive)
            (5, ["a2", datetime.date(2026, 3, 2), datetime.time(9, 15), datetime.timedelta(days=1, seconds=3), "=1"]),
        ],
        formulas=[("B3", "=SUM(A1:A2)")],
        merged=["A4:B4"],
        notes=["The sheet “x” is not imported."],
    )
    handle = io.BytesIO()

    sheet_dump(sheet, handle)
    handle.seek(0)

    assert sheet_load(handle) == sheet


def test_a_read_workbook_survives_the_round_trip():
    rows = [["code", "day", "price"], ["A1", datetime.date(2026, 1, 31), 1.25], ["A2", "2026-02-01", None]]
    sheet = read_upload(io.BytesIO(corpus.xlsx(rows)))
    handle = io.BytesIO()
    sheet_dump(sheet, handle)
    handle.seek(0)

    assert sheet_load(handle) == sheet


@pytest.mark.django_db
def test_the_import_reads_the_kept_copy_and_deletes_both_files(make_user):
    CategoryFactory(code="DRINK", name="饮料")
    UnitFactory(code="PCS", name="个")
    UnitFactory(code="BOX", name="箱")
    admin = make_user("admin")
    batch = upload(admin, "products", corpus.xlsx(PRODUCTS))
    upload_name = batch.file.name
    kept = f"{upload_name}.json"
    assert default_storage.exists(kept)
    with default_storage.open(upload_name, "wb") as handle:
        handle.write(b"not a workbook any more")  # were it read again, the import would fail

    batch = confirm(admin, batch)

    assert batch.status == BatchStatus.IMPORTED
    assert sorted(Product.objects.values_list("code", flat=True)) == ["A1", "a2"]
    assert not default_storage.exists(upload_name)
    assert not default_storage.exists(kept)


@pytest.mark.django_db
def test_expiry_deletes_the_kept_copy_too(make_user, settings):
    admin = make_user("admin")
    batch = upload(admin, "products", corpus.xlsx(PRODUCTS))
    kept = f"{batch.file.name}.json"
    assert default_storage.exists(kept)
    settings.IMPORT_PREVIEW_HOURS = 0

    assert services.batches_expire() == 1

    assert not default_storage.exists(kept)
