import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.core.models import AuditAction, AuditLog, SystemSettings
from apps.core.selectors import audit_trail_for
from apps.masterdata.tests.factories import ProductFactory, ProductUnitFactory, SupplierFactory, WarehouseFactory
from apps.procurement import services
from apps.procurement.models import PurchaseOrder, PurchaseOrderLine, PurchaseOrderStatus
from apps.procurement.services import ALLOWED_TRANSITIONS, ORDER_TRANSITIONS
from apps.procurement.tests.factories import (
    D,
    SupplierPriceFactory,
    approved_order,
    buyer_user,
    make_order,
    manager_user,
    receive,
    warehouse_user,
)

pytestmark = pytest.mark.django_db
S = PurchaseOrderStatus


@pytest.fixture
def low_threshold():
    """Every order needs a manager's approval."""
    settings_row = SystemSettings.load()
    settings_row.purchase_approval_threshold = Decimal("1.00")
    settings_row.save()
    return settings_row


def test_create_computes_base_quantity_cost_and_amounts_rounded_half_up():
    product = ProductFactory(code="A001", tax_rate=Decimal(13))
    box = ProductUnitFactory(product=product, ratio=Decimal(12))
    buyer = buyer_user()

    order = services.purchase_order_create(
        actor=buyer,
        supplier=SupplierFactory(),
        warehouse=WarehouseFactory(),
        order_date=datetime.date(2026, 3, 2),
        expected_date=datetime.date(2026, 3, 10),
        lines=[services.OrderLineInput(product=product, quantity=D(3), unit=box.unit, unit_price=D("100.05"))],
    )

    line = order.lines.get()
    assert (line.ratio, line.base_quantity, line.unit_cost) == (D(12), D(36), D("8.3375"))
    assert (line.net_amount, line.tax_amount, line.total_amount) == (D("300.15"), D("39.02"), D("339.17"))
    assert (order.net_amount, order.tax_amount, order.total_amount) == (D("300.15"), D("39.02"), D("339.17"))
    assert order.status == S.DRAFT
    assert order.number.startswith("CGDD20260302-")
    assert audit_trail_for(order).get().action == AuditAction.CREATED


def test_blank_price_comes_from_the_price_list_with_expected_date_from_the_lead_time():
    product = ProductFactory(purchase_price=D(10))
    supplier = SupplierFactory()
    SupplierPriceFactory(supplier=supplier, product=product, price=D("7.5"), lead_time_days=9)

    order = make_order(supplier=supplier, lines=[(product, 4, None)], order_date=datetime.date(2026, 3, 2))

    line = order.lines.get()
    assert (line.unit_price, line.price_source, line.list_unit_cost) == (D("7.5"), "price_list", D("7.5"))
    assert order.expected_date == datetime.date(2026, 3, 11)


def test_blank_price_falls_back_to_last_purchase_then_product_price():
    product = ProductFactory(purchase_price=D(10))
    supplier = SupplierFactory()

    first = make_order(supplier=supplier, lines=[(product, 1, None)])
    assert first.lines.get().price_source == "product"
    assert first.lines.get().unit_price == D(10)
    approved_order(supplier=supplier, lines=[(product, 1, "6.25")])

    later = make_order(supplier=supplier, lines=[(product, 1, None)])

    assert (later.lines.get().unit_price, later.lines.get().price_source) == (D("6.25"), "last_purchase")


def test_minimum_order_quantity_and_pack_size_are_enforced_naming_the_row():
    product = ProductFactory(code="A001")
    supplier = SupplierFactory()
    SupplierPriceFactory(supplier=supplier, product=product, min_order_qty=D(10), pack_size=D(5))

    with pytest.raises(ValidationError) as below:
        make_order(supplier=supplier, lines=[(ProductFactory(), 1, "1"), (product, 5, None)])
    with pytest.raises(ValidationError) as not_multiple:
        make_order(supplier=supplier, lines=[(product, 12, None)])

    assert below.value.messages == ["Row 2: product A001: 5 is below the supplier's minimum order quantity 10."]
    assert not_multiple.value.messages == ["Row 1: product A001: 12 is not a multiple of the pack size 5."]
    assert PurchaseOrder.objects.count() == 0


def test_a_unit_the_product_does_not_have_is_refused():
    product = ProductFactory(code="A001")
    other_unit = ProductUnitFactory().unit

    with pytest.raises(ValidationError) as error:
        services.purchase_order_create(
            actor=buyer_user(),
            supplier=SupplierFactory(),
            warehouse=WarehouseFactory(),
            lines=[services.OrderLineInput(product=product, quantity=D(1), unit=other_unit)],
        )

    assert error.value.messages == ["Row 1: product A001 has no unit 箱."]
    assert PurchaseOrder.objects.count() == 0


def test_an_order_without_lines_is_refused():
    with pytest.raises(ValidationError, match="at least one line"):
        make_order(lines=[])


def test_update_replaces_lines_in_draft_only():
    order = make_order(lines=[(ProductFactory(), 1, "1")])
    product = ProductFactory()

    services.purchase_order_update(
        actor=order.buyer,
        order=order,
        supplier=order.supplier,
        warehouse=order.warehouse,
        expected_date=order.expected_date,
        lines=[services.OrderLineInput(product=product, quantity=D(2), unit_price=D(3), tax_rate=D(0))],
    )

    order.refresh_from_db()
    assert list(order.lines.values_list("product_id", "quantity")) == [(product.pk, D(2))]
    assert order.total_amount == D(6)
    assert audit_trail_for(order).first().action == AuditAction.CHANGED


def test_update_of_a_submitted_order_is_refused_and_changes_nothing(low_threshold):
    order = make_order(lines=[(ProductFactory(), 1, "5")])
    services.purchase_order_submit(actor=order.buyer, order=order)

    with pytest.raises(ValidationError) as error:
        services.purchase_order_update(
            actor=order.buyer,
            order=order,
            supplier=order.supplier,
            warehouse=order.warehouse,
            lines=[services.OrderLineInput(product=ProductFactory(), quantity=D(9))],
        )

    assert error.value.messages == [f"{order.number} is Pending approval; it cannot be edited."]
    assert list(order.lines.values_list("quantity", flat=True)) == [D(1)]


def test_submit_above_threshold_waits_for_approval(low_threshold):
    order = make_order()

    order = services.purchase_order_submit(actor=order.buyer, order=order)

    assert order.status == S.SUBMITTED
    assert order.submitted_at is not None
    assert order.approved_at is None


def test_submit_below_threshold_approves_automatically_and_records_both_steps():
    order = make_order(lines=[(ProductFactory(), 1, "100")])  # default threshold 50 000

    order = services.purchase_order_submit(actor=order.buyer, order=order)

    assert order.status == S.APPROVED
    assert order.approved_by is None
    assert order.approved_at is not None
    actions = list(audit_trail_for(order).order_by("id").values_list("action", "actor"))
    assert actions == [
        (AuditAction.CREATED, order.buyer.pk),
        (AuditAction.SUBMITTED, order.buyer.pk),
        (AuditAction.APPROVED, None),
    ]


def test_double_submit_is_refused_with_a_clear_message(low_threshold):
    order = make_order()
    services.purchase_order_submit(actor=order.buyer, order=order)
    count = AuditLog.objects.count()

    with pytest.raises(ValidationError) as error:
        services.purchase_order_submit(actor=order.buyer, order=order)

    assert error.value.messages == [f"{order.number} is Pending approval; it cannot be submitted."]
    assert AuditLog.objects.count() == count


def test_withdraw_returns_a_submitted_order_to_draft(low_threshold):
    order = make_order()
    services.purchase_order_submit(actor=order.buyer, order=order)

    order = services.purchase_order_withdraw(actor=order.buyer, order=order)

    assert (order.status, order.submitted_at) == (S.DRAFT, None)


def test_manager_approves_and_who_and_when_are_recorded(low_threshold):
    order = make_order()
    services.purchase_order_submit(actor=order.buyer, order=order)
    manager = manager_user()

    order = services.purchase_order_approve(actor=manager, order=order)

    assert (order.status, order.approved_by) == (S.APPROVED, manager)
    entry = audit_trail_for(order).first()
    assert (entry.action, entry.actor, entry.changes["status"]) == (
        AuditAction.APPROVED,
        manager,
        ["submitted", "approved"],
    )


def test_buyer_cannot_approve(low_threshold):
    order = make_order()
    services.purchase_order_submit(actor=order.buyer, order=order)

    with pytest.raises(PermissionDenied):
        services.purchase_order_approve(actor=buyer_user(), order=order)

    order.refresh_from_db()
    assert order.status == S.SUBMITTED


def test_nobody_approves_their_own_order(low_threshold):
    manager = manager_user()
    order = make_order(buyer=manager)
    services.purchase_order_submit(actor=manager, order=order)

    with pytest.raises(ValidationError) as error:
        services.purchase_order_approve(actor=manager, order=order)

    assert error.value.code == "own_document"
    assert error.value.messages == [f"{order.number} is your own document; someone else must approve it."]
    order.refresh_from_db()
    assert order.status == S.SUBMITTED


def test_approving_a_draft_is_refused(low_threshold):
    order = make_order()

    with pytest.raises(ValidationError) as error:
        services.purchase_order_approve(actor=manager_user(), order=order)

    assert error.value.messages == [f"{order.number} is Draft; it cannot be approved."]


def test_reject_needs_a_reason_and_returns_to_draft(low_threshold):
    order = make_order()
    services.purchase_order_submit(actor=order.buyer, order=order)
    manager = manager_user()

    with pytest.raises(ValidationError, match="Give a reason"):
        services.purchase_order_reject(actor=manager, order=order, reason=" ")
    order = services.purchase_order_reject(actor=manager, order=order, reason="price too high")

    assert order.status == S.DRAFT
    assert audit_trail_for(order).first().changes["reason"] == [None, "price too high"]


def test_unapprove_returns_to_draft_while_nothing_was_received(low_threshold):
    order = approved_order()

    order = services.purchase_order_unapprove(actor=manager_user(), order=order)

    assert (order.status, order.approved_at, order.approved_by) == (S.DRAFT, None, None)


def test_buyer_may_unapprove_an_auto_approved_order_but_not_a_manager_approved_one(low_threshold):
    auto = make_order(lines=[(ProductFactory(), 1, "0.5")])  # below 1.00
    auto = services.purchase_order_submit(actor=auto.buyer, order=auto)
    manual = approved_order()

    assert services.purchase_order_unapprove(actor=auto.buyer, order=auto).status == S.DRAFT
    with pytest.raises(PermissionDenied):
        services.purchase_order_unapprove(actor=manual.buyer, order=manual)


def test_unapprove_after_a_receipt_is_refused():
    order = approved_order()
    receive(order, quantities=[5])

    with pytest.raises(ValidationError) as error:
        services.purchase_order_unapprove(actor=manager_user(), order=order)

    assert error.value.messages == [f"{order.number} is Partially received; it cannot be unapproved."]


def test_unapprove_with_a_draft_receipt_is_refused():
    order = approved_order()
    receive(order, post=False)

    with pytest.raises(ValidationError) as error:
        services.purchase_order_unapprove(actor=manager_user(), order=order)

    assert error.value.messages == [f"{order.number} already has receipts; it cannot be unapproved."]


def test_force_close_a_partially_received_order():
    order = approved_order()
    receive(order, quantities=[4])

    order = services.purchase_order_close(actor=order.buyer, order=order, reason="supplier out of stock")

    assert order.status == S.CLOSED
    assert order.closed_at is not None


def test_closing_a_draft_is_refused():
    order = make_order()

    with pytest.raises(ValidationError) as error:
        services.purchase_order_close(actor=order.buyer, order=order, reason="x")

    assert error.value.messages == [f"{order.number} is Draft; it cannot be closed."]


def test_cancel_a_draft_and_refuse_cancelling_a_received_order():
    draft = make_order()
    received = approved_order()
    receive(received)

    assert services.purchase_order_cancel(actor=draft.buyer, order=draft).status == S.CANCELLED
    with pytest.raises(ValidationError) as error:
        services.purchase_order_cancel(actor=received.buyer, order=received)
    assert error.value.messages == [f"{received.number} is Completed; it cannot be voided."]


def test_warehouse_staff_cannot_submit():
    order = make_order()

    with pytest.raises(PermissionDenied):
        services.purchase_order_submit(actor=warehouse_user(), order=order)


def test_the_transition_table_matches_the_actions():
    for transition in ORDER_TRANSITIONS.values():
        for source in transition.sources:
            assert transition.target in ALLOWED_TRANSITIONS[source]
    assert ALLOWED_TRANSITIONS[S.RECEIVED] == frozenset()
    assert ALLOWED_TRANSITIONS[S.CANCELLED] == frozenset()
    assert ALLOWED_TRANSITIONS[S.CLOSED] == frozenset()


def test_actions_offered_follow_status_and_role(low_threshold):
    order = make_order()
    order = services.purchase_order_submit(actor=order.buyer, order=order)

    buyer_actions = [action.name for action in services.ORDER_PIPELINE.actions(order, order.buyer)]
    manager_actions = [action.name for action in services.ORDER_PIPELINE.actions(order, manager_user())]

    assert buyer_actions == ["withdraw", "cancel"]
    assert manager_actions == ["withdraw", "approve", "reject", "cancel"]


def test_a_manager_is_not_offered_approve_on_their_own_order(low_threshold):
    manager = manager_user()
    order = services.purchase_order_submit(actor=manager, order=make_order(buyer=manager))

    actions = [action.name for action in services.ORDER_PIPELINE.actions(order, manager)]

    assert "approve" not in actions
    assert "reject" in actions


def test_lines_are_saved_in_entry_order():
    products = [ProductFactory() for _ in range(3)]

    order = make_order(lines=[(p, 1, "1") for p in products])

    assert list(PurchaseOrderLine.objects.filter(order=order).values_list("line_no", "product_id")) == [
        (1, products[0].pk),
        (2, products[1].pk),
        (3, products[2].pk),
    ]
