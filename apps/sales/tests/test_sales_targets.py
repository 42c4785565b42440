"""Managers set each salesperson's monthly target; sales clerks cannot."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from apps.sales.models import SalesTarget
from apps.sales.targets import sales_targets_set, target_of

pytestmark = pytest.mark.django_db
DECEMBER = datetime.date(2026, 12, 1)


def test_a_manager_sets_replaces_and_removes_targets(make_user):
    manager, alice, bob = make_user("manager"), make_user("sales"), make_user("sales")

    sales_targets_set(
        actor=manager, month=datetime.date(2026, 12, 15), amounts={alice: Decimal(800), bob: Decimal(500)}
    )
    sales_targets_set(actor=manager, month=DECEMBER, amounts={alice: Decimal(900), bob: None})

    assert target_of(alice.pk, DECEMBER) == Decimal(900)
    assert target_of(bob.pk, DECEMBER) is None
    assert SalesTarget.objects.count() == 1


def test_a_negative_target_is_refused_and_nothing_is_written(make_user):
    manager = make_user("manager")
    alice, bob = make_user("sales", first_name="Alice"), make_user("sales", first_name="Bob")

    with pytest.raises(ValidationError) as error:
        sales_targets_set(actor=manager, month=DECEMBER, amounts={alice: Decimal(100), bob: Decimal(-1)})

    assert error.value.messages == [f"{bob.get_full_name()}: the target cannot be negative."]
    assert not SalesTarget.objects.exists()


def test_a_sales_clerk_cannot_set_targets(make_user):
    clerk = make_user("sales")

    with pytest.raises(PermissionDenied):
        sales_targets_set(actor=clerk, month=DECEMBER, amounts={clerk: Decimal(1)})
    assert not SalesTarget.objects.exists()


def test_the_targets_page_saves_the_month_of_every_salesperson(client_for, make_user):
    alice = make_user("sales", first_name="Alice")
    client = client_for("manager")
    url = reverse("sales:target_edit") + "?month=2026-12"

    page = client.get(url)
    response = client.post(url, {f"target_{alice.pk}": "1200.50"})

    assert f'name="target_{alice.pk}"'.encode() in page.content
    assert response.status_code == 302
    assert target_of(alice.pk, DECEMBER) == Decimal("1200.50")
    assert b'value="1200.50"' in client.get(url).content


@pytest.mark.parametrize(("role", "status"), [("manager", 200), ("sales", 403), ("buyer", 403), ("warehouse", 403)])
def test_only_managers_open_the_targets_page(role, status, client_for):
    assert client_for(role).get(reverse("sales:target_edit")).status_code == status
