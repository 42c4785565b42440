"""Price visibility (价格屏蔽): who sees purchase prices, costs and margins.

Three permissions, held by roles (``apps.accounts.roles``), decide it; ADR 0007 says which role
holds which. Everything that shows a price of these kinds asks here:

- templates: ``{% load prices %}`` then ``{% if can_see.cost %}`` around a column (the
  ``price_visibility`` context processor sets ``can_see``), or ``{{ value|money_if:can_see.cost }}``
  to print the amount or a mask;
- Python (views, exports, JSON): ``can_see(user, PriceKind.COST)`` or
  ``mask_fields(user, payload)`` / ``visible_columns(user, columns)`` to drop what the user may
  not see. Field names are classified in ``FIELD_KINDS``; a name not listed there is not a
  protected price.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models


class PriceKind(models.TextChoices):
    PURCHASE_PRICE = "purchase_price", "core.view_purchase_price"
    COST = "cost", "core.view_cost"
    MARGIN = "margin", "core.view_margin"

    @property
    def permission(self) -> str:
        return self.label


# Field, column and JSON key names that carry a protected price, by kind.
FIELD_KINDS: dict[str, PriceKind] = {
    "purchase_price": PriceKind.PURCHASE_PRICE,
    "supplier_price": PriceKind.PURCHASE_PRICE,
    "last_purchase_price": PriceKind.PURCHASE_PRICE,
    "avg_cost": PriceKind.COST,
    "average_cost": PriceKind.COST,
    "unit_cost": PriceKind.COST,
    "cost_amount": PriceKind.COST,
    "stock_value": PriceKind.COST,
    "value_after": PriceKind.COST,
    "value_as_of": PriceKind.COST,
    "opening_value": PriceKind.COST,
    "in_value": PriceKind.COST,
    "out_value": PriceKind.COST,
    "closing_value": PriceKind.COST,
    "average_value": PriceKind.COST,
    "cogs": PriceKind.COST,
    "purchase_net_amount": PriceKind.PURCHASE_PRICE,
    "purchase_tax_amount": PriceKind.PURCHASE_PRICE,
    "purchase_total_amount": PriceKind.PURCHASE_PRICE,
    "margin_amount": PriceKind.MARGIN,
    "margin_percent": PriceKind.MARGIN,
    "gross_profit": PriceKind.MARGIN,
    "gross_margin": PriceKind.MARGIN,
}

MASK = "***"


def can_see(user: Any, kind: PriceKind | str) -> bool:
    """Whether ``user`` may see prices of ``kind`` (superusers see everything)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return user.has_perm(PriceKind(kind).permission)


def visibility(user: Any) -> dict[str, bool]:
    """``{"purchase_price": bool, "cost": bool, "margin": bool}`` for ``user``."""
    return {kind.value: can_see(user, kind) for kind in PriceKind}


def hidden_fields(user: Any, names: Iterable[str] | None = None) -> set[str]:
    """The names among ``names`` (default: every classified name) that ``user`` may not see."""
    seen = visibility(user)
    candidates = FIELD_KINDS if names is None else [name for name in names if name in FIELD_KINDS]
    return {name for name in candidates if not seen[FIELD_KINDS[name].value]}


def mask_fields(user: Any, payload: Mapping[str, Any]) -> dict[str, Any]:
    """``payload`` without the keys ``user`` may not see (for JSON answers and export rows)."""
    hidden = hidden_fields(user, payload)
    return {key: value for key, value in payload.items() if key not in hidden}


def visible_columns(user: Any, columns: Iterable[str]) -> list[str]:
    """The column (field) names of an export or table that ``user`` may see, in order."""
    columns = list(columns)
    hidden = hidden_fields(user, columns)
    return [name for name in columns if name not in hidden]
