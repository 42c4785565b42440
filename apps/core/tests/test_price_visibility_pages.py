"""价格屏蔽 (ADR 0007) on every page, print, export and lookup that shows a purchase price or a cost.

Each figure is distinctive (987.65 …) so that "absent" can fail: a role without the permission
gets the page (200) without the figure, a role with it sees the figure on the same page.
"""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from apps.inventory.models import AdjustmentKind, StockAdjustment
from apps.inventory.services import stock_adjustment_create
from apps.inventory.services.counts import CountEntryInput, stock_count_open, stock_count_record, stock_count_submit
from apps.inventory.services.transfers import TransferLineInput, stock_transfer_create, stock_transfer_dispatch
from apps.inventory.tests.factories import adjustment_lines, post_stock
from apps.masterdata.tests.factories import ProductFactory, SupplierFactory, WarehouseFactory
from apps.procurement import services as procurement
from apps.procurement.models import GoodsReceipt
from apps.procurement.tests.factories import SupplierPriceFactory, approved_order, receive
from apps.sales.tests.factories import make_order, make_return, make_shipment

PURCHASE_PRICE = "987.65"  # purchase order, receipt and return lines
LIST_PRICE = "432.10"  # the product's purchase price (master data, JSON lookup)
STOCK_COST = "876.54"  # stock on hand, as of, ledger
ADJUSTMENT_COST = "765.43"
TRANSFER_COST = "654.32"
COUNT_COST = "543.21"
SALES_COST = "321.09"  # cost of goods a customer returned
ALL_FIGURES = (PURCHASE_PRICE, LIST_PRICE, STOCK_COST, ADJUSTMENT_COST, TRANSFER_COST, COUNT_COST, SALES_COST)


@pytest.fixture
def world(db, make_user):
    """One document of each kind, each carrying its own distinctive figure, all quantities 1."""
    manager = make_user("manager")
    supplier = SupplierFactory()
    receiving = WarehouseFactory(code="WH-R")
    stock = WarehouseFactory(code="WH-S")
    other = WarehouseFactory(code="WH-O")
    price = Decimal(PURCHASE_PRICE)

    order = approved_order(
        supplier=supplier, warehouse=receiving, lines=[(ProductFactory(code="PO-ITEM"), 1, PURCHASE_PRICE)]
    )
    receipt = receive(order)
    purchase_return = procurement.purchase_return_create(
        actor=manager,
        receipt=receipt,
        reason="damaged",
        return_date=receipt.receipt_date,
        lines=[procurement.ReturnLineInput(receipt_line=receipt.lines.get(), quantity=Decimal(1))],
    )
    open_order = approved_order(
        supplier=supplier, warehouse=receiving, lines=[(ProductFactory(code="OPEN-ITEM"), 1, PURCHASE_PRICE)]
    )
    free_receipt = procurement.goods_receipt_create(
        actor=manager,
        supplier=supplier,
        warehouse=receiving,
        reason="sample",
        lines=[
            procurement.ReceiptLineInput(
                product=ProductFactory(code="FREE-ITEM"), received_quantity=Decimal(1), unit_price=price
            )
        ],
    )

    stocked = ProductFactory(code="STOCKED", purchase_price=Decimal(LIST_PRICE))
    post_stock(stocked, stock, 1, unit_cost=STOCK_COST)
    adjustment = stock_adjustment_create(
        actor=manager,
        kind=AdjustmentKind.OTHER_RECEIPT,
        warehouse=stock,
        date=timezone.localdate(),
        lines=adjustment_lines((ProductFactory(code="ADJ-ITEM"), 1, ADJUSTMENT_COST)),
    )
    moved = ProductFactory(code="MOVED")
    post_stock(moved, other, 1, unit_cost=TRANSFER_COST)
    transfer = stock_transfer_create(
        actor=manager,
        source=other,
        destination=stock,
        date=timezone.localdate(),
        lines=[TransferLineInput(moved.pk, Decimal(1))],
    )
    transfer = stock_transfer_dispatch(actor=manager, transfer=transfer)
    counted = ProductFactory(code="COUNTED")
    counted_in = WarehouseFactory(code="WH-C")
    post_stock(counted, counted_in, 1, unit_cost=COUNT_COST)
    count = stock_count_open(actor=manager, warehouse=counted_in)
    stock_count_record(actor=manager, count=count, entries=[CountEntryInput(product_id=counted.pk, quantity=0)])
    count = stock_count_submit(actor=manager, count=count)
    sold = ProductFactory(code="SOLD")
    sold_from = WarehouseFactory(code="WH-SALES")
    post_stock(sold, sold_from, 1, unit_cost=SALES_COST)
    today = timezone.localdate()
    sales_order = make_order(warehouse=sold_from, lines=[(sold, 1, "100")], order_date=today, confirm=True)
    sales_return = make_return(make_shipment(sales_order, ship_date=today), [1], return_date=today)
    return {
        "order": order,
        "receipt": receipt,
        "return": purchase_return,
        "open_order": open_order,
        "free_receipt": free_receipt,
        "supplier": supplier,
        "adjustment": adjustment,
        "transfer": transfer,
        "count": count,
        "sales_return": sales_return,
    }


def _url(name, world, key=None, query=""):
    args = [world[key].pk] if key else []
    return reverse(name, args=args) + query


# (page, URL name, object, query, figure, roles that may not see it, a role that may)
PAGES = [
    ("order detail", "procurement:purchaseorder_detail", "order", "", PURCHASE_PRICE, ["warehouse"], "buyer"),
    ("order print", "procurement:purchaseorder_print", "order", "", PURCHASE_PRICE, ["warehouse"], "buyer"),
    ("order list", "procurement:purchaseorder_list", None, "", PURCHASE_PRICE, ["warehouse"], "buyer"),
    ("order export", "procurement:purchaseorder_export", None, "?format=csv", PURCHASE_PRICE, ["warehouse"], "buyer"),
    ("receipt detail", "procurement:goodsreceipt_detail", "receipt", "", PURCHASE_PRICE, ["warehouse"], "buyer"),
    ("receipt list", "procurement:goodsreceipt_list", None, "", PURCHASE_PRICE, ["warehouse"], "buyer"),
    (
        "receipt form (from order)",
        "procurement:goodsreceipt_create_from_order",
        "open_order",
        "",
        None,
        ["warehouse"],
        None,
    ),
    (
        "receipt form (edit)",
        "procurement:goodsreceipt_update",
        "free_receipt",
        "",
        PURCHASE_PRICE,
        ["warehouse"],
        "buyer",
    ),
    ("return detail", "procurement:purchasereturn_detail", "return", "", PURCHASE_PRICE, ["warehouse"], "buyer"),
    ("return list", "procurement:purchasereturn_list", None, "", PURCHASE_PRICE, ["warehouse"], "buyer"),
    ("scorecard", "procurement:supplier_scorecard", "supplier", "", PURCHASE_PRICE, ["warehouse"], "buyer"),
    ("adjustment detail", "inventory:adjustment_detail", "adjustment", "", ADJUSTMENT_COST, ["warehouse"], "buyer"),
    ("adjustment form", "inventory:adjustment_update", "adjustment", "", ADJUSTMENT_COST, ["warehouse"], "manager"),
    ("transfer detail", "inventory:transfer_detail", "transfer", "", TRANSFER_COST, ["warehouse"], "buyer"),
    ("count detail", "inventory:count_detail", "count", "", COUNT_COST, ["warehouse"], "buyer"),
    ("count list", "inventory:count_list", None, "", COUNT_COST, ["warehouse"], "buyer"),
    ("stock on hand", "inventory:stock_list", None, "", STOCK_COST, ["warehouse", "sales"], "buyer"),
    ("stock export", "inventory:stock_export", None, "?format=csv", STOCK_COST, ["warehouse", "sales"], "buyer"),
    ("stock as of", "inventory:stock_as_of", None, "", STOCK_COST, ["warehouse", "sales"], "buyer"),
    ("as-of export", "inventory:stock_as_of_export", None, "?format=csv", STOCK_COST, ["warehouse", "sales"], "buyer"),
    ("ledger", "inventory:movement_list", None, "", STOCK_COST, ["warehouse"], "buyer"),
    ("ledger export", "inventory:movement_export", None, "?format=csv", STOCK_COST, ["warehouse"], "buyer"),
    ("stock summary", "analytics:stock_summary", None, "", STOCK_COST, ["warehouse"], "buyer"),
    ("summary export", "analytics:stock_summary_export", None, "?format=csv", STOCK_COST, ["warehouse"], "buyer"),
    ("valuation", "analytics:stock_valuation", None, "", STOCK_COST, ["warehouse"], "buyer"),
    ("valuation export", "analytics:stock_valuation_export", None, "?format=csv", STOCK_COST, ["warehouse"], "buyer"),
    ("turnover", "analytics:stock_turnover", None, "", STOCK_COST, ["warehouse"], "buyer"),
    ("turnover export", "analytics:stock_turnover_export", None, "?format=csv", STOCK_COST, ["warehouse"], "buyer"),
    ("ageing", "analytics:stock_ageing", None, "", STOCK_COST, ["warehouse"], "buyer"),
    ("ageing export", "analytics:stock_ageing_export", None, "?format=csv", STOCK_COST, ["warehouse"], "buyer"),
    ("sales return", "sales:return_detail", "sales_return", "", SALES_COST, ["warehouse", "sales"], "manager"),
    ("product lookup", "masterdata:product_lookup", None, "?q=STOCKED", LIST_PRICE, ["warehouse", "sales"], "buyer"),
]


def _text(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode()


def _blind_cases():
    for name, url_name, key, query, _figure, blind, _seeing in PAGES:
        for role in blind:
            yield pytest.param(url_name, key, query, role, id=f"{name}-{role}")


def _seeing_cases():
    for name, url_name, key, query, figure, _blind, seeing in PAGES:
        if seeing:
            yield pytest.param(url_name, key, query, figure, seeing, id=f"{name}-{seeing}")


@pytest.mark.parametrize(("url_name", "key", "query", "role"), list(_blind_cases()))
def test_a_role_without_the_permission_gets_the_page_without_the_figures(client_for, world, url_name, key, query, role):
    response = client_for(role).get(_url(url_name, world, key, query))

    text = _text(response)
    assert response.status_code == 200
    assert [figure for figure in ALL_FIGURES if figure in text] == []


@pytest.mark.parametrize(("url_name", "key", "query", "figure", "role"), list(_seeing_cases()))
def test_a_role_with_the_permission_sees_the_figure(client_for, world, url_name, key, query, figure, role):
    response = client_for(role).get(_url(url_name, world, key, query))

    assert response.status_code == 200
    assert figure in _text(response)


def test_the_receipt_form_from_an_order_shows_the_buyer_no_price_either(client_for, world):
    # against an order the price is the order's: nobody types it on the receipt
    response = client_for("buyer").get(_url("procurement:goodsreceipt_create_from_order", world, "open_order"))

    assert response.status_code == 200
    assert "unit_price" not in _text(response)


def test_exports_drop_the_protected_columns_not_just_the_values(client_for, world):
    stock = _text(client_for("warehouse").get(reverse("inventory:stock_export") + "?format=csv"))
    ledger = _text(client_for("warehouse").get(reverse("inventory:movement_export") + "?format=csv"))
    orders = _text(client_for("warehouse").get(reverse("procurement:purchaseorder_export") + "?format=csv"))

    assert stock.splitlines()[0].split(",") == [
        "Item code",
        "Name",
        "Specification",
        "Product category",
        "Warehouse",
        "Unit",
        "On hand",
        "Reserved",
        "Available",
        "Safety stock",
        "Reorder point",
        "Maximum stock level",
        "Location",
    ]
    assert "Unit cost" not in ledger.splitlines()[0]
    assert "Balance value" not in ledger.splitlines()[0]
    assert "Total incl. tax" not in orders.splitlines()[0]


def test_a_hidden_price_is_no_sort_key(client_for, world):
    client = client_for("warehouse")

    ascending = client.get(reverse("inventory:stock_list"), {"sort": "value"})
    descending = client.get(reverse("inventory:stock_list"), {"sort": "-value"})
    receipts = client.get(reverse("procurement:goodsreceipt_list"), {"sort": "-total_amount"})

    assert list(ascending.context["balances"]) == list(descending.context["balances"])
    assert receipts.context["view"].get_ordering() == receipts.context["view"].default_ordering


def _receipt_post(receipt, **line):
    row = {
        "lines-0-product": receipt.lines.get().product_id,
        "lines-0-product_search": "FREE-ITEM",
        "lines-0-received_quantity": "3",
        "lines-0-rejected_quantity": "",
        "lines-0-accepted_quantity": "",
        "lines-0-warehouse": "",
        "lines-0-unit": "",
        **{f"lines-0-{key}": value for key, value in line.items()},
    }
    return {
        "supplier": receipt.supplier_id,
        "warehouse": receipt.warehouse_id,
        "receipt_date": receipt.receipt_date.isoformat(),
        "reason": receipt.reason,
        "remarks": "",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "1",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "500",
        **row,
    }


def test_a_warehouse_user_editing_a_receipt_keeps_the_price_they_cannot_see(client_for, world):
    receipt = world["free_receipt"]
    tax_rate = receipt.lines.get().tax_rate

    response = client_for("warehouse").post(
        reverse("procurement:goodsreceipt_update", args=[receipt.pk]),
        _receipt_post(receipt, unit_price="1", tax_rate="50"),  # sent anyway: ignored
    )

    line = GoodsReceipt.objects.get(pk=receipt.pk).lines.get()
    assert response.status_code == 302
    assert (line.received_quantity, line.unit_price, line.tax_rate) == (Decimal(3), Decimal(PURCHASE_PRICE), tax_rate)


def test_a_warehouse_user_receiving_against_an_order_keeps_the_order_price(client_for, world):
    order = world["open_order"]
    order_line = order.lines.get()

    response = client_for("warehouse").post(
        reverse("procurement:goodsreceipt_create_from_order", args=[order.pk]),
        {
            "warehouse": order.warehouse_id,
            "receipt_date": timezone.localdate().isoformat(),
            "remarks": "",
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "1",
            "lines-MIN_NUM_FORMS": "0",
            "lines-MAX_NUM_FORMS": "500",
            "lines-0-order_line": order_line.pk,
            "lines-0-product": order_line.product_id,
            "lines-0-product_search": "OPEN-ITEM",
            "lines-0-received_quantity": "1",
            "lines-0-unit_price": "1",
        },
    )

    receipt = GoodsReceipt.objects.get(order=order)
    assert response.status_code == 302
    assert receipt.lines.get().unit_price == Decimal(PURCHASE_PRICE)
    assert receipt.total_amount == Decimal(PURCHASE_PRICE)


def test_a_warehouse_receipt_without_order_takes_the_supplier_or_product_price(client_for, world):
    product = ProductFactory(code="NEW-ITEM", purchase_price=Decimal(LIST_PRICE))

    response = client_for("warehouse").post(
        reverse("procurement:goodsreceipt_create"),
        {
            "supplier": world["supplier"].pk,
            "warehouse": world["receipt"].warehouse_id,
            "receipt_date": timezone.localdate().isoformat(),
            "reason": "urgent",
            "remarks": "",
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "0",
            "lines-MIN_NUM_FORMS": "0",
            "lines-MAX_NUM_FORMS": "500",
            "lines-0-product_search": "NEW-ITEM",
            "lines-0-received_quantity": "2",
            "lines-0-unit_price": "1",
        },
    )

    receipt = GoodsReceipt.objects.get(reason="urgent")
    assert response.status_code == 302
    assert receipt.lines.get().product == product
    assert receipt.lines.get().unit_price == Decimal(LIST_PRICE)


def test_a_warehouse_user_editing_an_adjustment_keeps_the_cost_they_cannot_see(client_for, world):
    document = world["adjustment"]
    line = document.lines.get()

    response = client_for("warehouse").post(
        reverse("inventory:adjustment_update", args=[document.pk]),
        {
            "warehouse": document.warehouse_id,
            "date": document.date.isoformat(),
            "reason": "",
            "remarks": "",
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "1",
            "lines-MIN_NUM_FORMS": "0",
            "lines-MAX_NUM_FORMS": "1000",
            "lines-0-product": line.product_id,
            "lines-0-product_search": "ADJ-ITEM",
            "lines-0-quantity": "4",
            "lines-0-unit_cost": "1",
        },
    )

    saved = StockAdjustment.objects.get(pk=document.pk).lines.get()
    assert response.status_code == 302
    assert (saved.quantity, saved.unit_cost) == (Decimal(4), Decimal(ADJUSTMENT_COST))


def test_a_new_warehouse_receipt_of_stock_enters_at_the_average_cost(client_for, world):
    stocked = world["adjustment"].warehouse

    response = client_for("warehouse").post(
        reverse("inventory:adjustment_create") + "?kind=other_receipt",
        {
            "kind": AdjustmentKind.OTHER_RECEIPT,
            "warehouse": stocked.pk,
            "date": timezone.localdate().isoformat(),
            "reason": "found",
            "remarks": "",
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "0",
            "lines-MIN_NUM_FORMS": "0",
            "lines-MAX_NUM_FORMS": "1000",
            "lines-0-product_search": "STOCKED",
            "lines-0-quantity": "1",
        },
    )

    document = StockAdjustment.objects.get(reason="found")
    assert response.status_code == 302
    assert document.lines.get().unit_cost == Decimal(STOCK_COST)


def test_the_supplier_price_lookup_leaves_the_price_out_for_a_role_without_the_permission(client, make_user, world):
    order_line = world["open_order"].lines.get()
    SupplierPriceFactory(supplier=world["supplier"], product=order_line.product, price=Decimal(PURCHASE_PRICE))
    clerk = make_user(None)
    clerk.user_permissions.add(Permission.objects.get(codename="view_supplierprice"))
    query = {"supplier": world["supplier"].pk, "product": order_line.product_id}
    url = reverse("procurement:supplier_price")

    client.force_login(clerk)
    blind = client.get(url, query).json()
    client.force_login(make_user("buyer"))
    seeing = client.get(url, query).json()

    assert "unit_price" not in blind
    assert blind["tax_rate"] == seeing["tax_rate"]
    assert Decimal(seeing["unit_price"]) == Decimal(PURCHASE_PRICE)
