"""Decimal fields with the project-wide precision for quantities, prices and money.

Quantities are in the product's base unit. Money is stored to the cent; unit costs keep more
places so that moving-average cost does not drift.
"""

from decimal import Decimal

from django.db import models

QUANTITY_PLACES = 4
MONEY_PLACES = 2
PRICE_PLACES = 4
COST_PLACES = 6
RATE_PLACES = 2

QUANTITY_QUANT = Decimal(1).scaleb(-QUANTITY_PLACES)
MONEY_QUANT = Decimal(1).scaleb(-MONEY_PLACES)
PRICE_QUANT = Decimal(1).scaleb(-PRICE_PLACES)
COST_QUANT = Decimal(1).scaleb(-COST_PLACES)
ZERO = Decimal(0)


class _FixedDecimalField(models.DecimalField):
    places = 2
    digits = 18

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", self.digits)
        kwargs.setdefault("decimal_places", self.places)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("max_digits") == self.digits:
            del kwargs["max_digits"]
        if kwargs.get("decimal_places") == self.places:
            del kwargs["decimal_places"]
        return name, path, args, kwargs


class QuantityField(_FixedDecimalField):
    places = QUANTITY_PLACES


class MoneyField(_FixedDecimalField):
    places = MONEY_PLACES


class PriceField(_FixedDecimalField):
    places = PRICE_PLACES


class UnitCostField(_FixedDecimalField):
    places = COST_PLACES


class RateField(_FixedDecimalField):
    """A percentage such as a tax rate: 13.00 means 13 %."""

    places = RATE_PLACES
    digits = 5
