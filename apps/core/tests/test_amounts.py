from decimal import Decimal

from apps.core.amounts import line_amounts, money, plain


def test_money_rounds_half_up_to_the_cent():
    assert money(Decimal("2.345")) == Decimal("2.35")
    assert money(Decimal("-2.345")) == Decimal("-2.35")


def test_line_amounts_apply_discount_then_tax_each_rounded():
    net, tax, total = line_amounts(
        quantity=Decimal(3), unit_price=Decimal("3.335"), tax_rate=Decimal(13), discount_percent=Decimal(10)
    )

    assert (net, tax, total) == (Decimal("9.00"), Decimal("1.17"), Decimal("10.17"))


def test_plain_drops_trailing_zeros():
    assert [plain(Decimal("12.0000")), plain(Decimal("1.50")), plain(Decimal(7))] == ["12", "1.5", "7"]
