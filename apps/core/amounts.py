"""Money arithmetic shared by documents and the stock ledger: one rounding rule, half up, as invoices are.

Every amount of money is rounded with ``money()`` (to the cent) and every unit cost with
``cost()``: a receipt of 1 × 8.005 has a net amount of 8.01 and a stock value of 8.01.
"""

from decimal import ROUND_HALF_UP, Decimal

from apps.core.fields import COST_QUANT, MONEY_QUANT, ZERO

HUNDRED = Decimal(100)


def money(value: Decimal) -> Decimal:
    """``value`` rounded half up to the cent."""
    return Decimal(value).quantize(MONEY_QUANT, rounding=ROUND_HALF_UP)


def cost(value: Decimal) -> Decimal:
    """``value`` rounded half up to the places of a unit cost (6)."""
    return Decimal(value).quantize(COST_QUANT, rounding=ROUND_HALF_UP)


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
