from decimal import Decimal

import pytest

from apps.core.templatetags.jxc import money, qty, unit_cost


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("1234.5"), "¥1,234.50"),
        (Decimal("-13848.425"), "-¥13,848.43"),
        (Decimal("-0.001"), "¥0.00"),
        (0, "¥0.00"),
        (None, ""),
        ("not a number", ""),
    ],
)
def test_money_puts_the_sign_before_the_currency(value, expected):
    assert money(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"), [(Decimal("12.0000"), "12"), (Decimal("1.5000"), "1.5"), (Decimal("-0.0000"), "0")]
)
def test_qty_drops_trailing_zeros(value, expected):
    assert qty(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("12.5"), "¥12.50"),
        (Decimal("3.1415926"), "¥3.141593"),
        (Decimal("1234.123400"), "¥1,234.1234"),
        (Decimal("-0.125"), "-¥0.125"),
        (None, ""),
    ],
)
def test_unit_cost_keeps_its_full_precision(value, expected):
    assert unit_cost(value) == expected
