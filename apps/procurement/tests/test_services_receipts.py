import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from apps.accounts.tests.factories import UserFactory
from apps.core.models import AuditAction, SystemSettings
from apps.core.selectors import audit_trail_for
from apps.inventory.models import MovementType, StockBalance, StockMovement
from apps.masterdata.tests.factories import ProductFactory, ProductUnitFactory, SupplierFactory, WarehouseFactory
from apps.procurement import services
from apps.procurement.models import (
    DocumentStatus,
    GoodsReceipt,
    Payable,
    PurchaseOrderLine,
    PurchaseOrderStatus,
)
from apps.procurement.tests.factories import D, approved_order, buyer_user, receive, warehouse_user

pytestmark = pytest.mark.django_db
S = PurchaseOrderStatus


def balance(product, warehouse) -> StockBalance:
    return StockBalance.objects.get(product=product, warehouse=warehouse)


def test_create_from_order_pulls_in_all_open_lines():
    a, b = ProductFactory(), ProductFactory()
    order = approved_order(lines=[(a, 10, "2"), (b, 4, "3")])

    receipt = services.goods_receipt_create(actor=warehouse_user(), order=order)

    assert receipt.status == DocumentStatus.DRAFT
    assert receipt.number.startswith("CGRK")
    assert list(receipt.lines.values_list("product_id", "received_quantity", "accepted_quantity")) == [
        (a.pk, D(10), D(10)),
        (b.pk, D(4), D(4)),
    ]
    assert receipt.total_amount == D(32)


def test_posting_moves_only_accepted_quantity_into_stock_at_the_order_cost():
    product = ProductFactory(code="A001")
    box = ProductUnitFactory(product=product, ratio=D(12))
    warehouse = WarehouseFactory()
    order = services.purchase_order_create(
        actor=buyer_user(),
        supplier=SupplierFactory(),
        warehouse=warehouse,
        lines=[
            services.OrderLineInput(product=product, quantity=D(5), unit=box.unit, unit_price=D(120), tax_rate=D(13))
        ],
    )
    order = services.purchase_order_submit(actor=order.buyer, order=order)
    order_line = order.lines.get()
    actor = warehouse_user()

    receipt = services.goods_receipt_create(
        actor=actor,
        order=order,
        lines=[
            services.ReceiptLineInput(
                order_line=order_line, received_quantity=D(3), rejected_quantity=D(1), rejection_reason="crushed box"
            )
        ],
    )
    receipt = services.goods_receipt_post(actor=actor, receipt=receipt)

    line = receipt.lines.get()
    assert (line.received_base, line.accepted_base, line.rejected_base) == (D(36), D(24), D(12))
    movement = StockMovement.objects.get(pk=line.movement_id)
    assert (movement.movement_type, movement.quantity, movement.unit_cost, movement.value) == (
        MovementType.PURCHASE_RECEIPT,
        D(24),
        D(10),
        D(240),
    )
    assert balance(product, warehouse).on_hand == D(24)
    order_line.refresh_from_db()
    assert (order_line.received_quantity, order_line.accepted_quantity, order_line.open_quantity) == (
        D(36),
        D(24),
        D(36),
    )
    order.refresh_from_db()
    assert order.status == S.PARTIALLY_RECEIVED
    assert (receipt.net_amount, receipt.tax_amount, receipt.total_amount) == (D(240), D("31.20"), D("271.20"))


def test_posting_creates_the_payable_due_after_the_credit_term():
    supplier = SupplierFactory(payment_terms_days=45)
    order = approved_order(supplier=supplier, lines=[(ProductFactory(), 10, "2")])

    receipt = receive(order, receipt_date=datetime.date(2026, 3, 10))

    payable = Payable.objects.get(receipt=receipt)
    assert (payable.kind, payable.amount, payable.due_date) == ("receipt", D(20), datetime.date(2026, 4, 24))


def test_full_receipt_completes_the_order_and_records_the_lead_time():
    order = approved_order(lines=[(ProductFactory(), 10, "2")])

    receipt = receive(order, receipt_date=timezone.localdate(order.approved_at) + datetime.timedelta(days=6))

    order.refresh_from_db()
    assert order.status == S.RECEIVED
    assert receipt.lead_time_days == 6
    assert audit_trail_for(order).first().changes == {
        "status": ["approved", "received"],
        "receipt": [None, receipt.number],
    }


def test_over_receipt_is_refused_naming_row_product_and_tolerance_and_nothing_changes():
    a, b = ProductFactory(code="A000"), ProductFactory(code="A001")
    order = approved_order(lines=[(a, 5, "1"), (b, 10, "1")])
    lines = list(order.lines.order_by("line_no"))

    with pytest.raises(ValidationError) as error:
        services.goods_receipt_create(
            actor=warehouse_user(),
            order=order,
            lines=[
                services.ReceiptLineInput(order_line=lines[0], received_quantity=D(5)),
                services.ReceiptLineInput(order_line=lines[1], received_quantity=D(12)),
            ],
        )

    assert error.value.messages == [
        "Row 2: product A001: receiving 12 个 exceeds the open 10 个 (tolerance 0%: at most 10 个)"
    ]
    assert GoodsReceipt.objects.count() == 0


def test_tolerance_allows_a_little_more_and_is_checked_again_at_posting():
    settings_row = SystemSettings.load()
    settings_row.receipt_tolerance_percent = D(10)
    settings_row.save()
    product = ProductFactory(code="A001")
    order = approved_order(lines=[(product, 10, "1")])
    order_line = order.lines.get()
    actor = warehouse_user()
    first = services.goods_receipt_create(
        actor=actor, order=order, lines=[services.ReceiptLineInput(order_line=order_line, received_quantity=D(8))]
    )
    second = services.goods_receipt_create(
        actor=actor, order=order, lines=[services.ReceiptLineInput(order_line=order_line, received_quantity=D(4))]
    )
    services.goods_receipt_post(actor=actor, receipt=first)

    with pytest.raises(ValidationError) as error:
        services.goods_receipt_post(actor=actor, receipt=second)

    assert error.value.messages == [
        "Row 1: product A001: receiving 4 个 exceeds the open 2 个 (tolerance 10%: at most 3 个)"
    ]
    second.refresh_from_db()
    assert second.status == DocumentStatus.DRAFT
    assert balance(product, order.warehouse).on_hand == D(8)
    third = services.goods_receipt_create(
        actor=actor, order=order, lines=[services.ReceiptLineInput(order_line=order_line, received_quantity=D(3))]
    )
    services.goods_receipt_post(actor=actor, receipt=third)  # 11 = 10 + 10 %
    assert balance(product, order.warehouse).on_hand == D(11)


def test_rejected_goods_do_not_consume_the_order():
    product = ProductFactory()
    order = approved_order(lines=[(product, 10, "1")])

    receive(order, quantities=[10], rejected=[3])
    receive(order, quantities=[3])

    order.refresh_from_db()
    line = order.lines.get()
    assert (line.received_quantity, line.accepted_quantity, order.status) == (D(13), D(10), S.RECEIVED)


def test_double_post_is_refused_and_changes_nothing():
    product = ProductFactory()
    order = approved_order(lines=[(product, 10, "1")])
    receipt = receive(order, post=False)
    actor = warehouse_user()
    services.goods_receipt_post(actor=actor, receipt=receipt)
    movements = StockMovement.objects.count()

    with pytest.raises(ValidationError) as error:
        services.goods_receipt_post(actor=actor, receipt=receipt)

    assert error.value.messages == [f"{receipt.number} was already posted; it cannot be posted again."]
    assert StockMovement.objects.count() == movements
    assert Payable.objects.count() == 1
    assert balance(product, order.warehouse).on_hand == D(10)
    assert order.lines.get().accepted_quantity == D(10)


def test_receiving_against_an_order_not_approved_is_refused():
    order = approved_order()
    services.purchase_order_close(actor=order.buyer, order=order, reason="no longer needed")

    with pytest.raises(ValidationError) as error:
        services.goods_receipt_create(actor=warehouse_user(), order=order)

    assert error.value.messages == [
        f"{order.number} is Force closed; goods can only be received against an approved order."
    ]


def test_posting_a_draft_whose_order_was_closed_meanwhile_is_refused():
    order = approved_order()
    receipt = receive(order, post=False)
    services.purchase_order_close(actor=order.buyer, order=order, reason="supplier cannot deliver")

    with pytest.raises(ValidationError) as error:
        services.goods_receipt_post(actor=warehouse_user(), receipt=receipt)

    assert error.value.messages == [
        f"{order.number} is Force closed; goods can only be received against an approved order."
    ]
    assert StockMovement.objects.count() == 0


def test_a_product_not_on_the_order_is_refused():
    order = approved_order()
    stranger = ProductFactory(code="ZZ9")

    with pytest.raises(ValidationError) as error:
        services.goods_receipt_create(
            actor=warehouse_user(),
            order=order,
            lines=[services.ReceiptLineInput(product=stranger, received_quantity=D(1))],
        )

    assert error.value.messages == [f"Row 1: product ZZ9 is not on order {order.number}."]


def test_a_scanned_product_is_matched_to_its_order_line():
    product = ProductFactory()
    order = approved_order(lines=[(product, 10, "1")])

    receipt = services.goods_receipt_create(
        actor=warehouse_user(), order=order, lines=[services.ReceiptLineInput(product=product, received_quantity=D(2))]
    )

    assert receipt.lines.get().order_line == order.lines.get()


def test_inspection_figures_must_add_up_and_rejections_need_a_reason():
    product = ProductFactory(code="A001")
    order = approved_order(lines=[(product, 10, "1")])
    line = order.lines.get()

    with pytest.raises(ValidationError) as mismatch:
        services.goods_receipt_create(
            actor=warehouse_user(),
            order=order,
            lines=[
                services.ReceiptLineInput(
                    order_line=line, received_quantity=D(5), accepted_quantity=D(4), rejected_quantity=D(0)
                )
            ],
        )
    with pytest.raises(ValidationError) as no_reason:
        services.goods_receipt_create(
            actor=warehouse_user(),
            order=order,
            lines=[services.ReceiptLineInput(order_line=line, received_quantity=D(5), rejected_quantity=D(1))],
        )

    assert mismatch.value.messages == ["Row 1: product A001: accepted 4 + rejected 0 must equal received 5."]
    assert no_reason.value.messages == ["Row 1: product A001: give the rejection reason."]
    assert GoodsReceipt.objects.count() == 0


def test_receipt_without_order_needs_a_reason_and_unit_prices():
    product = ProductFactory(code="A001")
    supplier, warehouse = SupplierFactory(), WarehouseFactory()

    with pytest.raises(ValidationError) as no_reason:
        services.goods_receipt_create(
            actor=warehouse_user(),
            supplier=supplier,
            warehouse=warehouse,
            lines=[services.ReceiptLineInput(product=product, received_quantity=D(1), unit_price=D(1))],
        )
    with pytest.raises(ValidationError) as no_price:
        services.goods_receipt_create(
            actor=warehouse_user(),
            supplier=supplier,
            warehouse=warehouse,
            reason="urgent delivery",
            lines=[services.ReceiptLineInput(product=product, received_quantity=D(1))],
        )

    assert no_reason.value.message_dict == {"reason": ["A receipt without an order needs a reason."]}
    assert no_price.value.messages == ["Row 1: product A001: a receipt without an order needs a unit price."]
    assert GoodsReceipt.objects.count() == 0


def test_receipt_without_order_posts_at_its_unit_cost():
    product = ProductFactory(tax_rate=D(13))
    supplier, warehouse = SupplierFactory(), WarehouseFactory()
    actor = warehouse_user()
    receipt = services.goods_receipt_create(
        actor=actor,
        supplier=supplier,
        warehouse=warehouse,
        reason="sample delivery",
        lines=[services.ReceiptLineInput(product=product, received_quantity=D(4), unit_price=D("2.5"))],
    )

    receipt = services.goods_receipt_post(actor=actor, receipt=receipt)

    assert balance(product, warehouse).value == D(10)
    assert receipt.total_amount == D("11.30")
    assert receipt.lead_time_days is None
    assert Payable.objects.get(receipt=receipt).amount == D("11.30")


def test_a_role_without_the_post_permission_cannot_post():
    order = approved_order()
    receipt = receive(order, post=False)

    with pytest.raises(PermissionDenied):
        services.goods_receipt_post(actor=UserFactory(role="sales"), receipt=receipt)

    receipt.refresh_from_db()
    assert receipt.status == DocumentStatus.DRAFT
    assert services.goods_receipt_post(actor=warehouse_user(), receipt=receipt).status == DocumentStatus.POSTED


def test_cancel_a_draft_receipt_and_refuse_cancelling_a_posted_one():
    order = approved_order()
    draft = receive(order, post=False)
    actor = warehouse_user()

    assert services.goods_receipt_cancel(actor=actor, receipt=draft).status == DocumentStatus.CANCELLED
    posted = receive(order)
    with pytest.raises(ValidationError) as error:
        services.goods_receipt_cancel(actor=actor, receipt=posted)
    assert error.value.messages == [f"{posted.number} was already posted; it cannot be voided again."]
    assert audit_trail_for(draft).first().action == AuditAction.CANCELLED


def test_update_replaces_the_lines_of_a_draft():
    order = approved_order(lines=[(ProductFactory(), 10, "1")])
    receipt = receive(order, post=False)

    receipt = services.goods_receipt_update(
        actor=warehouse_user(),
        receipt=receipt,
        lines=[services.ReceiptLineInput(order_line=order.lines.get(), received_quantity=D(7))],
    )

    assert list(receipt.lines.values_list("received_quantity", flat=True)) == [D(7)]
    assert receipt.total_amount == D(7)


def _receipt_of(lines: int) -> tuple[GoodsReceipt, object]:
    products = [ProductFactory() for _ in range(lines)]
    order = approved_order(lines=[(product, 2, "1") for product in products])
    return receive(order, post=False), order


@pytest.mark.parametrize("line_count", [10, 100])
def test_posting_a_receipt_costs_a_constant_number_of_queries(line_count, django_assert_max_num_queries):
    receipt, order = _receipt_of(line_count)
    actor = warehouse_user()
    actor.has_perm("procurement.post_goodsreceipt")  # the permission cache is warm in a request too
    SystemSettings.load()

    # lock receipt, lines, lock order and its lines, settings, the ledger's posting (~12, SQLite splits
    # an insert of more than 999 parameters in two), link movements, order lines, order, receipt,
    # payable, two audit rows.
    with django_assert_max_num_queries(28):
        services.goods_receipt_post(actor=actor, receipt=receipt)

    assert StockMovement.objects.filter(posting__document_number=receipt.number).count() == line_count
    assert set(PurchaseOrderLine.objects.filter(order=order).values_list("accepted_quantity", flat=True)) == {
        Decimal(2)
    }


def _box_order(warehouse):
    """An approved order for 5 boxes (12 pieces each) of A001 at 120 a box."""
    product = ProductFactory(code="A001")
    box = ProductUnitFactory(product=product, ratio=D(12))
    order = services.purchase_order_create(
        actor=buyer_user(),
        supplier=SupplierFactory(),
        warehouse=warehouse,
        lines=[
            services.OrderLineInput(product=product, quantity=D(5), unit=box.unit, unit_price=D(120), tax_rate=D(0))
        ],
    )
    return services.purchase_order_submit(actor=order.buyer, order=order), product


def test_a_line_counted_in_another_unit_than_ordered_is_converted_not_taken_as_the_ordered_unit():
    # given an order by the box, and pieces counted (a piece barcode scanned three times)
    warehouse = WarehouseFactory()
    order, product = _box_order(warehouse)
    order_line = order.lines.get()
    actor = warehouse_user()

    # when the receipt names the pieces' unit, on the order line and on a row found by product
    receipt = services.goods_receipt_create(
        actor=actor,
        order=order,
        lines=[
            services.ReceiptLineInput(order_line=order_line, received_quantity=D(1)),
            services.ReceiptLineInput(order_line=order_line, received_quantity=D(2), unit=product.base_unit),
            services.ReceiptLineInput(product=product, received_quantity=D(3), unit=product.base_unit),
        ],
    )
    services.goods_receipt_post(actor=actor, receipt=receipt)

    # then 1 box + 2 + 3 pieces = 17 pieces, at the order's price per piece (120 / 12)
    assert list(
        receipt.lines.order_by("line_no").values_list("unit_id", "ratio", "accepted_base", "unit_price", "net_amount")
    ) == [
        (order_line.unit_id, D(12), D(12), D(120), D(120)),
        (product.base_unit_id, D(1), D(2), D(10), D(20)),
        (product.base_unit_id, D(1), D(3), D(10), D(30)),
    ]
    assert balance(product, warehouse).on_hand == D(17)
    assert StockMovement.objects.filter(product=product).values_list("unit_cost", flat=True).distinct().get() == D(10)
    order_line.refresh_from_db()
    assert order_line.accepted_quantity == D(17)


def test_a_unit_the_product_does_not_have_is_refused_and_nothing_is_saved():
    warehouse = WarehouseFactory()
    order, _product = _box_order(warehouse)
    other_unit = ProductUnitFactory(unit__code="KG", unit__name="千克").unit

    with pytest.raises(ValidationError) as error:
        services.goods_receipt_create(
            actor=warehouse_user(),
            order=order,
            lines=[services.ReceiptLineInput(order_line=order.lines.get(), received_quantity=D(1), unit=other_unit)],
        )

    assert error.value.messages == ["Row 1: product A001 has no unit 千克."]
    assert GoodsReceipt.objects.count() == 0
