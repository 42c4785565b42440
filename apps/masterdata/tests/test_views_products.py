import json
from decimal import Decimal

import pytest
from django.urls import reverse

from apps.masterdata.models import Product, ProductBarcode, ProductUnit
from apps.masterdata.tests.factories import (
    CategoryFactory,
    ProductBarcodeFactory,
    ProductFactory,
    ProductUnitFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db


def formset(prefix, rows, initial=0):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{key}": value for key, value in row.items()})
    return data


@pytest.fixture
def setup():
    return {
        "category": CategoryFactory(),
        "piece": UnitFactory(code="PCS", name="个"),
        "box": UnitFactory(code="BOX", name="箱"),
    }


def post_data(setup, units=(), barcodes=(), **overrides):
    data = {
        "code": "A001",
        "name": "可口可乐 330ml",
        "mnemonic": "",
        "specification": "330ml*24",
        "model_number": "",
        "category": setup["category"].pk,
        "brand": "",
        "base_unit": setup["piece"].pk,
        "purchase_price": "1.50",
        "retail_price": "3.00",
        "sale_price": "2.50",
        "min_sale_price": "2.00",
        "tax_rate": "13",
        "notes": "",
    }
    data.update(overrides)
    data.update(formset("units", list(units)))
    data.update(formset("barcodes", list(barcodes)))
    return data


def test_product_create_with_secondary_unit_and_barcodes(client_for, setup):
    client = client_for("buyer")

    response = client.post(
        reverse("masterdata:product_create"),
        post_data(
            setup,
            units=[{"unit": setup["box"].pk, "ratio": "24"}],
            barcodes=[{"barcode": "6928804011142", "unit": ""}, {"barcode": "16928804011149", "unit": setup["box"].pk}],
        ),
    )

    product = Product.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("masterdata:product_detail", args=[product.pk])
    assert product.mnemonic == "KKKL330ML"
    assert ProductUnit.objects.get().ratio == Decimal(24)
    assert ProductBarcode.objects.get(barcode="16928804011149").unit == setup["box"]
    detail = client.get(response.url)
    assert b"6928804011142" in detail.content
    assert len(detail.context["audit_trail"]) == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"purchase_price": "-1"}, "purchase_price", "Ensure this value is greater than or equal to 0."),
        ({"min_sale_price": "3"}, "min_sale_price", "The minimum selling price cannot be above the sales price."),
        ({"name": "x" * 129}, "name", "Ensure this value has at most 128 characters (it has 129)."),
        ({"code": ""}, "code", "This field is required."),
    ],
)
def test_product_form_field_errors_save_nothing(client_for, setup, overrides, field, message):
    client = client_for("buyer")

    response = client.post(reverse("masterdata:product_create"), post_data(setup, **overrides))

    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert Product.objects.count() == 0


def test_product_form_refuses_duplicate_code(client_for, setup):
    existing = ProductFactory(code="A001")
    client = client_for("buyer")

    response = client.post(reverse("masterdata:product_create"), post_data(setup, code="a001"))

    assert response.context["form"].errors["code"] == [f"Code a001 is already used by {existing}."]
    assert Product.objects.count() == 1


def test_product_form_refuses_inactive_category_and_unit(client_for, setup):
    category = CategoryFactory(is_active=False)
    unit = UnitFactory(code="KG", name="kg", is_active=False)
    client = client_for("buyer")

    response = client.post(
        reverse("masterdata:product_create"), post_data(setup, category=category.pk, base_unit=unit.pk)
    )

    errors = response.context["form"].errors
    assert errors["category"] == ["Unknown or deactivated; choose an active one."]
    assert errors["base_unit"] == ["Unknown or deactivated; choose an active one."]
    assert Product.objects.count() == 0


def test_product_formsets_give_row_level_errors_and_save_nothing(client_for, setup):
    ProductBarcodeFactory(barcode="6900000000002")
    client = client_for("buyer")

    response = client.post(
        reverse("masterdata:product_create"),
        post_data(
            setup,
            units=[
                {"unit": setup["piece"].pk, "ratio": "1"},
                {"unit": setup["box"].pk, "ratio": "0"},
                {"unit": "999999", "ratio": "5"},
            ],
            barcodes=[{"barcode": "111"}, {"barcode": "111"}, {"barcode": "6900000000002"}],
        ),
    )

    units, barcodes = response.context["unit_formset"], response.context["barcode_formset"]
    assert units.forms[0].errors["unit"] == ["个 is the base unit and needs no conversion."]
    assert units.forms[1].errors["ratio"] == ["The conversion ratio must be greater than 0."]
    assert units.forms[2].errors["unit"] == ["Unknown or deactivated; choose an active one."]
    assert barcodes.forms[1].errors["barcode"] == ["Barcode 111 is listed twice."]
    assert barcodes.forms[2].errors["barcode"][0].startswith("Barcode 6900000000002 is already used by product")
    assert Product.objects.count() == 1
    assert ProductUnit.objects.count() == 0


def test_product_update_edits_lines_and_deletes_marked_rows(client_for, setup):
    product = ProductFactory(code="A001", category=setup["category"], base_unit=setup["piece"])
    line = ProductUnitFactory(product=product, unit=setup["box"], ratio=12)
    barcode = ProductBarcodeFactory(product=product, barcode="111")
    client = client_for("warehouse")
    data = post_data(setup, name="新名字")
    data.update(formset("units", [{"id": line.pk, "unit": setup["box"].pk, "ratio": "24"}], initial=1))
    data.update(
        formset("barcodes", [{"id": barcode.pk, "barcode": "111", "DELETE": "on"}, {"barcode": "222"}], initial=1)
    )

    response = client.post(reverse("masterdata:product_update", args=[product.pk]), data)

    assert response.status_code == 302
    product.refresh_from_db()
    assert product.name == "新名字"
    assert product.units.get().ratio == Decimal(24)
    assert list(product.barcodes.values_list("barcode", flat=True)) == ["222"]


def test_product_list_opens_the_product_for_an_exact_barcode(client_for):
    product = ProductFactory()
    ProductBarcodeFactory(product=product, barcode="6901234567892")
    client = client_for("sales")

    response = client.get(reverse("masterdata:product_list"), {"q": "6901234567892"})
    # what the filter form sends: the other filters empty
    from_form = client.get(
        reverse("masterdata:product_list"), {"q": "6901234567892", "active": "", "category": "", "brand": ""}
    )

    assert response.status_code == 302
    assert response.url == reverse("masterdata:product_detail", args=[product.pk])
    assert from_form.status_code == 302
    assert from_form.url == response.url


def test_product_list_with_another_filter_set_does_not_jump_to_the_product(client_for):
    product = ProductFactory()
    ProductBarcodeFactory(product=product, barcode="6901234567892")
    client = client_for("sales")

    response = client.get(reverse("masterdata:product_list"), {"q": "6901234567892", "active": "1"})

    assert response.status_code == 200
    assert list(response.context["records"]) == [product]


def test_product_list_shows_the_filtered_list_for_a_partial_term(client_for):
    wanted = ProductFactory(code="TEA-01", name="Green tea")
    ProductFactory(code="TEA-02", name="Black tea")
    ProductFactory(code="COF-01", name="Coffee")
    client = client_for("sales")

    response = client.get(reverse("masterdata:product_list"), {"q": "tea"})
    by_category = client.get(reverse("masterdata:product_list"), {"category": wanted.category_id})

    assert response.status_code == 200
    assert [p.code for p in response.context["records"]] == ["TEA-01", "TEA-02"]
    assert [p.code for p in by_category.context["records"]] == ["TEA-01"]


def test_product_list_category_filter_includes_subcategories(client_for):
    parent = CategoryFactory()
    child_product = ProductFactory(category=CategoryFactory(parent=parent))
    ProductFactory()
    client = client_for("manager")

    response = client.get(reverse("masterdata:product_list"), {"category": parent.pk})

    assert list(response.context["records"]) == [child_product]


def test_lookup_endpoint_contract(client_for, setup):
    product = ProductFactory(
        code="A001",
        name="可口可乐",
        specification="330ml",
        base_unit=setup["piece"],
        purchase_price=Decimal("1.5"),
        retail_price=Decimal(3),
        sale_price=Decimal("2.5"),
        min_sale_price=Decimal(2),
    )
    ProductUnitFactory(product=product, unit=setup["box"], ratio=24)
    ProductBarcodeFactory(product=product, barcode="16928804011149", unit=setup["box"])
    client = client_for("sales")

    response = client.get(reverse("masterdata:product_lookup"), {"q": "16928804011149"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {
        "results": [
            {
                "id": product.pk,
                "code": "A001",
                "name": "可口可乐",
                "specification": "330ml",
                "base_unit": {"id": setup["piece"].pk, "name": "个"},
                "units": [
                    {"id": setup["piece"].pk, "name": "个", "ratio": "1"},
                    {"id": setup["box"].pk, "name": "箱", "ratio": "24.0000"},
                ],
                "purchase_price": "1.5000",
                "retail_price": "3.0000",
                "sale_price": "2.5000",
                "min_sale_price": "2.0000",
                "tax_rate": "13.00",
                "barcode_unit_id": setup["box"].pk,
                "exact": True,
            }
        ]
    }


def test_lookup_endpoint_partial_term_and_empty_term(client_for):
    ProductFactory(code="TEA-01")
    ProductFactory(code="TEA-02")
    client = client_for("warehouse")

    partial = json.loads(client.get(reverse("masterdata:product_lookup"), {"q": "tea"}).content)
    empty = json.loads(client.get(reverse("masterdata:product_lookup")).content)

    assert [(r["code"], r["exact"], r["barcode_unit_id"]) for r in partial["results"]] == [
        ("TEA-01", False, None),
        ("TEA-02", False, None),
    ]
    assert empty == {"results": []}


def test_lookup_endpoint_needs_view_product(client, client_for):
    anonymous = client.get(reverse("masterdata:product_lookup"), {"q": "x"})
    no_role = client_for(None).get(reverse("masterdata:product_lookup"), {"q": "x"})

    assert anonymous.status_code == 302
    assert no_role.status_code == 403


def test_lookup_endpoint_refuses_post(client_for):
    assert client_for("admin").post(reverse("masterdata:product_lookup")).status_code == 405
