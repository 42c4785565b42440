import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from apps.accounts.tests.factories import UserFactory
from apps.core.models import AuditLog
from apps.inventory.models import (
    AdjustmentKind,
    AdjustmentStatus,
    MovementType,
    StockAdjustment,
    StockBalance,
    StockMovement,
)
from apps.inventory.services import (
    InsufficientStock,
    stock_adjustment_create,
    stock_adjustment_post,
    stock_adjustment_reverse,
    stock_adjustment_update,
)
from apps.inventory.tests.factories import adjustment_lines, post_stock
from apps.masterdata.tests.factories import ProductFactory, WarehouseFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 20)


@pytest.fixture
def user():
    return UserFactory(role="warehouse")


@pytest.fixture
def warehouse():
    return WarehouseFactory(name="Main")


@pytest.fixture
def products():
    return [ProductFactory(code="A001"), ProductFactory(code="B002")]


def make(kind, warehouse, user, *rows, reason=""):
    return stock_adjustment_create(
        actor=user, kind=kind, warehouse=warehouse, date=DAY, lines=adjustment_lines(*rows), reason=reason
    )


def on_hand(product, warehouse):
    return StockBalance.objects.get(product=product, warehouse=warehouse).on_hand


def test_draft_gets_the_kind_prefix_and_writes_no_stock(warehouse, user, products):
    document = make(AdjustmentKind.OPENING, warehouse, user, (products[0], 10, "2.5"))

    assert document.number == "QCKC20261120-0001"
    assert document.status == AdjustmentStatus.DRAFT
    assert not StockMovement.objects.exists()
    assert AuditLog.objects.filter(object_id=str(document.pk), action="created").count() == 1


@pytest.mark.parametrize(
    ("kind", "prefix"),
    [
        (AdjustmentKind.OTHER_RECEIPT, "QTRK"),
        (AdjustmentKind.OTHER_ISSUE, "QTCK"),
        (AdjustmentKind.ADJUSTMENT, "KCTZ"),
    ],
)
def test_each_kind_has_its_number_prefix(kind, prefix, warehouse, user, products):
    document = make(kind, warehouse, user, (products[0], 1, "1"), reason="count")

    assert document.number.startswith(prefix)


def test_posting_opening_stock_links_each_line_to_its_movement(warehouse, user, products):
    document = make(AdjustmentKind.OPENING, warehouse, user, (products[0], 10, "2.5"), (products[1], 4, "1"))

    stock_adjustment_post(actor=user, document=document)

    document.refresh_from_db()
    assert document.status == AdjustmentStatus.POSTED
    assert (document.posted_by, document.posting.document_number) == (user, document.number)
    lines = list(document.lines.select_related("movement").order_by("line_no"))
    assert [(line.movement.quantity, line.movement.movement_type) for line in lines] == [
        (Decimal(10), MovementType.OPENING),
        (Decimal(4), MovementType.OPENING),
    ]
    assert lines[0].movement.value == Decimal("25.00")
    assert on_hand(products[0], warehouse) == 10
    assert AuditLog.objects.filter(object_id=str(document.pk), action="posted").count() == 1


def test_an_issue_leaves_at_the_moving_average_cost(warehouse, user, products):
    post_stock(products[0], warehouse, 10, unit_cost="3")
    document = make(AdjustmentKind.OTHER_ISSUE, warehouse, user, (products[0], 4, None))

    stock_adjustment_post(actor=user, document=document)

    movement = document.lines.get().movement
    assert (movement.quantity, movement.unit_cost, movement.value) == (Decimal(-4), Decimal(3), Decimal("-12.00"))
    assert on_hand(products[0], warehouse) == 6


def test_an_issue_short_on_several_lines_names_them_all_and_posts_nothing(warehouse, user, products):
    post_stock(products[0], warehouse, 5)
    document = make(AdjustmentKind.OTHER_ISSUE, warehouse, user, (products[0], 8, None), (products[1], 2, None))

    with pytest.raises(InsufficientStock) as caught:
        stock_adjustment_post(actor=user, document=document)

    assert caught.value.messages == [
        f"{document.number} cannot be posted: insufficient stock.",
        "Row 1: product A001 is short in Main: available 5, requested 8",
        "Row 2: product B002 is short in Main: available 0, requested 2",
    ]
    document.refresh_from_db()
    assert document.status == AdjustmentStatus.DRAFT
    assert not document.lines.filter(movement__isnull=False).exists()
    assert StockMovement.objects.count() == 1


def test_an_adjustment_takes_signed_lines_and_needs_a_reason(warehouse, user, products):
    post_stock(products[0], warehouse, 5, unit_cost="2")

    with pytest.raises(ValidationError) as caught:
        make(AdjustmentKind.ADJUSTMENT, warehouse, user, (products[0], -2, None))
    assert caught.value.message_dict == {"reason": ["A stock adjustment needs a reason."]}
    assert not StockAdjustment.objects.exists()

    document = make(
        AdjustmentKind.ADJUSTMENT, warehouse, user, (products[0], -2, None), (products[1], 3, "4"), reason="count"
    )
    stock_adjustment_post(actor=user, document=document)

    assert on_hand(products[0], warehouse) == 3
    assert on_hand(products[1], warehouse) == 3
    assert StockBalance.objects.get(product=products[1]).value == Decimal("12.00")


def test_bad_lines_are_refused_with_their_rows_and_nothing_is_saved(warehouse, user, products):
    with pytest.raises(ValidationError) as caught:
        make(AdjustmentKind.OTHER_RECEIPT, warehouse, user, (products[0], -1, "1"), (products[1], 2, None))

    assert caught.value.messages == ["Row 1: enter a positive quantity.", "Row 2: enter the unit cost."]
    assert not StockAdjustment.objects.exists()


def test_a_document_is_posted_once(warehouse, user, products):
    document = make(AdjustmentKind.OPENING, warehouse, user, (products[0], 10, "1"))
    stock_adjustment_post(actor=user, document=document)

    with pytest.raises(ValidationError, match="was already posted; it cannot be posted again"):
        stock_adjustment_post(actor=user, document=document)
    assert on_hand(products[0], warehouse) == 10


def test_a_posted_document_cannot_be_edited(warehouse, user, products):
    document = make(AdjustmentKind.OPENING, warehouse, user, (products[0], 10, "1"))
    stock_adjustment_post(actor=user, document=document)

    with pytest.raises(ValidationError, match="was already posted; it cannot be edited"):
        stock_adjustment_update(
            actor=user, document=document, warehouse=warehouse, date=DAY, lines=adjustment_lines((products[0], 1, "1"))
        )
    assert document.lines.get().quantity == 10


def test_editing_a_draft_replaces_its_lines_and_records_the_change(warehouse, user, products):
    document = make(AdjustmentKind.OPENING, warehouse, user, (products[0], 10, "1"))
    other = WarehouseFactory(name="Second")

    stock_adjustment_update(
        actor=user,
        document=document,
        warehouse=other,
        date=DAY,
        lines=adjustment_lines((products[1], 3, "2"), (products[0], 1, "1")),
    )

    assert list(document.lines.order_by("line_no").values_list("product__code", "quantity")) == [
        ("B002", Decimal(3)),
        ("A001", Decimal(1)),
    ]
    change = AuditLog.objects.get(object_id=str(document.pk), action="changed")
    assert change.changes["warehouse"] == ["Main", "Second"]


def test_reversal_restores_stock_and_is_recorded(warehouse, user, products):
    document = make(AdjustmentKind.OPENING, warehouse, user, (products[0], 10, "1"))
    stock_adjustment_post(actor=user, document=document)

    stock_adjustment_reverse(actor=user, document=document)

    document.refresh_from_db()
    assert document.status == AdjustmentStatus.REVERSED
    assert document.reversal_posting.reverses == document.posting
    assert on_hand(products[0], warehouse) == 0
    assert AuditLog.objects.filter(object_id=str(document.pk), action="reversed").count() == 1


def test_reversing_a_receipt_whose_stock_has_left_is_refused(warehouse, user, products):
    document = make(AdjustmentKind.OTHER_RECEIPT, warehouse, user, (products[0], 10, "1"))
    stock_adjustment_post(actor=user, document=document)
    post_stock(products[0], warehouse, -8)

    with pytest.raises(InsufficientStock, match="available 2, requested 10"):
        stock_adjustment_reverse(actor=user, document=document)

    document.refresh_from_db()
    assert document.status == AdjustmentStatus.POSTED
    assert on_hand(products[0], warehouse) == 2
