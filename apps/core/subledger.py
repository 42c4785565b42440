"""One design for the money sub-ledgers: payables (应付, suppliers) and receivables (应收, customers).

A sub-ledger is a log of signed entries, one row per event, never updated:

* ``+`` what makes the party's balance grow (a posted delivery or goods receipt),
* ``−`` what makes it shrink (a return's credit, a payment or receipt of money).

Each entry belongs to one party (the customer or supplier) and, when it can, to one *open item*
(the document the money is owed on: a delivery's receivable, a goods receipt). Money that is not
matched to any item (an advance, a payment on account) is an entry without an item. Matching
money to items later moves it: ``+rest`` without an item, ``−share`` on each item, dated like
the money (so statements and ageing as of any date never change afterwards).

Balances, an item's outstanding amount, statements (with a running balance) and ageing as of
any date are therefore sums of entries, computed in SQL by the selectors below. Each app
declares its ledger once as a :class:`Subledger` (its entry model and the paths to the party,
the item, the item's date and due date) and uses these functions.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import (
    Case,
    DecimalField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Round
from django.utils.translation import gettext_lazy as _

from apps.core.fields import MONEY_QUANT, ZERO, MoneyField

MONEY_OUTPUT = DecimalField(max_digits=18, decimal_places=2)
ZERO_MONEY = Value(ZERO, output_field=MONEY_OUTPUT)


class SubledgerEntry(models.Model):
    """One signed amount on a party's account. Concrete models add the party and item keys."""

    document_date = models.DateField(_("date"))
    kind = models.CharField(_("type"), max_length=16)
    document_number = models.CharField(_("document no."), max_length=40)
    amount = MoneyField(_("amount"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["document_date", "id"]

    def __str__(self) -> str:
        return f"{self.document_number} {self.amount}"


class SubledgerAllocation(models.Model):
    """Money matched to one open item (what the payment or receipt paid off)."""

    amount = MoneyField(_("amount"), validators=[MinValueValidator(Decimal("0.01"))])

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return str(self.amount)


@dataclass(frozen=True)
class Subledger:
    """How one app's entries reach the party and the open item.

    ``kind_order`` ranks kinds within a day on statements (the order business happens in:
    deliveries, then returns, then money); ``money_kind`` is the kind of payments/receipts.
    """

    entry_model: type[SubledgerEntry]
    party_field: str  # "customer" / "supplier"
    item_field: str  # "receivable" / "receipt"
    item_date_path: str  # the item's document date, from the entry
    item_due_path: str | None  # the item's due date, from the entry (None: no due dates)
    money_kind: str
    kind_order: Sequence[str]

    def entries(self) -> QuerySet:
        return self.entry_model.objects.all()

    def party_entries(self, party: Any) -> QuerySet:
        return self.entry_model.objects.filter(**{self.party_field: party})


# --- writing ------------------------------------------------------------------------------------


def money_entries(
    ledger: Subledger,
    *,
    party: Any,
    document_date: datetime.date,
    document_number: str,
    amount: Decimal,
    allocations: Iterable[tuple[Any, Decimal]],
    **links: Any,
) -> list[SubledgerEntry]:
    """Unsaved entries for money of ``amount`` matched as ``allocations`` [(item, share)]:
    ``−share`` on each item and the unmatched rest ``−rest`` without an item (an advance)."""
    rows = []
    matched = ZERO
    for item, share in allocations:
        matched += share
        rows.append(_entry(ledger, party, document_date, document_number, -share, item=item, **links))
    if amount - matched:
        rows.append(_entry(ledger, party, document_date, document_number, -(amount - matched), item=None, **links))
    return rows


def allocation_entries(
    ledger: Subledger,
    *,
    party: Any,
    document_date: datetime.date,
    document_number: str,
    allocations: Sequence[tuple[Any, Decimal]],
    **links: Any,
) -> list[SubledgerEntry]:
    """Unsaved entries that move an advance onto items: ``+total`` without an item, ``−share`` on
    each item, dated like the money (the balance does not change, the ageing does)."""
    total = sum((share for _item, share in allocations), ZERO)
    if not total:
        return []
    return [
        _entry(ledger, party, document_date, document_number, total, item=None, **links),
        *(
            _entry(ledger, party, document_date, document_number, -share, item=item, **links)
            for item, share in allocations
        ),
    ]


def _entry(ledger, party, document_date, document_number, amount, *, item, **links) -> SubledgerEntry:
    return ledger.entry_model(
        **{f"{ledger.party_field}_id": getattr(party, "pk", party), ledger.item_field: item},
        document_date=document_date,
        kind=ledger.money_kind,
        document_number=document_number,
        amount=amount,
        **links,
    )


# --- reading ------------------------------------------------------------------------------------


def money_sum(expression: Any, **kwargs: Any) -> ExpressionWrapper:
    """SUM of money rounded to the cent in SQL, 0 when there are no rows.

    SQLite sums decimals as floats (0.1 + 0.2 ≠ 0.3); rounding in the query keeps the result
    exact to the cent on both databases, so comparisons with 0 and with limits hold.
    """
    rounded = Round(Coalesce(Sum(expression, **kwargs), ZERO_MONEY), 2, output_field=MONEY_OUTPUT)
    # + 0 turns SQLite's -0.0 (a float sum rounded from just below zero) into 0.
    return ExpressionWrapper(rounded + ZERO_MONEY, output_field=MONEY_OUTPUT)


def cents(value: Decimal | float | None) -> Decimal:
    """An aggregate() result as an exact amount to the cent."""
    return Decimal(str(value or 0)).quantize(MONEY_QUANT)


def balance(ledger: Subledger, party: Any, *, as_of: datetime.date | None = None) -> Decimal:
    """What the party's entries add up to (on ``as_of``, or now)."""
    entries = ledger.party_entries(party)
    if as_of is not None:
        entries = entries.filter(document_date__lte=as_of)
    return cents(entries.aggregate(total=Sum("amount"))["total"])


def item_sum(ledger: Subledger, *, condition: Q | None = None, outer: str = "pk") -> Coalesce:
    """``Σ amount`` of the entries of the outer item (``OuterRef(outer)``) matching ``condition``,
    for ``annotate()``: with no condition, the item's outstanding amount."""
    entries = ledger.entry_model.objects.filter(**{ledger.item_field: OuterRef(outer)})
    if condition is not None:
        entries = entries.filter(condition)
    summed = entries.order_by().values(ledger.item_field).annotate(total=money_sum("amount")).values("total")
    return Coalesce(Subquery(summed[:1], output_field=MONEY_OUTPUT), ZERO_MONEY, output_field=MONEY_OUTPUT)


def party_sum(ledger: Subledger, *, condition: Q | None = None) -> Coalesce:
    """``Σ amount`` of the outer party's entries matching ``condition``, for ``annotate()``."""
    entries = ledger.entry_model.objects.filter(**{ledger.party_field: OuterRef("pk")})
    if condition is not None:
        entries = entries.filter(condition)
    summed = entries.order_by().values(ledger.party_field).annotate(total=money_sum("amount")).values("total")
    return Coalesce(Subquery(summed[:1], output_field=MONEY_OUTPUT), ZERO_MONEY, output_field=MONEY_OUTPUT)


def ageing(
    ledger: Subledger,
    parties: QuerySet,
    *,
    date_from: datetime.date,
    date_to: datetime.date,
    buckets: Sequence[tuple[str, int, int | None]],
    kinds: dict[str, str],
) -> QuerySet:
    """Per party, from its entries, one subquery per figure:

    ``opening`` (before ``date_from``), ``closing`` (up to ``date_to``), per ``kinds``
    {annotation: kind} the period's sum of that kind, ``overdue`` (items past due on
    ``date_to``), ``unapplied`` (money matched to no item, ≤ 0) and each bucket
    (name, low, high): what is owed on ``date_to`` on items ``low``–``high`` days old by their
    document date (``high`` None: older). Σ buckets + unapplied = closing.
    """
    until_end = Q(document_date__lte=date_to)
    in_range = Q(document_date__gte=date_from) & until_end
    annotations = {
        "opening": party_sum(ledger, condition=Q(document_date__lt=date_from)),
        "closing": party_sum(ledger, condition=until_end),
        "unapplied": party_sum(ledger, condition=until_end & Q(**{f"{ledger.item_field}__isnull": True})),
        **{name: party_sum(ledger, condition=in_range & Q(kind=kind)) for name, kind in kinds.items()},
    }
    if ledger.item_due_path:
        annotations["overdue"] = party_sum(ledger, condition=until_end & Q(**{f"{ledger.item_due_path}__lt": date_to}))
    for name, low, high in buckets:
        condition = until_end & Q(**{f"{ledger.item_date_path}__lte": date_to - datetime.timedelta(days=low)})
        if high is not None:
            condition &= Q(**{f"{ledger.item_date_path}__gte": date_to - datetime.timedelta(days=high)})
        annotations[name] = party_sum(ledger, condition=condition)
    return parties.annotate(**annotations)


def statement(
    ledger: Subledger, *, party: Any, date_from: datetime.date, date_to: datetime.date
) -> tuple[Decimal, QuerySet, Decimal]:
    """(opening balance, the period's rows with ``balance`` = running balance, closing balance).

    Entries of one document are summed into one row (``document_date``, ``kind``,
    ``document_number``, ``amount`` and ``decrease`` = −amount); within a day the kinds come in
    ``ledger.kind_order``, so a day's payment does not show the balance dipping before that
    day's delivery. The running balance is a correlated sum in SQL.
    """
    opening = balance(ledger, party, as_of=date_from - datetime.timedelta(days=1))
    ranks = [When(kind=kind, then=Value(rank)) for rank, kind in enumerate(ledger.kind_order)]
    in_range = ledger.party_entries(party).filter(document_date__gte=date_from, document_date__lte=date_to)
    in_range = in_range.annotate(kind_rank=Case(*ranks, default=Value(len(ranks)), output_field=IntegerField()))
    running = (
        in_range.filter(
            Q(document_date__lt=OuterRef("document_date"))
            | Q(document_date=OuterRef("document_date"), kind_rank__lt=OuterRef("kind_rank"))
            | Q(
                document_date=OuterRef("document_date"),
                kind_rank=OuterRef("kind_rank"),
                document_number__lte=OuterRef("document_number"),
            )
        )
        .order_by()
        .values(ledger.party_field)
        .annotate(total=money_sum("amount"))
        .values("total")[:1]
    )
    rows = (
        in_range.values("document_date", "kind_rank", "kind", "document_number")
        .annotate(amount=money_sum("amount"))
        .exclude(amount=0)
        .annotate(
            decrease=ExpressionWrapper(ZERO_MONEY - F("amount"), output_field=MONEY_OUTPUT),
            balance=ExpressionWrapper(
                Subquery(running, output_field=MONEY_OUTPUT) + Value(opening, output_field=MONEY_OUTPUT),
                output_field=MONEY_OUTPUT,
            ),
        )
        .order_by("document_date", "kind_rank", "document_number")
    )
    return opening, rows, balance(ledger, party, as_of=date_to)
