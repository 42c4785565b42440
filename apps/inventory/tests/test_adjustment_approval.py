"""Stock adjustments above the approval threshold: approved by a manager, never by whoever entered them."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.accounts.tests.factories import UserFactory
from apps.core.models import SystemSettings
from apps.core.tests.resend import post_concurrently, with_token
from apps.inventory.models import AdjustmentKind, AdjustmentStatus, StockAdjustment, StockBalance, StockMovement
from apps.inventory.services import (
    stock_adjustment_approve,
    stock_adjustment_create,
    stock_adjustment_post,
    stock_adjustment_reverse,
    stock_adjustment_transition,
)
from apps.inventory.tests.factories import adjustment_lines
from apps.masterdata.tests.factories import ProductFactory, WarehouseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def threshold():
    settings_row = SystemSettings.load()
    settings_row.adjustment_approval_threshold = Decimal("1000.00")
    settings_row.save()
    return settings_row.adjustment_approval_threshold


def _document(clerk, quantity="100", cost="20"):  # worth 2,000 by default
    product = ProductFactory(code="A001")
    return stock_adjustment_create(
        actor=clerk,
        kind=AdjustmentKind.OTHER_RECEIPT,
        warehouse=WarehouseFactory(name="Main"),
        date=datetime.date(2026, 11, 20),
        lines=adjustment_lines((product, quantity, cost)),
    )


def test_below_the_threshold_the_clerk_posts_directly(threshold):
    clerk = UserFactory(role="warehouse")
    document = _document(clerk, quantity="10", cost="20")  # 200

    posted = stock_adjustment_post(actor=clerk, document=document)

    assert posted.status == AdjustmentStatus.POSTED


def test_above_the_threshold_the_clerk_cannot_post_and_nothing_moves(threshold):
    clerk = UserFactory(role="warehouse")
    document = _document(clerk)

    with pytest.raises(ValidationError) as error:
        stock_adjustment_post(actor=clerk, document=document)

    assert error.value.code == "needs_approval"
    assert error.value.messages == [
        f"{document.number} is worth 2000.00, more than 1000.00: submit it for approval; "
        "someone else approves and posts it."
    ]
    assert not StockMovement.objects.exists()
    assert StockAdjustment.objects.get().status == AdjustmentStatus.DRAFT


def test_a_manager_cannot_approve_their_own_adjustment(threshold):
    manager = UserFactory(role="manager")
    document = _document(manager)
    stock_adjustment_transition(actor=manager, document=document, action="submit")

    with pytest.raises(ValidationError) as error:
        stock_adjustment_approve(actor=manager, document=document)

    assert error.value.code == "own_document"
    assert not StockMovement.objects.exists()


def test_a_clerk_submits_and_another_manager_approves_and_posts(threshold):
    clerk, manager = UserFactory(role="warehouse"), UserFactory(role="manager")
    document = _document(clerk)

    stock_adjustment_transition(actor=clerk, document=document, action="submit")
    with pytest.raises(Exception, match="permission"):
        stock_adjustment_approve(actor=clerk, document=document)
    approved = stock_adjustment_approve(actor=manager, document=document)

    assert approved.status == AdjustmentStatus.POSTED
    assert approved.posted_by == manager
    assert StockBalance.objects.get().on_hand == Decimal(100)
    assert approved.lines.get().movement_id == StockMovement.objects.get().pk


def test_only_an_approver_reverses_an_adjustment_above_the_threshold(threshold):
    clerk, manager = UserFactory(role="warehouse"), UserFactory(role="manager")
    document = _document(clerk)
    stock_adjustment_transition(actor=clerk, document=document, action="submit")
    stock_adjustment_approve(actor=manager, document=document)

    with pytest.raises(Exception, match="permission"):
        stock_adjustment_reverse(actor=clerk, document=document)
    reversed_ = stock_adjustment_reverse(actor=manager, document=document)

    assert reversed_.status == AdjustmentStatus.REVERSED
    assert StockBalance.objects.get().on_hand == 0


def test_the_detail_page_offers_each_user_only_what_they_may_do(client_for, threshold):
    clerk_client = client_for("warehouse")
    document = _document(clerk_client.user)

    page = clerk_client.get(document.get_absolute_url()).content.decode()
    assert 'data-action="submit"' in page
    assert 'data-action="post"' not in page

    stock_adjustment_transition(actor=clerk_client.user, document=document, action="submit")
    page = clerk_client.get(document.get_absolute_url()).content.decode()
    assert 'data-action="approve"' not in page
    assert 'data-action="withdraw"' in page


def test_a_manager_does_not_see_approve_on_their_own_document(client_for, threshold):
    manager_client = client_for("manager")
    document = _document(manager_client.user)
    stock_adjustment_transition(actor=manager_client.user, document=document, action="submit")

    page = manager_client.get(document.get_absolute_url()).content.decode()

    assert 'data-action="approve"' not in page
    assert 'data-action="reject"' not in page


def test_the_approve_command_posts_for_another_manager(client_for, threshold):
    clerk = UserFactory(role="warehouse")
    document = _document(clerk)
    stock_adjustment_transition(actor=clerk, document=document, action="submit")
    manager_client = client_for("manager")

    response = manager_client.post(reverse("inventory:adjustment_approve", args=[document.pk]))

    assert response.status_code == 302
    assert StockAdjustment.objects.get().status == AdjustmentStatus.POSTED


def test_a_command_refused_by_the_service_is_a_message_not_an_error_page(client_for, threshold):
    manager_client = client_for("manager")
    document = _document(manager_client.user)
    stock_adjustment_transition(actor=manager_client.user, document=document, action="submit")

    response = manager_client.post(reverse("inventory:adjustment_approve", args=[document.pk]), follow=True)

    assert response.status_code == 200
    assert "is your own document" in response.content.decode()
    assert StockAdjustment.objects.get().status == AdjustmentStatus.PENDING


def test_a_document_of_another_warehouse_is_not_found_for_a_scoped_clerk(client_for, threshold):
    clerk_client = client_for("warehouse", sees_all_warehouses=False)
    own = WarehouseFactory(name="Own")
    own.assigned_users.add(clerk_client.user)
    document = _document(UserFactory(role="warehouse"), quantity="1", cost="1")

    assert clerk_client.get(document.get_absolute_url()).status_code == 404
    assert clerk_client.post(reverse("inventory:adjustment_post", args=[document.pk])).status_code == 404
    assert StockAdjustment.objects.get().status == AdjustmentStatus.DRAFT


# --- a re-sent "save and post" form ----------------------------------------------------------


def _form(warehouse, product):
    return with_token(
        {
            "kind": AdjustmentKind.OTHER_RECEIPT,
            "warehouse": warehouse.pk,
            "date": "2026-11-20",
            "reason": "",
            "remarks": "",
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "0",
            "lines-MIN_NUM_FORMS": "0",
            "lines-MAX_NUM_FORMS": "1000",
            "lines-0-product": product.pk,
            "lines-0-quantity": "3",
            "lines-0-unit_cost": "2",
            "post": "1",
        }
    )


def test_sending_the_same_save_and_post_form_twice_creates_one_document(client_for):
    client = client_for("warehouse")
    data = _form(WarehouseFactory(), ProductFactory())

    first = client.post(reverse("inventory:adjustment_create"), data)
    second = client.post(reverse("inventory:adjustment_create"), data, follow=True)

    document = StockAdjustment.objects.get()
    assert first.url == second.redirect_chain[0][0] == document.get_absolute_url()
    assert "was already saved from this form; nothing was changed" in second.content.decode()
    assert StockBalance.objects.get().on_hand == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_sending_the_same_save_and_post_form_at_once_creates_one_document():
    from apps.accounts.roles import sync_role_permissions

    sync_role_permissions()
    clerk = UserFactory(role="warehouse")
    data = _form(WarehouseFactory(), ProductFactory())

    codes = post_concurrently(clerk, reverse("inventory:adjustment_create"), data)

    assert codes == [302, 302]
    assert StockAdjustment.objects.count() == 1
    assert StockBalance.objects.get().on_hand == 3


# --- the posting path costs the same whatever the number of lines ------------------------------


def test_posting_an_adjustment_costs_the_same_queries_for_10_and_100_lines():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    clerk = UserFactory(role="warehouse")
    clerk.get_all_permissions()
    SystemSettings.load()
    warehouse = WarehouseFactory()
    counts = []
    for line_count in (10, 100):
        products = ProductFactory.create_batch(line_count)
        document = stock_adjustment_create(
            actor=clerk,
            kind=AdjustmentKind.OTHER_RECEIPT,
            warehouse=warehouse,
            date=datetime.date(2026, 11, 20),
            lines=adjustment_lines(*((product, "1", "1") for product in products)),
        )
        with CaptureQueriesContext(connection) as queries:
            stock_adjustment_post(actor=clerk, document=document)
        counts.append(len(queries))

    # On SQLite too: the ledger's rows travel as one JSON parameter, not in 999-parameter chunks.
    assert counts[1] == counts[0]
    assert counts[0] <= 20
