"""Which supplier a replenishment suggestion proposes: the price list weighed by the supplier scorecard.

The rule, per product, among the price-list rows valid on the day:

1. Each supplier's scorecard over the last 365 days (all its products, posted receipts):
   on-time rate and acceptance rate. A supplier with fewer than ``PLANNING_SUPPLIER_MIN_DELIVERIES``
   deliveries against orders has no record yet ("not rated") and is not held back for it.
2. Eligible: rated suppliers with on-time ≥ ``PLANNING_SUPPLIER_MIN_ON_TIME`` % and acceptance ≥
   ``PLANNING_SUPPLIER_MIN_ACCEPTANCE`` %, and the suppliers not rated. When none is eligible, all
   are (and the reason says so), so a product with suppliers always gets one.
3. Landed price = list price × (1 + the supplier's price variance), what its receipts actually cost
   against its list; the list price when it has no priced receipts.
4. The eligible supplier with the lowest landed price is proposed, except that a preferred supplier
   within ``PLANNING_SUPPLIER_TIE_PERCENT`` % of that price wins the tie; then the better on-time
   rate, then the supplier code.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _

from apps.core.fields import PRICE_QUANT
from apps.procurement.models import SupplierPrice
from apps.procurement.selectors import supplier_scorecards

RATED, UNRATED, BELOW = "rated", "unrated", "below"


def _setting(name: str, default: str) -> Decimal:
    return Decimal(str(getattr(settings, name, default)))


@dataclass
class Candidate:
    row: SupplierPrice
    landed: Decimal
    deliveries: int
    on_time: Decimal | None
    acceptance: Decimal | None
    standing: str
    notes: list[str] = field(default_factory=list)
    chosen: bool = False

    @property
    def supplier(self):
        return self.row.supplier

    @property
    def eligible(self) -> bool:
        return self.standing != BELOW


@dataclass
class SupplierChoice:
    row: SupplierPrice
    reason: str
    candidates: list[Candidate]


def _candidate(row: SupplierPrice, card: dict | None, limits: dict) -> Candidate:
    card = card or {}
    variance = card.get("price_variance")
    landed = row.price * (1 + variance / 100) if variance is not None else row.price
    deliveries = card.get("deliveries") or 0
    on_time, acceptance = card.get("on_time_rate"), card.get("acceptance_rate")
    candidate = Candidate(row, landed.quantize(PRICE_QUANT), deliveries, on_time, acceptance, RATED)
    if deliveries < limits["deliveries"]:
        candidate.standing = UNRATED
        candidate.notes.append(
            _("Fewer than %(count)s deliveries in the last year: not rated yet.") % {"count": limits["deliveries"]}
        )
        return candidate
    if on_time is not None and on_time < limits["on_time"]:
        candidate.standing = BELOW
        candidate.notes.append(
            _("On time %(rate)s %% is below %(limit)s %%.") % {"rate": on_time, "limit": limits["on_time"]}
        )
    if acceptance is not None and acceptance < limits["acceptance"]:
        candidate.standing = BELOW
        candidate.notes.append(
            _("Accepted %(rate)s %% is below %(limit)s %%.") % {"rate": acceptance, "limit": limits["acceptance"]}
        )
    return candidate


def _yuan(price: Decimal) -> str:
    cents = price.quantize(Decimal("0.01"))
    return f"¥{cents if cents == price else price.normalize()}"


def _choose(candidates: list[Candidate], limits: dict) -> SupplierChoice:
    eligible = [c for c in candidates if c.eligible]
    fallback = not eligible
    pool = eligible or candidates
    cheapest = min(c.landed for c in pool)
    within = cheapest * (1 + limits["tie"] / 100)
    ties = [c for c in pool if c.landed <= within]
    best = min(
        ties,
        key=lambda c: (not c.row.is_preferred, c.landed, -(c.on_time or Decimal(0)), c.supplier.code),
    )
    best.chosen = True
    figures = {
        "price": _yuan(cheapest),
        "on_time": limits["on_time"],
        "acceptance": limits["acceptance"],
        "tie": limits["tie"],
    }
    if fallback:
        reason = _("No supplier meets the scorecard; the cheapest landed price (%(price)s) is proposed.") % figures
    elif best.landed > cheapest:
        reason = (
            _(
                "Preferred supplier: within %(tie)s %% of the cheapest landed price (%(price)s) among suppliers "
                "meeting the scorecard (on time ≥ %(on_time)s %%, accepted ≥ %(acceptance)s %%)."
            )
            % figures
        )
    else:
        reason = (
            _(
                "Cheapest landed price (%(price)s) among suppliers meeting the scorecard "
                "(on time ≥ %(on_time)s %%, accepted ≥ %(acceptance)s %%)."
            )
            % figures
        )
        if best.row.is_preferred and len(ties) > 1:
            reason += " " + _("The preferred supplier wins the tie.")
    order = sorted(candidates, key=lambda c: (not c.chosen, not c.eligible, c.landed, c.supplier.code))
    return SupplierChoice(row=best.row, reason=reason, candidates=order)


def supplier_choices(*, product_ids, on_date: datetime.date) -> dict[int, SupplierChoice]:
    """The proposed supplier per product with the reason and every candidate; three queries in all."""
    rows = list(
        SupplierPrice.objects.filter(product_id__in=list(product_ids), valid_from__lte=on_date)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on_date))
        .select_related("supplier")
        .order_by("product_id", "supplier_id", "-valid_from", "id")
    )
    if not rows:
        return {}
    cards = supplier_scorecards(
        supplier_ids={row.supplier_id for row in rows},
        date_from=on_date - datetime.timedelta(days=365),
        date_to=on_date,
    )
    limits = {
        "on_time": _setting("PLANNING_SUPPLIER_MIN_ON_TIME", "90"),
        "acceptance": _setting("PLANNING_SUPPLIER_MIN_ACCEPTANCE", "95"),
        "deliveries": int(getattr(settings, "PLANNING_SUPPLIER_MIN_DELIVERIES", 3)),
        "tie": _setting("PLANNING_SUPPLIER_TIE_PERCENT", "2"),
    }
    by_product: dict[int, dict[int, SupplierPrice]] = defaultdict(dict)
    for row in rows:
        by_product[row.product_id].setdefault(row.supplier_id, row)  # the latest valid row per supplier
    return {
        product_id: _choose([_candidate(row, cards.get(sid), limits) for sid, row in suppliers.items()], limits)
        for product_id, suppliers in by_product.items()
    }
