"""A sales clerk's customer import keeps to their customers and to the customer form's credit rule (ADR 0007)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.imports import services
from apps.imports.models import BatchStatus, ImportBatch
from apps.imports.tests import corpus
from apps.masterdata.models import Customer
from apps.masterdata.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

HEADER = ["code", "name", "credit limit", "salesperson"]
REFUSED_TERMS = "Only a manager may change the credit limit or the salesperson."


@pytest.fixture
def clerk(make_user):
    return make_user("sales", username="clerk", sees_all_customers=False)


@pytest.fixture
def colleague(make_user):
    return make_user("sales", username="colleague", sees_all_customers=False)


def check(user, rows) -> ImportBatch:
    upload = SimpleUploadedFile("customers.xlsx", corpus.xlsx([HEADER, *rows]))
    batch = services.batch_create(user=user, kind="customers", upload=upload)
    batch.refresh_from_db()
    return batch


def errors_of(batch) -> list[tuple]:
    return [(e["row"], e["column"], e["value"], e["message"]) for e in batch.errors]


def test_a_clerk_updates_their_own_customer_and_creates_one_on_their_terms(clerk):
    CustomerFactory(code="MINE", name="Old name", salesperson=clerk, credit_limit=Decimal(300))

    batch = check(clerk, [["MINE", "New name", "300", "clerk"], ["NEW", "Newcomer", "", ""]])
    services.batch_confirm(user=clerk, batch=batch)

    mine, new = Customer.objects.get(code="MINE"), Customer.objects.get(code="NEW")
    assert errors_of(batch) == []
    assert (mine.name, mine.credit_limit, mine.salesperson) == ("New name", Decimal(300), clerk)
    assert (new.credit_limit, new.salesperson) == (Decimal(0), clerk)


def test_a_clerk_cannot_touch_a_customer_outside_their_scope(clerk, colleague):
    CustomerFactory(code="THEIRS", name="Colleague's", salesperson=colleague)

    batch = check(clerk, [["THEIRS", "Taken over", "", ""]])

    assert batch.status == BatchStatus.CHECKED
    assert errors_of(batch) == [
        (2, "Code", "THEIRS", "Customer THEIRS is not one of your customers: you cannot change it.")
    ]
    assert (batch.summary["new"], batch.summary["changed"]) == (0, 0)
    assert Customer.objects.get(code="THEIRS").name == "Colleague's"


def test_a_clerk_cannot_raise_a_credit_limit_or_reassign_a_customer(clerk, colleague):
    CustomerFactory(code="MINE", salesperson=clerk, credit_limit=Decimal(300))

    batch = check(
        clerk,
        [["MINE", "Mine", "9000", "clerk"], ["NEW", "Newcomer", "5000", "colleague"]],
    )

    assert errors_of(batch) == [
        (2, "Credit limit", "9000", REFUSED_TERMS),
        (3, "Credit limit", "5000", REFUSED_TERMS),
        (3, "Salesperson", "colleague", REFUSED_TERMS),
    ]
    with pytest.raises(ValidationError, match="without errors"):
        services.batch_confirm(user=clerk, batch=batch)
    assert Customer.objects.get(code="MINE").credit_limit == Decimal(300)
    assert not Customer.objects.filter(code="NEW").exists()


def test_a_manager_sets_credit_terms_of_any_customer(make_user, clerk, colleague):
    manager = make_user("manager")
    CustomerFactory(code="THEIRS", salesperson=colleague)

    batch = check(manager, [["THEIRS", "Theirs", "9000", "clerk"]])
    services.batch_confirm(user=manager, batch=batch)

    customer = Customer.objects.get(code="THEIRS")
    assert errors_of(batch) == []
    assert (customer.credit_limit, customer.salesperson) == (Decimal(9000), clerk)
