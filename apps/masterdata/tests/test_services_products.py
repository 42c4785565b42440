from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from apps.core.models import AuditAction, AuditLog
from apps.masterdata import services
from apps.masterdata.models import Product, ProductBarcode, ProductUnit
from apps.masterdata.services import BarcodeLine, UnitLine
from apps.masterdata.tests.factories import (
    BrandFactory,
    CategoryFactory,
    ProductBarcodeFactory,
    ProductFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def piece():
    return UnitFactory(code="PCS", name="个")


@pytest.fixture
def box():
    return UnitFactory(code="BOX", name="箱")


def product_data(**overrides):
    data = {
        "code": "A001",
        "name": "农夫山泉 550ml",
        "mnemonic": "",
        "specification": "550ml*24",
        "model_number": "",
        "category": CategoryFactory(),
        "brand": None,
        "base_unit": UnitFactory(code="PCS", name="个"),
        "purchase_price": Decimal("1.20"),
        "retail_price": Decimal("2.00"),
        "sale_price": Decimal("1.80"),
        "min_sale_price": Decimal("1.50"),
        "tax_rate": Decimal("13.00"),
        "notes": "",
    }
    data.update(overrides)
    return data


def test_mnemonic_is_pinyin_initials_with_other_letters_kept():
    assert services.mnemonic_for("农夫山泉 550ml") == "NFSQ550ML"
    assert services.mnemonic_for("可口可乐") == "KKKL"


def test_product_create_saves_units_barcodes_mnemonic_and_audit(make_user, box):
    user = make_user("buyer")

    product = services.product_create(
        actor=user,
        data=product_data(),
        units=[UnitLine(unit=box, ratio=Decimal(24))],
        barcodes=[BarcodeLine(barcode="6921168509256"), BarcodeLine(barcode="16921168509253", unit=box)],
    )

    product.refresh_from_db()
    assert product.mnemonic == "NFSQ550ML"
    assert list(product.units.values_list("unit__code", "ratio")) == [("BOX", Decimal("24.0000"))]
    assert sorted(product.barcodes.values_list("barcode", "unit_id")) == [
        ("16921168509253", box.pk),
        ("6921168509256", None),
    ]
    entry = AuditLog.objects.get(object_id=str(product.pk), action=AuditAction.CREATED)
    assert entry.actor == user
    assert entry.changes["units"] == [None, "箱=24"]


def test_product_create_keeps_a_given_mnemonic_in_upper_case(make_user):
    product = services.product_create(actor=make_user(), data=product_data(mnemonic="nfsq"))

    assert product.mnemonic == "NFSQ"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"purchase_price": Decimal("-1")}, "purchase_price", "greater than or equal to 0"),
        ({"min_sale_price": Decimal("2.00")}, "min_sale_price", "cannot be above the sales price"),
        ({"name": "x" * 129}, "name", "at most 128 characters"),
        ({"code": "A 001"}, "code", "Use letters, digits"),
    ],
)
def test_product_create_refuses_bad_fields_and_saves_nothing(make_user, overrides, field, message):
    with pytest.raises(ValidationError) as error:
        services.product_create(actor=make_user(), data=product_data(**overrides))

    assert message in " ".join(error.value.message_dict[field])
    assert Product.objects.count() == 0
    assert AuditLog.objects.count() == 0


def test_product_create_refuses_a_code_that_differs_only_in_case(make_user):
    existing = ProductFactory(code="A001")

    with pytest.raises(ValidationError) as error:
        services.product_create(actor=make_user(), data=product_data(code="a001"))

    assert error.value.message_dict["code"] == [f"Code a001 is already used by {existing}."]
    assert Product.objects.count() == 1


def test_product_create_refuses_inactive_category_and_unit(make_user):
    category = CategoryFactory(is_active=False)
    unit = UnitFactory(code="KG", name="kg", is_active=False)

    with pytest.raises(ValidationError) as error:
        services.product_create(actor=make_user(), data=product_data(category=category, base_unit=unit))

    assert error.value.message_dict["category"] == [f"Category {category} is deactivated; choose an active one."]
    assert error.value.message_dict["base_unit"] == ["Unit kg is deactivated; choose an active one."]
    assert Product.objects.count() == 0


def test_product_create_refuses_bad_unit_lines_and_saves_nothing(make_user, piece, box):
    inactive = UnitFactory(code="BAG", name="袋", is_active=False)

    with pytest.raises(ValidationError) as error:
        services.product_create(
            actor=make_user(),
            data=product_data(),
            units=[
                UnitLine(unit=piece, ratio=Decimal(1)),
                UnitLine(unit=box, ratio=Decimal(0)),
                UnitLine(unit=box, ratio=Decimal(12)),
                UnitLine(unit=inactive, ratio=Decimal(5)),
            ],
        )

    assert error.value.message_dict["units"] == [
        "Secondary unit row 1: 个 is the base unit and needs no conversion.",
        "Secondary unit row 2: the conversion ratio must be greater than 0.",
        "Secondary unit row 3: 箱 is listed twice.",
        "Secondary unit row 4: unknown or deactivated unit.",
    ]
    assert Product.objects.count() == 0
    assert ProductUnit.objects.count() == 0


def test_product_create_refuses_duplicate_barcodes_within_and_across_products(make_user):
    other = ProductBarcodeFactory(barcode="6901234567892").product

    with pytest.raises(ValidationError) as error:
        services.product_create(
            actor=make_user(),
            data=product_data(),
            barcodes=[
                BarcodeLine(barcode="6920000000019"),
                BarcodeLine(barcode="6920000000019"),
                BarcodeLine(barcode="6901234567892"),
            ],
        )

    assert error.value.message_dict["barcodes"] == [
        "Barcode row 2: 6920000000019 is listed twice.",
        f"Barcode 6901234567892 is already used by product {other}.",
    ]
    assert Product.objects.count() == 1
    assert ProductBarcode.objects.count() == 1


def test_product_update_replaces_lines_and_records_what_changed(make_user, box):
    user = make_user()
    product = services.product_create(
        actor=user,
        data=product_data(),
        units=[UnitLine(unit=box, ratio=Decimal(12))],
        barcodes=[BarcodeLine(barcode="111"), BarcodeLine(barcode="222")],
    )

    services.product_update(
        actor=user,
        product=product,
        data=product_data(category=product.category, sale_price=Decimal("1.90")),
        units=[UnitLine(unit=box, ratio=Decimal(24))],
        barcodes=[BarcodeLine(barcode="222"), BarcodeLine(barcode="333", unit=box)],
    )

    assert sorted(product.barcodes.values_list("barcode", flat=True)) == ["222", "333"]
    assert product.units.get().ratio == Decimal(24)
    entry = AuditLog.objects.filter(object_id=str(product.pk), action=AuditAction.CHANGED).get()
    assert entry.changes == {
        "sale_price": ["1.8000", "1.90"],
        "units": ["箱=12", "箱=24"],
        "barcodes": ["111, 222", "222, 333"],
    }


def test_product_update_with_bad_barcode_changes_nothing(make_user):
    user = make_user()
    product = services.product_create(actor=user, data=product_data(), barcodes=[BarcodeLine(barcode="111")])
    ProductBarcodeFactory(barcode="999")

    with pytest.raises(ValidationError):
        services.product_update(
            actor=user,
            product=product,
            data=product_data(name="changed"),
            barcodes=[BarcodeLine(barcode="999")],
        )

    product.refresh_from_db()
    assert product.name == "农夫山泉 550ml"
    assert list(product.barcodes.values_list("barcode", flat=True)) == ["111"]


def test_product_barcode_unit_must_belong_to_the_product(make_user, box):
    with pytest.raises(ValidationError) as error:
        services.product_create(actor=make_user(), data=product_data(), barcodes=[BarcodeLine("111", unit=box)])

    assert error.value.message_dict["barcodes"] == [
        "Barcode row 1: unit 箱 is neither the base unit nor a secondary unit of this product."
    ]


def test_product_create_accepts_an_active_brand_only(make_user):
    brand = BrandFactory(is_active=False)

    with pytest.raises(ValidationError) as error:
        services.product_create(actor=make_user(), data=product_data(brand=brand))

    assert error.value.message_dict["brand"] == [f"Brand {brand} is deactivated; choose an active one."]
