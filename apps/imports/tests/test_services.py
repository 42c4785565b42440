"""Imports end to end with the immediate job backend: check, counts, every error, confirm."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.imports import services
from apps.imports.models import BatchStatus, ImportBatch
from apps.imports.tests import corpus
from apps.inventory.models import StockAdjustment, StockBalance, StockMovement
from apps.masterdata.models import Customer, Product, ProductBarcode, ProductUnit, Unit, Warehouse
from apps.masterdata.tests.factories import (
    CategoryFactory,
    ProductFactory,
    SupplierFactory,
    UnitFactory,
    WarehouseFactory,
)
from apps.procurement.models import SupplierPrice

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(make_user):
    return make_user("admin")


@pytest.fixture
def refs():
    return {
        "category": CategoryFactory(code="DRINK", name="饮料"),
        "unit": UnitFactory(code="PCS", name="个"),
        "box": UnitFactory(code="BOX", name="箱"),
    }


def upload(user, kind: str, content: bytes, name="data.xlsx") -> ImportBatch:
    return services.batch_create(user=user, kind=kind, upload=SimpleUploadedFile(name, content))


def errors_of(batch) -> list[tuple]:
    return [(e["row"], e["column"], e["value"], e["message"]) for e in batch.errors]


def confirm(user, batch) -> ImportBatch:
    services.batch_confirm(user=user, batch=batch)
    batch.refresh_from_db()
    return batch


PRODUCTS = [
    ["商品编码", "名称", "商品类别", "基本单位", "采购价", "销售价", "条码", "辅助单位"],
    ["A1", "农夫山泉 550ml", "DRINK", "个", "1.20", "2", "6921168509256", "箱=24"],
    ["a2", " 可口可乐　330ml ", "饮料", "PCS", "１.５", "3", "6901939621608, 6901939621615", ""],
]


def test_products_preview_then_confirm_with_barcodes_and_units(admin, refs):
    batch = upload(admin, "products", corpus.xlsx(PRODUCTS))

    assert batch.status == BatchStatus.CHECKED
    assert batch.errors == []
    assert (batch.summary["new"], batch.summary["changed"], batch.summary["unchanged"]) == (2, 0, 0)
    assert Product.objects.count() == 0  # the check writes nothing

    batch = confirm(admin, batch)

    assert batch.status == BatchStatus.IMPORTED
    assert batch.summary["written"] == {"new": 2, "changed": 0, "unchanged": 0}
    a1 = Product.objects.get(code="A1")
    assert (a1.name, a1.category, a1.base_unit, a1.purchase_price) == (
        "农夫山泉 550ml",
        refs["category"],
        refs["unit"],
        Decimal("1.2"),
    )
    assert a1.mnemonic == "NFSQ550ML"
    assert list(a1.barcodes.values_list("barcode", flat=True)) == ["6921168509256"]
    assert [(u.unit.code, u.ratio) for u in a1.units.all()] == [("BOX", Decimal(24))]
    a2 = Product.objects.get(code="a2")
    assert (a2.name, a2.purchase_price) == ("可口可乐 330ml", Decimal("1.5"))
    assert sorted(a2.barcodes.values_list("barcode", flat=True)) == ["6901939621608", "6901939621615"]


def test_same_file_twice_changes_nothing(admin, refs):
    confirm(admin, upload(admin, "products", corpus.xlsx(PRODUCTS)))
    before = list(Product.objects.values_list("id", "updated_at"))

    again = upload(admin, "products", corpus.xlsx(PRODUCTS))

    assert (again.summary["new"], again.summary["changed"], again.summary["unchanged"]) == (0, 0, 2)
    again = confirm(admin, again)
    assert again.summary["written"] == {"new": 0, "changed": 0, "unchanged": 2}
    assert list(Product.objects.values_list("id", "updated_at")) == before
    assert ProductBarcode.objects.count() == 3


def test_changed_rows_are_counted_and_updated(admin, refs):
    ProductFactory(code="A1", name="old", category=refs["category"], base_unit=refs["unit"], min_sale_price=0)

    batch = upload(admin, "products", corpus.xlsx(PRODUCTS))

    assert errors_of(batch) == []
    assert (batch.summary["new"], batch.summary["changed"]) == (1, 1)
    confirm(admin, batch)
    assert Product.objects.get(code="A1").name == "农夫山泉 550ml"


def test_every_error_at_once_and_nothing_written(admin, refs):
    ProductFactory(code="TAKEN", category=refs["category"], base_unit=refs["unit"]).barcodes.create(barcode="111")
    rows = [
        PRODUCTS[0],
        ["B1", "ok", "DRINK", "PCS", "NaN", "1", "", ""],
        ["B2", "x", "NOPE", "KG", "-1", "1e20", "", ""],
        ["B1", "dup", "DRINK", "PCS", "1", "1", "", ""],
        ["B3", "y", "DRINK", "PCS", "1", "1", "111", "盒=6"],
        ["B 4!", "", "DRINK", "PCS", "1", "1", "", ""],
    ]

    batch = upload(admin, "products", corpus.xlsx(rows))

    assert batch.status == BatchStatus.CHECKED
    assert errors_of(batch) == [
        (2, "Purchase price", "NaN", "“NaN” is not a number."),
        (3, "Base unit", "KG", "Unknown or deactivated unit: KG."),
        (3, "Product category", "NOPE", "Unknown or deactivated product category: NOPE."),
        (3, "Purchase price", "-1", "-1 is negative; enter zero or more."),
        (3, "Sales price", "1e20", "1e20 is too large (at most 14 digits before the decimal point)."),
        (4, "Item code", "B1", "Row 2 already has this Item code; each may appear once."),
        (5, "Barcodes", "111", "Barcode 111 is already used by product TAKEN."),
        (5, "Secondary units", "盒=6", "Unknown or deactivated unit: 盒."),
        (6, "Item code", "B 4!", "Use letters, digits, dot, dash or underscore, starting with a letter or digit."),
        (6, "Name", "", "This column is required."),
    ]
    assert batch.error_count == 10
    assert batch.rejected_file
    with pytest.raises(Exception, match="Only a checked file without errors"):
        services.batch_confirm(user=admin, batch=batch)
    assert Product.objects.count() == 1


def test_missing_and_duplicated_columns(admin, refs):
    batch = upload(admin, "products", corpus.xlsx([["code", "name", "名称"], ["A1", "x", "y"]]))

    assert errors_of(batch) == [
        (1, "Base unit", "", "The file has no column “Base unit”, which is required."),
        (1, "Name", "名称", "Two columns (name and 名称) are both taken as “Name”."),
        (1, "Product category", "", "The file has no column “Product category”, which is required."),
    ]


def test_mapping_chosen_by_the_user(admin, refs):
    rows = [["Artikel", "Bezeichnung", "Gruppe", "Einheit"], ["A1", "x", "DRINK", "PCS"]]
    batch = upload(admin, "products", corpus.xlsx(rows))
    assert batch.error_count == 4

    batch = services.batch_remap(user=admin, batch=batch, mapping={0: "code", 1: "name", 2: "category", 3: "base_unit"})

    assert batch.status == BatchStatus.CHECKED
    assert batch.errors == []
    assert batch.summary["new"] == 1


def test_formulas_are_named_not_evaluated(admin, refs):
    batch = upload(admin, "products", corpus.formulas())

    assert errors_of(batch) == [
        (2, "E2", "=1+1", "Cell E2 holds a formula (=1+1); formulas are not evaluated: paste the values instead."),
        (3, "B3", "=B2", "Cell B3 holds a formula (=B2); formulas are not evaluated: paste the values instead."),
    ]


def test_merged_cells_are_an_error(admin, refs):
    batch = upload(admin, "products", corpus.merged())

    assert errors_of(batch) == [(None, "C2:C3", "", "Cells C2:C3 are merged: unmerge them and fill in every row.")]


def test_refused_file_fails_the_batch_with_the_reason(admin, refs):
    batch = upload(admin, "products", corpus.dimension_bomb())

    assert batch.status == BatchStatus.FAILED
    assert errors_of(batch) == [
        (None, "", "", "The sheet has data on row 1048576; at most 100000 rows can be imported at once.")
    ]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk"])
def test_csv_in_gbk_or_with_bom(admin, refs, encoding):
    content = corpus.csv_bytes([["编码", "名称", "商品类别", "基本单位"], ["C1", "雪碧", "饮料", "个"]], encoding)

    batch = confirm(admin, upload(admin, "products", content, name="p.csv"))

    assert batch.status == BatchStatus.IMPORTED
    assert Product.objects.get(code="C1").name == "雪碧"


def test_units_categories_warehouses_customers(admin):
    confirm(admin, upload(admin, "units", corpus.xlsx([["编码", "名称"], ["KG", "千克"], ["PCS", "个"]])))
    confirm(admin, upload(admin, "warehouses", corpus.xlsx([["code", "name"], ["WH9", "九号仓"]])))
    customers = [["客户编码", "名称", "信用额度", "价格等级"], ["K1", "甲公司", "5000", "零售价"]]
    batch = upload(admin, "customers", corpus.xlsx([["code", "name", "credit limit", "price level"], *customers[1:]]))
    confirm(admin, batch)

    assert sorted(Unit.objects.values_list("code", flat=True)) == ["KG", "PCS"]
    assert Warehouse.objects.get(code="WH9").name == "九号仓"
    customer = Customer.objects.get(code="K1")
    assert (customer.credit_limit, customer.price_level) == (Decimal(5000), "retail")


def test_unit_names_must_stay_unique(admin):
    UnitFactory(code="PCS", name="个")

    batch = upload(admin, "units", corpus.xlsx([["code", "name"], ["EA", "个"]]))

    assert errors_of(batch) == [(2, "Name", "个", "The name is already used by PCS.")]


def test_supplier_prices_with_dates_as_text_and_serials(admin, refs):
    supplier = SupplierFactory(code="S1")
    product = ProductFactory(code="A1", category=refs["category"], base_unit=refs["unit"])
    rows = [
        ["供应商", "商品", "价格", "生效日期", "失效日期"],
        ["S1", "A1", "1.10", "2026/1/1", 46081],
        ["S1", "A1", "1.20", "2026年3月1日", ""],
        ["S1", "A1", "1.30", "2026-02-01", ""],
    ]

    batch = upload(admin, "supplier_prices", corpus.xlsx(rows))

    assert errors_of(batch) == [
        (
            3,
            "Valid from",
            "2026-03-01",
            "The validity overlaps another price of this supplier and product from 2026-02-01.",
        ),
        (
            4,
            "Valid from",
            "2026-02-01",
            "The validity overlaps another price of this supplier and product from 2026-01-01.",
        ),
    ]
    batch = upload(admin, "supplier_prices", corpus.xlsx(rows[:3]))
    confirm(admin, batch)
    prices = SupplierPrice.objects.filter(supplier=supplier, product=product).order_by("valid_from")
    assert [(p.price, p.valid_from, p.valid_to) for p in prices] == [
        (Decimal("1.1"), datetime.date(2026, 1, 1), datetime.date(2026, 2, 28)),
        (Decimal("1.2"), datetime.date(2026, 3, 1), None),
    ]


def test_opening_stock_posts_through_the_ledger_once(admin, refs):
    warehouse = WarehouseFactory(code="WH1", name="一号仓")
    for code in ("A1", "A2"):
        ProductFactory(code=code, category=refs["category"], base_unit=refs["unit"])
    rows = [["仓库", "商品编码", "数量", "单位成本"], ["WH1", "A1", "10", "2.5"], ["一号仓", "a2", "３", "1"]]

    batch = confirm(admin, upload(admin, "opening_stock", corpus.xlsx(rows)))

    assert batch.status == BatchStatus.IMPORTED
    document = StockAdjustment.objects.get()
    assert (document.kind, document.status, document.warehouse) == ("opening", "posted", warehouse)
    assert StockMovement.objects.count() == 2
    assert sorted(StockBalance.objects.values_list("product__code", "on_hand")) == [
        ("A1", Decimal(10)),
        ("A2", Decimal(3)),
    ]

    again = confirm(admin, upload(admin, "opening_stock", corpus.xlsx(rows)))

    assert again.summary["written"]["unchanged"] == 2
    assert StockMovement.objects.count() == 2


def test_opening_stock_refuses_negative_and_existing_stock(admin, refs):
    WarehouseFactory(code="WH1")
    ProductFactory(code="A1", category=refs["category"], base_unit=refs["unit"])
    rows = [["warehouse", "item code", "quantity", "unit cost"], ["WH1", "A1", "-5", "1"], ["WH1", "ZZ", "1", "NaN"]]

    batch = upload(admin, "opening_stock", corpus.xlsx(rows))

    assert errors_of(batch) == [
        (2, "Quantity", "-5", "-5 is below the minimum 0.0001."),
        (3, "Item code", "ZZ", "Unknown or deactivated product: ZZ."),
        (3, "Unit cost", "NaN", "“NaN” is not a number."),
    ]
    assert StockMovement.objects.count() == 0


def test_unconfirmed_previews_expire_and_their_files_are_deleted(admin, refs, settings):
    from django.core.files.storage import default_storage

    batch = upload(admin, "products", corpus.xlsx(PRODUCTS))
    path = batch.file.name
    settings.IMPORT_PREVIEW_HOURS = 0

    assert services.batches_expire() == 1

    batch.refresh_from_db()
    assert batch.status == BatchStatus.EXPIRED
    assert not default_storage.exists(path)


def test_kind_needs_its_permission(make_user, refs):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        upload(make_user("sales"), "products", corpus.xlsx(PRODUCTS))


def test_product_units_are_replaced_on_reimport(admin, refs):
    confirm(admin, upload(admin, "products", corpus.xlsx(PRODUCTS)))
    rows = [PRODUCTS[0], [*PRODUCTS[1][:7], "箱=12"]]

    batch = upload(admin, "products", corpus.xlsx(rows))

    assert batch.summary["changed"] == 1
    confirm(admin, batch)
    assert list(ProductUnit.objects.values_list("ratio", flat=True)) == [Decimal(12)]
