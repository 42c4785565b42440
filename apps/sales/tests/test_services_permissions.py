"""Every sales service checks the actor's permission itself and refuses with PermissionDenied."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from apps.masterdata.tests.factories import CustomerFactory, ProductFactory, WarehouseFactory
from apps.sales import services
from apps.sales.models import CustomerFollowUp, CustomerReceipt, SalesOrder, SalesOrderStatus
from apps.sales.tests.factories import make_order

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 11, 26)


def test_a_user_without_the_permission_creates_no_order(make_user):
    keeper = make_user("warehouse")  # may view orders, not create them

    with pytest.raises(PermissionDenied, match=r"You do not have permission to do this\."):
        services.sales_order_create(
            customer=CustomerFactory(),
            warehouse=WarehouseFactory(),
            order_date=DAY,
            lines=[services.OrderLineInput(product=ProductFactory(), quantity=Decimal(1))],
            actor=keeper,
        )

    assert not SalesOrder.objects.exists()


@pytest.mark.parametrize("command", ["sales_order_submit", "sales_order_cancel"])
def test_a_user_without_the_permission_cannot_move_an_order(make_user, command):
    order = make_order()

    with pytest.raises(PermissionDenied):
        getattr(services, command)(order=order, actor=make_user("warehouse"))

    order.refresh_from_db()
    assert order.status == SalesOrderStatus.DRAFT


def test_receipts_and_follow_ups_need_their_permissions(make_user):
    customer, buyer = CustomerFactory(), make_user("buyer")

    with pytest.raises(PermissionDenied):
        services.customer_receipt_create(customer=customer, receipt_date=DAY, amount=Decimal(5), actor=buyer)
    with pytest.raises(PermissionDenied):
        services.customer_follow_up_create(customer=customer, date=DAY, channel="phone", note="x", actor=buyer)
    with pytest.raises(PermissionDenied):
        services.customer_receipt_create(customer=customer, receipt_date=DAY, amount=Decimal(5), actor=None)

    assert not CustomerReceipt.objects.exists()
    assert not CustomerFollowUp.objects.exists()
