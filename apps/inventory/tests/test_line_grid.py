"""The one line grid: products resolved in a constant number of queries, messages naming the grid row."""

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.inventory.documents.forms import LineGridForm, LineGridFormSet
from apps.masterdata.tests.factories import ProductBarcodeFactory, ProductFactory

pytestmark = pytest.mark.django_db


class QuantityRow(LineGridForm):
    quantity = forms.DecimalField(required=False)


Grid = forms.formset_factory(QuantityRow, formset=LineGridFormSet, extra=0, can_delete=True)


def _grid(rows: list[dict]) -> LineGridFormSet:
    data = {"lines-TOTAL_FORMS": str(len(rows)), "lines-INITIAL_FORMS": "0"}
    for index, row in enumerate(rows):
        data.update({f"lines-{index}-{key}": value for key, value in row.items()})
    return Grid(data, prefix="lines")


def _queries(rows: list[dict]) -> int:
    grid = _grid(rows)
    with CaptureQueriesContext(connection) as captured:
        assert grid.is_valid(), grid.errors
    return len(captured)


@pytest.mark.parametrize("count", [10, 13])
def test_resolving_rows_costs_the_same_queries_for_n_and_n_plus_3_rows(count):
    products = ProductFactory.create_batch(count)
    by_id = [{"product": str(p.pk), "quantity": "1"} for p in products[: count // 2]]
    by_code = [{"product_search": p.code.lower(), "quantity": "1"} for p in products[count // 2 :]]

    assert _queries(by_id + by_code) == 3


def test_rows_are_products_by_id_code_or_barcode_in_grid_order():
    a, b = ProductFactory(code="A001"), ProductFactory(code="B002")
    barcode = ProductBarcodeFactory(barcode="6900000000017")
    grid = _grid(
        [
            {"product": str(a.pk), "quantity": "1"},
            {"product_search": "", "quantity": ""},
            {"product_search": "b002 Anything", "quantity": "2"},
            {"product_search": "6900000000017", "quantity": "3"},
        ]
    )

    assert grid.is_valid()
    assert [form.cleaned_data["product_obj"] for form in grid.rows()] == [a, b, barcode.product]


def test_an_unknown_product_names_the_row_the_user_sees():
    ProductFactory(code="A001")
    grid = _grid(
        [
            {"product_search": "A001", "quantity": "1"},
            {"product_search": "", "quantity": ""},
            {"product_search": "NOPE", "quantity": "1"},
        ]
    )

    assert not grid.is_valid()
    assert grid.non_form_errors() == ["Row 3: no product has the code or barcode “NOPE”."]
    assert grid.forms[2].errors == {"product_search": ["No such product."]}


def test_a_row_with_a_quantity_but_no_product_is_refused_not_dropped():
    grid = _grid([{"product_search": "", "quantity": "4"}])

    assert not grid.is_valid()
    assert grid.forms[0].errors == {"product_search": ["Choose a product (enter its code or barcode)."]}


def test_a_deleted_row_is_not_resolved():
    grid = _grid([{"product_search": "NOPE", "quantity": "1", "DELETE": "on"}])

    assert grid.is_valid()
    assert grid.rows() == []
