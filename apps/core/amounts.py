"""Document arithmetic shared by purchasing and sales: cents rounded half up, as invoices are."""

from decimal import ROUND_HALF_UP, Decimal

from apps.core.fields import MONEY_QUANT, ZERO

HUNDRED = Decimal(100)


def money(value: Decimal) -> Decimal:
    """``value`` rounded half up to the cent."""
    return Decimal(value).quantize(MONEY_QUANT, rounding=ROUND_HALF_UP)


def line_amounts(
    *, quantity: Decimal, unit_price: Decimal, tax_rate: Decimal, discount_percent: Decimal = ZERO
) -> tuple[Decimal, Decimal, Decimal]:
    """(net amount, tax amount, total incl. tax) of a document line, each rounded to the cent."""
    net = money(quantity * unit_price * (HUNDRED - discount_percent) / HUNDRED)
    tax = money(net * tax_rate / HUNDRED)
    return net, tax, net + tax


def plain(number: Decimal) -> str:
    """A number for messages, without trailing zeros: 12, 1.5."""
    text = f"{Decimal(number):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
