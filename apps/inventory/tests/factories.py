"""Stock in tests comes from the posting service, never from inserted balances."""

from decimal import Decimal

from apps.accounts.tests.factories import UserFactory
from apps.inventory.models import MovementType, StockPosting
from apps.inventory.services import StockLine, stock_post


def post_stock(
    product,
    warehouse,
    quantity,
    unit_cost="10",
    movement_type=MovementType.OPENING,
    actor=None,
    document_number="TEST",
    posted_at=None,
) -> StockPosting:
    """Post one line (receipt at ``unit_cost`` when positive, issue at average cost when negative)."""
    quantity = Decimal(str(quantity))
    return stock_post(
        document_type="test",
        document_number=document_number,
        lines=[
            StockLine(
                product_id=product.pk,
                warehouse_id=warehouse.pk,
                quantity=quantity,
                movement_type=movement_type
                if quantity > 0 or movement_type != MovementType.OPENING
                else MovementType.OTHER_ISSUE,
                unit_cost=Decimal(str(unit_cost)) if quantity > 0 else None,
            )
        ],
        actor=actor or UserFactory(),
        posted_at=posted_at,
    )


def adjustment_lines(*rows) -> list:
    """``adjustment_lines((product, qty, cost), ...)`` -> service line inputs."""
    from apps.inventory.services import AdjustmentLineInput

    return [
        AdjustmentLineInput(
            product_id=product.pk,
            quantity=Decimal(str(quantity)),
            unit_cost=None if cost is None else Decimal(str(cost)),
        )
        for product, quantity, cost in rows
    ]
