import json
from decimal import Decimal

import pytest

from apps.inventory.tests.factories import post_stock
from apps.masterdata.tests.factories import (
    ProductBarcodeFactory,
    ProductFactory,
    ProductUnitFactory,
    UnitFactory,
    WarehouseFactory,
)
from apps.sales.selectors import open_order_lines
from apps.sales.templatetags.sales_extras import pick_steps
from apps.sales.tests.factories import make_order

pytestmark = pytest.mark.django_db
D = Decimal


def test_a_scan_counts_what_the_barcode_stands_for_in_the_rows_unit():
    # given water sold by the bottle and by the case of 24, with a bottle and a case barcode
    warehouse = WarehouseFactory()
    water = ProductFactory(code="W001", min_sale_price=0)
    case = ProductUnitFactory(product=water, unit=UnitFactory(code="CASE", name="箱"), ratio=D(24))
    ProductBarcodeFactory(product=water, barcode="6900000000001")
    ProductBarcodeFactory(product=water, barcode="1690000000001", unit=case.unit)
    post_stock(water, warehouse, 100)
    order = make_order(warehouse=warehouse, lines=[(water, 30), (water, 2, None, 0, case.unit)], confirm=True)

    # when the delivery page lists the open lines
    by_bottle, by_case = open_order_lines(customer=order.customer, warehouse_id=warehouse.pk)

    # then on the row in bottles a case adds 24; on the row in cases a bottle adds nothing (refused)
    assert json.loads(pick_steps(by_bottle)) == {"W001": 1, "6900000000001": 1, "1690000000001": 24}
    assert json.loads(pick_steps(by_case)) == {"W001": 1, "6900000000001": 0, "1690000000001": 1}
