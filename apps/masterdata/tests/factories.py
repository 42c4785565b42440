from decimal import Decimal

import factory

from apps.masterdata.models import (
    Brand,
    Category,
    Customer,
    Product,
    ProductBarcode,
    ProductUnit,
    Supplier,
    Unit,
    Warehouse,
)


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("code",)

    code = "PCS"
    name = "个"


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    code = factory.Sequence(lambda n: f"C{n:03d}")
    name = factory.Sequence(lambda n: f"Category {n}")


class BrandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Brand

    name = factory.Sequence(lambda n: f"Brand {n}")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    code = factory.Sequence(lambda n: f"P{n:05d}")
    name = factory.Sequence(lambda n: f"Product {n}")
    category = factory.SubFactory(CategoryFactory)
    base_unit = factory.SubFactory(UnitFactory)
    purchase_price = Decimal("10.00")
    retail_price = Decimal("18.00")
    sale_price = Decimal("15.00")
    min_sale_price = Decimal("12.00")


class ProductUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductUnit

    product = factory.SubFactory(ProductFactory)
    unit = factory.SubFactory(UnitFactory, code="BOX", name="箱")
    ratio = Decimal(12)


class ProductBarcodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductBarcode

    product = factory.SubFactory(ProductFactory)
    barcode = factory.Sequence(lambda n: f"69{n:011d}")


class WarehouseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Warehouse

    code = factory.Sequence(lambda n: f"WH{n:02d}")
    name = factory.Sequence(lambda n: f"Warehouse {n}")


class SupplierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Supplier

    code = factory.Sequence(lambda n: f"S{n:04d}")
    name = factory.Sequence(lambda n: f"Supplier {n}")


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    code = factory.Sequence(lambda n: f"K{n:04d}")
    name = factory.Sequence(lambda n: f"Customer {n}")
