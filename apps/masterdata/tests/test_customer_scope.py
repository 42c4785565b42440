"""A sales clerk limited to their customers sees only those in master data; credit terms are a manager's."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from apps.core.models import AuditLog
from apps.masterdata.models import Customer
from apps.masterdata.tests.factories import CustomerFactory, WarehouseFactory

pytestmark = pytest.mark.django_db

FORM = {"payment_terms_days": 30, "price_level": "wholesale", "discount_percent": 0}


@pytest.fixture
def clerk_client(client_for):
    return client_for("sales", sees_all_customers=False)


@pytest.fixture
def customers(clerk_client, make_user):
    mine = CustomerFactory(code="MINE", name="Mine", salesperson=clerk_client.user, credit_limit=Decimal(1000))
    theirs = CustomerFactory(code="THEIRS", name="Theirs", salesperson=make_user("sales"), bank_account="6222-1")
    return mine, theirs


def test_the_customer_list_shows_a_clerk_only_their_customers(clerk_client, customers):
    response = clerk_client.get(reverse("masterdata:customer_list"))

    assert [record.code for record in response.context["records"]] == ["MINE"]
    assert "THEIRS" not in response.content.decode()


def test_the_customer_export_holds_only_the_clerks_customers(clerk_client, customers):
    response = clerk_client.get(reverse("masterdata:customer_export"))

    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    codes = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert codes == ["MINE"]


@pytest.mark.parametrize("action", ["detail", "update"])
def test_another_clerks_customer_is_not_found(clerk_client, customers, action):
    _mine, theirs = customers

    response = clerk_client.get(reverse(f"masterdata:customer_{action}", args=[theirs.pk]))

    assert response.status_code == 404


@pytest.mark.parametrize("action", ["deactivate", "activate", "delete"])
def test_another_clerks_customer_cannot_be_commanded(clerk_client, customers, action):
    _mine, theirs = customers

    response = clerk_client.post(reverse(f"masterdata:customer_{action}", args=[theirs.pk]))

    assert response.status_code == 404
    assert Customer.objects.filter(pk=theirs.pk, is_active=True).exists()


def test_a_manager_sees_every_customer(client_for, customers):
    response = client_for("manager").get(reverse("masterdata:customer_list"))

    assert [record.code for record in response.context["records"]] == ["MINE", "THEIRS"]


def test_a_keeper_sees_only_their_warehouses_in_master_data(client_for):
    client = client_for("warehouse", sees_all_warehouses=False)
    mine, other = WarehouseFactory(code="MINE"), WarehouseFactory(code="OTHER")
    mine.assigned_users.add(client.user)

    listed = client.get(reverse("masterdata:warehouse_list")).context["records"]

    assert [record.code for record in listed] == ["MINE"]
    assert client.get(reverse("masterdata:warehouse_detail", args=[other.pk])).status_code == 404


def test_a_clerk_cannot_raise_their_customers_credit_limit(clerk_client, customers):
    mine, _theirs = customers
    data = {"code": "MINE", "name": "Mine", **FORM, "credit_limit": "9999999", "salesperson": clerk_client.user.pk}

    response = clerk_client.post(reverse("masterdata:customer_update", args=[mine.pk]), data)

    mine.refresh_from_db()
    assert response.status_code == 302  # the field is read-only: the posted value is ignored
    assert mine.credit_limit == Decimal(1000)


def test_the_service_refuses_a_clerks_credit_change_and_writes_nothing(clerk_client, customers, make_user):
    from django.core.exceptions import ValidationError

    from apps.masterdata.services import customer_update

    mine, _theirs = customers
    other_clerk = make_user("sales")

    with pytest.raises(ValidationError) as error:
        customer_update(
            actor=clerk_client.user,
            customer=mine,
            data={"code": "MINE", "name": "Mine", **FORM, "credit_limit": Decimal(9999999), "salesperson": other_clerk},
        )

    assert set(error.value.message_dict) == {"credit_limit", "salesperson"}
    mine.refresh_from_db()
    assert (mine.credit_limit, mine.salesperson) == (Decimal(1000), clerk_client.user)
    assert not AuditLog.objects.filter(object_id=str(mine.pk)).exists()


def test_a_clerks_new_customer_is_theirs_with_no_credit_until_a_manager_sets_it(clerk_client):
    data = {"code": "NEW", "name": "New", **FORM, "credit_limit": "5000"}

    response = clerk_client.post(reverse("masterdata:customer_create"), data)

    customer = Customer.objects.get(code="NEW")
    assert response.status_code == 302
    assert (customer.credit_limit, customer.salesperson) == (Decimal(0), clerk_client.user)


def test_a_manager_changes_credit_terms_and_the_change_is_audited(client_for, customers, make_user):
    mine, _theirs = customers
    client = client_for("manager")
    new_clerk = make_user("sales")
    data = {"code": "MINE", "name": "Mine", **FORM, "credit_limit": "2500", "salesperson": new_clerk.pk}

    response = client.post(reverse("masterdata:customer_update", args=[mine.pk]), data)

    mine.refresh_from_db()
    assert response.status_code == 302
    assert (mine.credit_limit, mine.salesperson) == (Decimal(2500), new_clerk)
    changes = AuditLog.objects.get(object_id=str(mine.pk), action="changed").changes
    assert changes["credit_limit"] == ["1000.00", "2500"]
    assert changes["salesperson"][1] == str(new_clerk)
