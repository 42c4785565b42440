"""Transfers (调拨单): dispatch into transit, receipts in parts with losses, cost travelling, refusals."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from apps.inventory.models import MovementType, StockBalance, StockMovement, StockTransfer, TransferStatus
from apps.inventory.selectors_transfers import in_transit_totals
from apps.inventory.services import InsufficientStock
from apps.inventory.services.transfers import (
    TransferLineInput,
    TransferReceiptInput,
    stock_transfer_cancel,
    stock_transfer_create,
    stock_transfer_dispatch,
    stock_transfer_receive,
    transit_warehouse,
)
from apps.inventory.tests.factories import post_stock
from apps.masterdata.tests.factories import ProductFactory, WarehouseFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 30)


@pytest.fixture
def a():
    return WarehouseFactory(code="A", name="Warehouse A")


@pytest.fixture
def b():
    return WarehouseFactory(code="B", name="Warehouse B")


@pytest.fixture
def clerk(make_user):
    return make_user("warehouse")


def balance(product, warehouse):
    row = StockBalance.objects.filter(product=product, warehouse=warehouse).first()
    return (row.on_hand, row.value) if row else (0, 0)


def make_transfer(actor, source, destination, *rows):
    lines = [TransferLineInput(product.pk, Decimal(str(quantity))) for product, quantity in rows]
    return stock_transfer_create(actor=actor, source=source, destination=destination, date=TODAY, lines=lines)


def test_dispatch_moves_stock_and_its_cost_into_transit(clerk, a, b):
    tea = ProductFactory(code="TEA")
    post_stock(tea, a, 10, unit_cost="3")
    post_stock(tea, a, 10, unit_cost="4")  # average 3.5
    transfer = make_transfer(clerk, a, b, (tea, 4))

    stock_transfer_dispatch(actor=clerk, transfer=transfer)

    transfer.refresh_from_db()
    transit = transit_warehouse()
    assert transfer.status == TransferStatus.IN_TRANSIT
    assert balance(tea, a) == (16, Decimal("56.00"))
    assert balance(tea, transit) == (4, Decimal("14.00"))
    line = transfer.lines.get()
    assert (line.unit_cost, line.transit_value, line.movement.movement_type) == (
        Decimal("3.500000"),
        Decimal("14.00"),
        MovementType.TRANSFER_OUT,
    )
    assert StockMovement.objects.filter(posting=transfer.posting).count() == 2
    assert not transit.is_active


def test_receipt_in_two_parts_with_a_loss_keeps_the_dispatch_cost(clerk, make_user, a, b):
    tea, cup = ProductFactory(code="TEA"), ProductFactory(code="CUP")
    post_stock(tea, a, 10, unit_cost="3")
    post_stock(cup, a, 9, unit_cost="1")
    post_stock(tea, b, 10, unit_cost="9")  # the destination's own, dearer stock
    transfer = make_transfer(clerk, a, b, (tea, 6), (cup, 9))
    stock_transfer_dispatch(actor=clerk, transfer=transfer)
    post_stock(tea, a, 10, unit_cost="30")  # the source's cost changes after dispatch: no effect
    tea_line, cup_line = transfer.lines.order_by("line_no")

    stock_transfer_receive(
        actor=clerk, transfer=transfer, receipts=[TransferReceiptInput(tea_line.pk, Decimal(2))], reason=""
    )
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.PARTIALLY_RECEIVED
    assert in_transit_totals(user=clerk) == {"quantity": Decimal(13), "value": Decimal("21.00")}

    stock_transfer_receive(
        actor=clerk,
        transfer=transfer,
        receipts=[
            TransferReceiptInput(tea_line.pk, Decimal(3), lost=Decimal(1)),
            TransferReceiptInput(cup_line.pk, Decimal(9)),
        ],
        reason="One box crushed",
    )

    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.RECEIVED
    assert balance(tea, b) == (15, Decimal("105.00"))  # 10 × 9 + 5 × 3
    assert balance(cup, b) == (9, Decimal("9.00"))
    assert balance(tea, transit_warehouse()) == (0, Decimal("0.00"))
    loss = StockMovement.objects.get(movement_type=MovementType.OTHER_ISSUE)
    assert (loss.quantity, loss.value, loss.posting.memo) == (Decimal(-1), Decimal("-3.00"), "One box crushed")
    assert in_transit_totals(user=clerk) == {"quantity": Decimal(0), "value": Decimal(0)}
    assert list(transfer.lines.order_by("line_no").values_list("received_quantity", "lost_quantity")) == [
        (Decimal(5), Decimal(1)),
        (Decimal(9), Decimal(0)),
    ]


def test_receiving_everything_in_transit_by_default(clerk, a, b):
    tea = ProductFactory(code="TEA")
    post_stock(tea, a, 5, unit_cost="2")
    transfer = make_transfer(clerk, a, b, (tea, 5))
    stock_transfer_dispatch(actor=clerk, transfer=transfer)

    stock_transfer_receive(actor=clerk, transfer=transfer)

    assert balance(tea, b) == (5, Decimal("10.00"))


def test_same_source_and_destination_is_refused(clerk, a):
    with pytest.raises(ValidationError, match="must differ"):
        make_transfer(clerk, a, a, (ProductFactory(), 1))
    assert not StockTransfer.objects.exists()


def test_dispatching_more_than_available_names_the_short_line_and_posts_nothing(clerk, a, b):
    tea, cup = ProductFactory(code="TEA"), ProductFactory(code="CUP")
    post_stock(tea, a, 10)
    post_stock(cup, a, 1)
    transfer = make_transfer(clerk, a, b, (tea, 5), (cup, 3))

    with pytest.raises(InsufficientStock) as error:
        stock_transfer_dispatch(actor=clerk, transfer=transfer)

    assert "Row 2: product CUP is short in Warehouse A: available 1, requested 3" in error.value.messages
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.DRAFT
    assert balance(tea, a)[0] == 10


def test_receiving_more_than_dispatched_is_refused(clerk, a, b):
    tea = ProductFactory(code="TEA")
    post_stock(tea, a, 10)
    transfer = make_transfer(clerk, a, b, (tea, 4))
    stock_transfer_dispatch(actor=clerk, transfer=transfer)
    line = transfer.lines.get()

    with pytest.raises(ValidationError, match="only 4 is in transit"):
        stock_transfer_receive(actor=clerk, transfer=transfer, receipts=[TransferReceiptInput(line.pk, Decimal(5))])
    with pytest.raises(ValidationError, match="reason"):
        stock_transfer_receive(
            actor=clerk, transfer=transfer, receipts=[TransferReceiptInput(line.pk, Decimal(3), lost=Decimal(1))]
        )
    assert balance(tea, b)[0] == 0


def test_a_user_outside_the_warehouse_scope_is_refused(make_user, a, b):
    tea = ProductFactory(code="TEA")
    post_stock(tea, a, 10)
    clerk_a = make_user("warehouse", sees_all_warehouses=False)
    clerk_b = make_user("warehouse", sees_all_warehouses=False)
    a.assigned_users.add(clerk_a)
    b.assigned_users.add(clerk_b)

    with pytest.raises(PermissionDenied, match="Warehouse A"):
        make_transfer(clerk_b, a, b, (tea, 1))
    transfer = make_transfer(clerk_a, a, b, (tea, 2))
    with pytest.raises(PermissionDenied):
        stock_transfer_dispatch(actor=clerk_b, transfer=transfer)
    stock_transfer_dispatch(actor=clerk_a, transfer=transfer)
    with pytest.raises(PermissionDenied, match="Warehouse B"):
        stock_transfer_receive(actor=clerk_a, transfer=transfer)
    stock_transfer_receive(actor=clerk_b, transfer=transfer)
    assert balance(tea, b)[0] == 2


def test_wrong_state_refusals(clerk, a, b):
    tea = ProductFactory(code="TEA")
    post_stock(tea, a, 10)
    transfer = make_transfer(clerk, a, b, (tea, 1))
    with pytest.raises(ValidationError) as error:
        stock_transfer_receive(actor=clerk, transfer=transfer)
    assert error.value.code == "wrong_state"
    stock_transfer_cancel(actor=clerk, transfer=transfer)
    with pytest.raises(ValidationError):
        stock_transfer_dispatch(actor=clerk, transfer=transfer)


def test_pages_create_dispatch_and_receive_in_parts(client_for, a, b):
    tea = ProductFactory(code="TEA")
    post_stock(tea, a, 10, unit_cost="2")
    client = client_for("warehouse")
    data = {
        "source": a.pk,
        "destination": b.pk,
        "date": "2026-11-30",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-product": tea.pk,
        "lines-0-quantity": "6",
        "post": "1",
    }

    response = client.post(reverse("inventory:transfer_create"), data)

    transfer = StockTransfer.objects.get()
    assert response.status_code == 302
    assert transfer.status == TransferStatus.IN_TRANSIT
    line = transfer.lines.get()
    url = reverse("inventory:transfer_receive", args=[transfer.pk])
    assert client.get(url).status_code == 200
    client.post(url, {"partial": "1", f"received-{line.pk}": "4"})
    detail = client.get(reverse("inventory:transfer_detail", args=[transfer.pk]))
    assert [row.in_transit for row in detail.context["lines"]] == [Decimal(2)]
    client.post(url)  # the pipeline's button: the rest
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.RECEIVED
    assert balance(tea, b) == (6, Decimal("12.00"))


def test_receive_page_refuses_more_than_in_transit_with_a_message(client_for, a, b):
    tea = ProductFactory(code="TEA")
    post_stock(tea, a, 10)
    client = client_for("warehouse")
    transfer = make_transfer(client.user, a, b, (tea, 2))
    stock_transfer_dispatch(actor=client.user, transfer=transfer)
    line = transfer.lines.get()

    response = client.post(
        reverse("inventory:transfer_receive", args=[transfer.pk]), {"partial": "1", f"received-{line.pk}": "3"}
    )

    assert response.status_code == 400
    assert "Row 1: 3 received and lost, but only 2 is in transit." in [str(m) for m in response.context["messages"]]
    assert balance(tea, b)[0] == 0


@pytest.mark.parametrize("extra", [0, 3])
def test_transfer_list_costs_the_same_queries_for_n_and_n_plus_3_rows(
    extra, client_for, a, b, django_assert_num_queries
):
    client = client_for("manager")
    tea = ProductFactory()
    for _ in range(1 + extra):
        make_transfer(client.user, a, b, (tea, 1))
    client.get(reverse("inventory:transfer_list"))
    # 7: a manager sees every warehouse, so the page costs no scope query; the same for N and N+3 rows.
    with django_assert_num_queries(7):
        assert client.get(reverse("inventory:transfer_list")).status_code == 200
