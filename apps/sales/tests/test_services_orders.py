import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.core.selectors import audit_trail_for
from apps.inventory.models import StockBalance
from apps.inventory.tests.factories import post_stock
from apps.masterdata.models import PriceLevel
from apps.masterdata.tests.factories import (
    CustomerFactory,
    ProductFactory,
    ProductUnitFactory,
    UnitFactory,
    WarehouseFactory,
)
from apps.sales.models import SalesOrder, SalesOrderLine, SalesOrderStatus
from apps.sales.services import (
    ALLOWED_TRANSITIONS,
    OrderLineInput,
    sales_order_approve,
    sales_order_cancel,
    sales_order_close,
    sales_order_confirm,
    sales_order_create,
    sales_order_submit,
    sales_order_update,
    sales_order_withdraw,
)
from apps.sales.tests.factories import TODAY, make_order, make_shipment

pytestmark = pytest.mark.django_db
D = Decimal
S = SalesOrderStatus


def test_line_amounts_are_net_tax_and_total_rounded_half_up(make_user):
    product = ProductFactory(tax_rate=D("13"), min_sale_price=D(0))

    order = make_order(lines=[(product, 3, "10.005", 10)], actor=make_user("sales"))

    line = order.lines.get()
    # 3 × 10.005 × 0.9 = 27.0135 → 27.01; tax 3.5113 → 3.51
    assert (line.net_amount, line.tax_amount, line.total_amount) == (D("27.01"), D("3.51"), D("30.52"))
    assert (order.net_amount, order.tax_amount, order.total_amount) == (D("27.01"), D("3.51"), D("30.52"))
    assert order.number.startswith("XSDD20261126-")
    assert order.status == S.DRAFT


def test_default_price_follows_the_price_level_less_the_customer_discount(make_user):
    product = ProductFactory(sale_price=D("15"), retail_price=D("18"), min_sale_price=D("0"))
    wholesale = CustomerFactory(price_level=PriceLevel.WHOLESALE, discount_percent=D("10"))
    retail = CustomerFactory(price_level=PriceLevel.RETAIL)

    first = make_order(customer=wholesale, lines=[(product, 1)]).lines.get()
    second = make_order(customer=retail, lines=[(product, 1)]).lines.get()

    assert first.unit_price == D("13.5")
    assert second.unit_price == D("18")


def test_secondary_unit_converts_quantity_and_price(make_user):
    product = ProductFactory(sale_price=D("15"), min_sale_price=D("12"))
    box = ProductUnitFactory(product=product, ratio=D(12)).unit

    line = make_order(lines=[(product, 2, None, 0, box)]).lines.get()

    assert (line.ratio, line.base_quantity, line.unit_price) == (D(12), D(24), D(180))


def test_a_price_below_the_minimum_is_refused_naming_row_and_product(make_user):
    good = ProductFactory()
    cheap = ProductFactory(code="A001", sale_price=D("15"), min_sale_price=D("12"))
    customer = CustomerFactory()

    with pytest.raises(ValidationError) as caught:
        sales_order_create(
            customer=customer,
            warehouse=WarehouseFactory(),
            order_date=TODAY,
            lines=[
                OrderLineInput(product=good, quantity=D(1)),
                OrderLineInput(product=cheap, quantity=D(1), unit_price=D("10"), discount_percent=D("10")),
            ],
            actor=make_user("sales"),
        )

    assert caught.value.messages == ["Row 2: product A001 price 9.00 is below the minimum selling price 12.00"]
    assert not SalesOrder.objects.exists()


def test_minimum_price_of_a_secondary_unit_is_per_base_unit_times_ratio(make_user):
    product = ProductFactory(code="A002", min_sale_price=D("12"))
    box = ProductUnitFactory(product=product, ratio=D(12)).unit

    with pytest.raises(ValidationError, match=re.escape("price 143.00 is below the minimum selling price 144.00")):
        make_order(lines=[(product, 1, "143", 0, box)])


def test_a_unit_that_is_not_the_products_is_refused(make_user):
    product = ProductFactory(code="A003")
    kg = UnitFactory(code="KG", name="kg")

    with pytest.raises(ValidationError, match=re.escape("Row 1: kg is not a unit of product A003.")):
        make_order(lines=[(product, 1, None, 0, kg)])


def test_zero_quantity_and_empty_orders_are_refused(make_user):
    product = ProductFactory(code="A004")

    with pytest.raises(ValidationError, match=re.escape("Row 1: product A004 needs a quantity above zero.")):
        make_order(lines=[(product, 0)])
    with pytest.raises(ValidationError, match=re.escape("An order needs at least one line.")):
        make_order(lines=[])
    assert not SalesOrder.objects.exists()


def test_update_replaces_lines_of_a_draft_only(make_user):
    actor = make_user("sales")
    order = make_order(actor=actor)
    product = ProductFactory()

    sales_order_update(
        order=order,
        actor=actor,
        customer=order.customer,
        warehouse=order.warehouse,
        order_date=TODAY,
        lines=[OrderLineInput(product=product, quantity=D(4)), OrderLineInput(product=product, quantity=D(1))],
    )

    assert list(order.lines.values_list("line_no", "quantity")) == [(1, D(4)), (2, D(1))]
    sales_order_submit(order=order, actor=actor)
    with pytest.raises(ValidationError, match="is Pending approval; it cannot be edited"):
        sales_order_update(
            order=order,
            actor=actor,
            customer=order.customer,
            warehouse=order.warehouse,
            order_date=TODAY,
            lines=[OrderLineInput(product=product, quantity=D(9))],
        )
    assert order.lines.count() == 2


def test_the_full_happy_path_moves_through_every_status(make_user):
    clerk = make_user("sales")
    product = ProductFactory()
    warehouse = WarehouseFactory()
    post_stock(product, warehouse, 10)
    order = make_order(warehouse=warehouse, lines=[(product, 4)], actor=clerk)

    order = sales_order_submit(order=order, actor=clerk)
    assert order.status == S.PENDING
    order = sales_order_confirm(order=order, actor=clerk)
    assert order.status == S.CONFIRMED
    make_shipment(order, [1])
    order.refresh_from_db()
    assert order.status == S.PARTIAL
    make_shipment(order, [3])
    order.refresh_from_db()
    assert order.status == S.COMPLETED
    actions = list(audit_trail_for(order).order_by("id").values_list("action", flat=True))
    assert actions == ["created", "submitted", "approved", "changed", "changed"]


@pytest.mark.parametrize(
    ("status", "target"),
    [
        (s, t)
        for s in S.values
        for t in [S.PENDING, S.DRAFT, S.CONFIRMED, S.CLOSED, S.CANCELLED]
        if t not in ALLOWED_TRANSITIONS[s]
    ],
)
def test_every_bad_transition_is_refused_and_changes_nothing(status, target, make_user):
    manager = make_user("manager")
    order = make_order(actor=manager)
    SalesOrder.objects.filter(pk=order.pk).update(status=status)
    service = {
        S.PENDING: sales_order_submit,
        S.DRAFT: sales_order_withdraw,
        S.CONFIRMED: sales_order_confirm,
        S.CLOSED: sales_order_close,
        S.CANCELLED: sales_order_cancel,
    }[target]

    expected = re.escape(f"{order.number} is {S(status).label}; it cannot be ")
    with pytest.raises(ValidationError, match=expected) as error:
        service(order=order, actor=manager)
    assert error.value.code == "wrong_state"

    order.refresh_from_db()
    assert order.status == status


def test_submitting_twice_is_refused(make_user):
    clerk = make_user("sales")
    order = make_order(actor=clerk)
    sales_order_submit(order=order, actor=clerk)

    with pytest.raises(ValidationError, match="is Pending approval; it cannot be submitted"):
        sales_order_submit(order=order, actor=clerk)
    assert audit_trail_for(order).filter(action="submitted").count() == 1


def test_withdraw_returns_a_pending_order_to_draft(make_user):
    clerk = make_user("sales")
    order = make_order(actor=clerk, submit=True)

    order = sales_order_withdraw(order=order, actor=clerk)

    assert order.status == S.DRAFT


def test_cancel_of_an_approved_order_releases_its_reservation(make_user):
    product, warehouse = ProductFactory(), WarehouseFactory()
    post_stock(product, warehouse, 10)
    order = make_order(warehouse=warehouse, lines=[(product, 6)], confirm=True)

    sales_order_cancel(order=order, actor=make_user("sales"))

    balance = StockBalance.objects.get(product=product, warehouse=warehouse)
    assert (balance.on_hand, balance.reserved) == (10, 0)
    assert order.lines.get().reserved_quantity == 0
    order.refresh_from_db()
    assert order.status == S.CANCELLED


def test_close_of_a_partially_shipped_order_releases_only_what_is_still_reserved(make_user):
    product, warehouse = ProductFactory(), WarehouseFactory()
    post_stock(product, warehouse, 10)
    order = make_order(warehouse=warehouse, lines=[(product, 6)], confirm=True)
    make_shipment(order, [2])

    sales_order_close(order=order, actor=make_user("sales"))

    order.refresh_from_db()
    balance = StockBalance.objects.get(product=product, warehouse=warehouse)
    assert (balance.on_hand, balance.reserved) == (8, 0)
    line = SalesOrderLine.objects.select_related("order").get(order=order)
    assert (line.shipped_quantity, line.reserved_quantity, line.backordered_quantity) == (2, 0, 0)


def test_a_partially_shipped_order_cannot_be_voided(make_user):
    product, warehouse = ProductFactory(), WarehouseFactory()
    post_stock(product, warehouse, 10)
    order = make_order(warehouse=warehouse, lines=[(product, 6)], confirm=True)
    make_shipment(order, [2])

    with pytest.raises(ValidationError, match="is Partially shipped; it cannot be voided"):
        sales_order_cancel(order=order, actor=make_user("manager"))
    assert StockBalance.objects.get(product=product, warehouse=warehouse).reserved == 4


# Credit limit ----------------------------------------------------------------------------------


def _over_limit_order(clerk):
    product, warehouse = ProductFactory(sale_price=D("100"), min_sale_price=0, tax_rate=0), WarehouseFactory()
    post_stock(product, warehouse, 100)
    customer = CustomerFactory(code="K001", credit_limit=D("500"))
    earlier = make_order(customer=customer, warehouse=warehouse, lines=[(product, 3)], actor=clerk, confirm=True)
    make_shipment(earlier, [1])  # owes 100, 200 still open on the order
    return make_order(customer=customer, warehouse=warehouse, lines=[(product, 3)], actor=clerk, submit=True)


def test_submit_flags_an_order_over_the_credit_limit(make_user):
    order = _over_limit_order(make_user("sales"))

    assert order.over_credit_limit is True


def test_a_clerk_cannot_approve_an_order_over_the_credit_limit(make_user):
    clerk = make_user("sales")
    order = _over_limit_order(clerk)

    with pytest.raises(ValidationError) as caught:
        sales_order_confirm(order=order, actor=clerk)

    assert caught.value.messages == [
        f"Sales order {order.number} would take customer K001 to 600.00, over the credit limit 500.00: "
        "a manager must approve it."
    ]
    order.refresh_from_db()
    assert order.status == S.PENDING
    assert order.lines.get().reserved_quantity == 0


def test_after_a_managers_credit_approval_the_clerk_may_approve(make_user):
    clerk, manager = make_user("sales"), make_user("manager")
    order = _over_limit_order(clerk)

    sales_order_approve(order=order, actor=manager)
    order = sales_order_confirm(order=order, actor=clerk)

    assert order.status == S.CONFIRMED
    assert order.credit_approved_by == manager


def test_a_clerk_cannot_give_the_credit_approval(make_user):
    clerk = make_user("sales")
    order = _over_limit_order(clerk)

    with pytest.raises(PermissionDenied):
        sales_order_approve(order=order, actor=clerk)
    order.refresh_from_db()
    assert order.credit_approved_by is None


def test_a_manager_approving_an_order_over_the_limit_approves_the_credit(make_user):
    manager = make_user("manager")
    order = _over_limit_order(make_user("sales"))

    order = sales_order_confirm(order=order, actor=manager)

    assert (order.status, order.credit_approved_by, order.over_credit_limit) == (S.CONFIRMED, manager, True)


def test_within_the_limit_the_clerk_approves_alone(make_user):
    clerk = make_user("sales")
    product, warehouse = ProductFactory(sale_price=D("100"), min_sale_price=0, tax_rate=0), WarehouseFactory()
    post_stock(product, warehouse, 10)
    customer = CustomerFactory(credit_limit=D("300"))

    order = make_order(customer=customer, warehouse=warehouse, lines=[(product, 3)], actor=clerk, confirm=True)

    assert (order.status, order.over_credit_limit) == (S.CONFIRMED, False)


def test_no_credit_limit_means_no_check(make_user):
    clerk = make_user("sales")
    product, warehouse = ProductFactory(sale_price=D("100000"), min_sale_price=0), WarehouseFactory()
    post_stock(product, warehouse, 10)

    order = make_order(
        customer=CustomerFactory(credit_limit=None),
        warehouse=warehouse,
        lines=[(product, 10)],
        actor=clerk,
        confirm=True,
    )

    assert order.status == S.CONFIRMED


def test_order_lines_keep_their_rows(make_user):
    order = make_order(lines=[(ProductFactory(), 1), (ProductFactory(), 2)])

    assert list(SalesOrderLine.objects.filter(order=order).values_list("line_no", flat=True)) == [1, 2]
