"""Text that breaks pages and exports, numbers that are not numbers, dates nobody means."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from apps.core.forms import CleanForm
from apps.core.hygiene import clean_text, to_decimal
from apps.inventory.models import StockAdjustment
from apps.masterdata.models import Customer
from apps.masterdata.tests.factories import ProductFactory, WarehouseFactory

CUSTOMER = {"code": "K1", "payment_terms_days": 30, "price_level": "wholesale", "discount_percent": 0}


@pytest.mark.parametrize(
    ("value", "multiline", "expected"),
    [
        ("ACME\x07 Trading", False, "ACME  Trading"),
        ("ACME\x07 Trading", True, "ACME Trading"),
        ("Tab\there\r\nand\x1b[31mred\x00", True, "Tab\there\nand[31mred"),
        ("one\ntwo\tthree", False, "one two three"),
        ("DEL\x7f", True, "DEL"),
        ("中文名称", False, "中文名称"),
    ],
)
def test_clean_text(value, multiline, expected):
    assert clean_text(value, multiline=multiline) == expected


@pytest.mark.django_db
def test_a_customer_name_with_control_characters_is_stored_clean_and_the_export_works(client_for):
    client = client_for("manager")

    response = client.post(
        reverse("masterdata:customer_create"),
        {**CUSTOMER, "name": "  ACME\x07 Trading\x1b  ", "notes": "first line\r\nsecond\x00 line"},
    )
    export = client.get(reverse("masterdata:customer_export"))

    customer = Customer.objects.get()
    assert response.status_code == 302
    assert (customer.name, customer.notes) == ("ACME Trading", "first line\nsecond line")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    assert export.status_code == 200
    assert next(sheet.iter_rows(min_row=2, values_only=True))[1] == "ACME Trading"


@pytest.mark.django_db
def test_a_single_line_name_loses_its_line_breaks(client_for):
    client_for("manager").post(reverse("masterdata:customer_create"), {**CUSTOMER, "name": "ACME\r\nTrading"})

    assert Customer.objects.get().name == "ACME Trading"


@pytest.mark.django_db
def test_lookups_ignore_control_characters_in_the_query(client_for):
    ProductFactory(code="A001")

    response = client_for("sales").get(reverse("masterdata:product_lookup"), {"q": "A001\x00\x1b"})

    assert response.status_code == 200
    assert [row["code"] for row in response.json()["results"]] == ["A001"]


@pytest.mark.parametrize("value", ["NaN", "nan", "Infinity", "-inf", "sNaN", "abc", "", None])
def test_to_decimal_refuses_what_is_not_a_finite_number(value):
    with pytest.raises(ValidationError):
        to_decimal(value, places=4)


def test_to_decimal_refuses_huge_values_and_rounds_the_rest():
    with pytest.raises(ValidationError, match="too large"):
        to_decimal("1e15", places=4)

    assert to_decimal(" 1,234.56789 ", places=4) == Decimal("1234.5679")


class _DatedForm(CleanForm):
    date = forms.DateField()
    name = forms.CharField()


@pytest.mark.parametrize(
    ("date", "valid"),
    [("9999-12-31", False), ("1999-12-31", False), ("2000-01-01", True), ("today", True), ("+400", False)],
)
def test_clean_forms_keep_dates_in_a_sensible_range(date, valid):
    today = timezone.localdate()
    value = {"today": today, "+400": today + datetime.timedelta(days=400)}.get(date, date)
    form = _DatedForm({"date": str(value), "name": "x"})

    assert form.is_valid() is valid
    if not valid:
        assert form.errors["date"][0].startswith("Enter a date between 2000-01-01 and ")


def _sheet(*rows) -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    workbook.active.append(["Item code", "Quantity", "Unit cost", "Remarks"])
    for row in rows:
        workbook.active.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("opening.xlsx", buffer.getvalue())


@pytest.mark.django_db
def test_opening_stock_refuses_nan_and_huge_quantities_by_row_instead_of_failing(client_for):
    warehouse = WarehouseFactory()
    ProductFactory(code="A001")
    file = _sheet(("A001", "NaN", 1), ("A001", "1e15", 1), ("A001", 2, "inf"))

    response = client_for("warehouse").post(
        reverse("inventory:adjustment_import"), {"warehouse": warehouse.pk, "date": "2026-11-01", "file": file}
    )

    assert response.status_code == 400  # the page again, with the errors
    errors = response.context["form"].errors["file"]
    assert [error.split(":")[0] for error in errors] == ["Row 2", "Row 3", "Row 4"]
    assert "too large" in errors[1]
    assert not StockAdjustment.objects.exists()


@pytest.mark.django_db
def test_opening_stock_refuses_a_document_date_nobody_means(client_for):
    warehouse = WarehouseFactory()
    ProductFactory(code="A001")

    response = client_for("warehouse").post(
        reverse("inventory:adjustment_import"),
        {"warehouse": warehouse.pk, "date": "9999-12-31", "file": _sheet(("A001", 2, 1))},
    )

    assert response.status_code == 400
    assert response.context["form"].errors["date"][0].startswith("Enter a date between 2000-01-01")
    assert not StockAdjustment.objects.exists()
