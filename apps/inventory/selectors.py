"""Reads of the stock ledger: stock on hand, the ledger with running balances, stock as of a date.

Everything aggregates in SQL; nothing here loads all rows into Python.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db import connection, models
from django.db.models import F, Max, Min, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from apps.core.fields import MoneyField, QuantityField
from apps.core.models import SystemSettings
from apps.inventory.documents.scope import warehouse_scoped
from apps.inventory.models import StockAdjustment, StockBalance, StockMovement, StockPosting
from apps.masterdata.selectors import warehouse_scope_ids

ZERO_QUANTITY = Value(Decimal(0), output_field=QuantityField())
ZERO_MONEY = Value(Decimal(0), output_field=MoneyField())

# --- Data scope ---------------------------------------------------------------------------------


def _scoped(queryset: QuerySet, user: Any, lookup: str = "warehouse_id") -> QuerySet:
    return warehouse_scoped(queryset, user, lookup)


def local_day_start(day: datetime.date) -> datetime.datetime:
    """The first instant of ``day`` in the current time zone, so date filters use the posted_at index."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


# --- Stock on hand (即时库存) -------------------------------------------------------------------


def stock_on_hand(*, user: Any) -> QuerySet[StockBalance]:
    """Balances per product × warehouse the user may see, with product, category and warehouse joined."""
    queryset = StockBalance.objects.select_related("product", "product__category", "product__base_unit", "warehouse")
    return _scoped(queryset, user)


def stock_totals(queryset: QuerySet[StockBalance]) -> dict[str, Decimal]:
    """On-hand, reserved, available and value summed over ``queryset`` in one aggregate query."""
    return queryset.order_by().aggregate(
        on_hand=Coalesce(Sum("on_hand"), ZERO_QUANTITY),
        reserved=Coalesce(Sum("reserved"), ZERO_QUANTITY),
        available=Coalesce(Sum("available"), ZERO_QUANTITY),
        value=Coalesce(Sum("value"), ZERO_MONEY),
    )


def stock_available(*, user: Any, warehouse_id: int, product_ids: Iterable[int]) -> dict[str, dict[str, str]]:
    """On-hand, reserved and available of ``product_ids`` in one warehouse, keyed by product id (as text).

    Products without a balance answer zeros. A warehouse outside the user's scope answers nothing.
    """
    product_ids = sorted(set(product_ids))
    allowed = warehouse_scope_ids(user)
    if allowed is not None and warehouse_id not in allowed:
        return {}
    rows = StockBalance.objects.filter(warehouse_id=warehouse_id, product_id__in=product_ids).values_list(
        "product_id", "on_hand", "reserved", "available"
    )
    found = {pk: (on_hand, reserved, available) for pk, on_hand, reserved, available in rows}
    zero = (Decimal(0), Decimal(0), Decimal(0))
    result = {}
    for pk in product_ids:
        on_hand, reserved, available = found.get(pk, zero)
        result[str(pk)] = {"on_hand": _plain(on_hand), "reserved": _plain(reserved), "available": _plain(available)}
    return result


def _plain(number: Decimal) -> str:
    text = f"{Decimal(number):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


# --- Stock ledger (库存流水) ---------------------------------------------------------------------


def stock_movements_in_scope(*, user: Any) -> QuerySet[StockMovement]:
    """Movements of the warehouses the user may see, nothing joined (for aggregates)."""
    return _scoped(StockMovement.objects.all(), user)


def stock_movements(*, user: Any) -> QuerySet[StockMovement]:
    """Movements the user may see, with posting, user, product and warehouse joined; in ledger order (id)."""
    queryset = StockMovement.objects.select_related(
        "posting", "posting__posted_by", "product", "product__base_unit", "warehouse"
    ).order_by("id")
    return _scoped(queryset, user)


# --- Stock as of a date (库存余额表) ------------------------------------------------------------


def stock_as_of(*, user: Any, day: datetime.date) -> QuerySet[StockBalance]:
    """Each product × warehouse with ``qty_as_of`` / ``value_as_of``: its balance at the end of ``day``.

    Read from the running balance of the last movement (in ledger order: id) on or before that
    day; ``posted_at`` never runs backwards along the ids of a key, so the movements before the
    cut-off are a prefix of its ledger. One index probe per row, on the (product, warehouse,
    posted_at, id) index: only the rows of the page shown are computed. Keys with no movement by
    then answer zero.
    """
    cutoff = local_day_start(day + datetime.timedelta(days=1))
    last = StockMovement.objects.filter(
        product_id=OuterRef("product_id"), warehouse_id=OuterRef("warehouse_id"), posted_at__lt=cutoff
    ).order_by("-id")
    return stock_on_hand(user=user).annotate(
        qty_as_of=Coalesce(Subquery(last.values("quantity_after")[:1]), ZERO_QUANTITY),
        value_as_of=Coalesce(Subquery(last.values("value_after")[:1]), ZERO_MONEY),
    )


def stock_as_of_totals(
    *, balances: QuerySet[StockBalance], movements: QuerySet[StockMovement], day: datetime.date
) -> dict[str, Decimal]:
    """Totals of ``stock_as_of`` over every filtered row, from the ledger in one or two aggregates.

    ``balances`` and ``movements`` carry the same filters (warehouse, category, product). The
    totals are either the sum of the movements up to the end of ``day``, or today's totals minus
    the movements after it: whichever side of the ledger is shorter (judged by time), so at
    most half the ledger is read, with an index-only scan of the covering posted_at index.
    """
    cutoff = local_day_start(day + datetime.timedelta(days=1))
    span = StockMovement.objects.aggregate(first=Min("posted_at"), last=Max("posted_at"))
    sums = {"quantity": Coalesce(Sum("quantity"), ZERO_QUANTITY), "value": Coalesce(Sum("value"), ZERO_MONEY)}
    movements = movements.order_by()
    if span["first"] is None or cutoff - span["first"] <= span["last"] - cutoff:
        return movements.filter(posted_at__lt=cutoff).aggregate(**sums)
    current = balances.order_by().aggregate(
        quantity=Coalesce(Sum("on_hand"), ZERO_QUANTITY), value=Coalesce(Sum("value"), ZERO_MONEY)
    )
    later = movements.filter(posted_at__gte=cutoff).aggregate(**sums)
    return {"quantity": current["quantity"] - later["quantity"], "value": current["value"] - later["value"]}


# --- Source documents of postings ----------------------------------------------------------------


@dataclass(frozen=True)
class LedgerReference:
    """A foreign key of some model pointing at a posting or a movement: how documents cite the ledger."""

    model: type[models.Model]
    field: models.Field

    @property
    def to_posting(self) -> bool:
        return self.field.related_model is StockPosting

    def posting_lookup(self) -> str:
        """The lookup on ``model`` that gives the id of the posting referenced."""
        return self.field.attname if self.to_posting else f"{self.field.name}__posting_id"


def ledger_references() -> list[LedgerReference]:
    """Every FK / one-to-one of an installed model to StockPosting or StockMovement, the ledger's own excepted."""
    return [
        LedgerReference(model, model_field)
        for model in apps.get_models()
        if model not in (StockPosting, StockMovement)
        for model_field in model._meta.concrete_fields
        if model_field.is_relation and model_field.related_model in (StockPosting, StockMovement)
    ]


def _document_fk(model: type[models.Model], target: type[models.Model]) -> models.Field | None:
    for model_field in model._meta.concrete_fields:
        if model_field.is_relation and model_field.related_model is target:
            return model_field
    return None


def source_documents(postings: Iterable[StockPosting]) -> dict[int, models.Model]:
    """The document that caused each posting, keyed by posting id (postings of unknown source are left out).

    ``posting.document_type`` is the document's "app_label.model_name". The document is found
    through a field of that model referencing the posting, or through a line model that
    references the movements and points at the document. A reversal without a reference of its
    own resolves to the document it reverses. One query per document type (two through lines).
    """
    by_type: dict[str, set[int]] = defaultdict(set)
    wanted: dict[int, int] = {}  # posting id -> the posting id whose document answers for it
    for posting in postings:
        wanted[posting.pk] = posting.pk
        by_type[posting.document_type].add(posting.pk)
        if posting.reverses_id:
            by_type[posting.document_type].add(posting.reverses_id)
    references = ledger_references()
    found: dict[int, models.Model] = {}
    for document_type, posting_ids in by_type.items():
        try:
            document_model = apps.get_model(document_type)
        except (LookupError, ValueError):
            continue
        direct = [ref for ref in references if ref.model is document_model and ref.to_posting]
        if direct:  # the document cites its postings itself: one query
            condition = Q()
            for reference in direct:
                condition |= Q(**{f"{reference.field.attname}__in": posting_ids})
            for document in document_model._base_manager.filter(condition):
                for reference in direct:
                    found.setdefault(getattr(document, reference.field.attname), document)
            continue
        for reference in references:  # else a line model cites the movements and points at the document
            header = None if reference.to_posting else _document_fk(reference.model, document_model)
            if header is None:
                continue
            pairs = list(
                reference.model._base_manager.filter(**{f"{reference.field.name}__posting_id__in": posting_ids})
                .order_by()
                .values_list(f"{reference.field.name}__posting_id", header.attname)
                .distinct()
            )
            documents = document_model._base_manager.in_bulk({doc_id for _pid, doc_id in pairs})
            for posting_id, doc_id in pairs:
                found.setdefault(posting_id, documents[doc_id])
    result = {}
    for posting in postings:
        document = found.get(posting.pk) or (found.get(posting.reverses_id) if posting.reverses_id else None)
        if document is not None:
            result[posting.pk] = document
    return result


# --- Ledger verification (verify_ledger) -------------------------------------------------------

# Postings no document needs to reference: tests and benchmarks post through the service directly,
# with document_type "test". Every other posting must be cited by a document.
UNREFERENCED_DOCUMENT_TYPES = frozenset({"test"})
SAMPLE_SIZE = 20


@dataclass
class LedgerCheck:
    name: str
    description: str
    failures: int = 0
    samples: list[str] = field(default_factory=list)
    capped: bool = False  # the count stops at the sample size

    @property
    def ok(self) -> bool:
        return self.failures == 0


@dataclass
class LedgerReport:
    checks: list[LedgerCheck]

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)


def _fetch(sql: str, params: Iterable[Any] = ()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return cursor.fetchall()


# verify_ledger splits the pass over the ledger into this many product ranges, run at once on
# their own connections (PostgreSQL, outside a transaction): a window over a million movements
# costs about two seconds of one core.
VERIFY_PARALLEL_RANGES = 2


def ledger_verify() -> LedgerReport:
    """Check the ledger's invariants in SQL (a window, aggregates and anti-joins; no row is loaded into Python).

    1. every balance's on-hand equals the sum of its movements, and its value the sum of their values;
    2. each movement's running balance equals the sum of the movements up to it in ledger order (id);
    3. no on-hand is negative unless the system setting allows negative stock;
    4. reserved never exceeds on-hand (unless negative stock is allowed);
    5. every posting is referenced by a document (a foreign key of some installed model to the
       posting or to one of its movements; a reversal may rely on the posting it reverses),
       except the document types in ``UNREFERENCED_DOCUMENT_TYPES``; and every posting has movements.

    Checks 1 and 2 are one pass over the (product, warehouse, id) index; on PostgreSQL outside a
    transaction that pass runs over ``VERIFY_PARALLEL_RANGES`` product ranges at once, alongside
    check 5, each statement consistent for the keys it covers.
    """
    allow_negative = SystemSettings.load().allow_negative_stock
    parallel = connection.vendor == "postgresql" and not connection.in_atomic_block
    ranges: list[tuple[int | None, int | None]] = [(None, None)]
    if parallel:
        low, high = StockBalance.objects.aggregate(low=Min("product_id"), high=Max("product_id")).values()
        if low is not None and high > low:
            step = (high - low) // VERIFY_PARALLEL_RANGES + 1
            bounds = [low + step * i for i in range(VERIFY_PARALLEL_RANGES)]
            ranges = [(bound, bound + step - 1) for bound in bounds]
            ranges[0], ranges[-1] = (None, ranges[0][1]), (ranges[-1][0], None)
    statements = [_ledger_pass_sql(low, high) for low, high in ranges] + [_orphan_postings_sql(), _empty_postings_sql()]
    if parallel:
        with ThreadPoolExecutor(max_workers=len(ranges)) as pool:
            results = list(pool.map(_fetch_on_own_connection, statements))
    else:
        results = [_fetch(sql, params) for sql, params in statements]
    rows = [row for result in results[: len(ranges)] for row in result]
    orphans, empty = results[len(ranges) :]
    checks = []

    mismatch = LedgerCheck("balance_sums", "balance on-hand and value equal the sums of their movements")
    wrong_sums = sorted((row[1:3], row[4:]) for row in rows if row[0] == 2)
    mismatch.failures = len(wrong_sums)
    mismatch.samples = [
        f"product {p} / warehouse {w}: on hand {_show(on_hand)} but movements sum to {_show(qty)}; "
        f"value {_show(value)} but movements sum to {_show(total)}"
        for (p, w), (on_hand, qty, value, total) in wrong_sums[:SAMPLE_SIZE]
    ]
    checks.append(mismatch)

    running = LedgerCheck("running_balance", "each movement's running balance equals the sum of the movements up to it")
    wrong_running = sorted(row[1:] for row in rows if row[0] == 1)[:SAMPLE_SIZE]
    running.failures, running.capped = len(wrong_running), len(wrong_running) == SAMPLE_SIZE
    running.samples = [
        f"product {p} / warehouse {w}, movement {pk}: shows {_show(after)} / {_show(value_after)} "
        f"after it, but the movements up to it sum to {_show(qty)} / {_show(value)}"
        for p, w, pk, after, qty, value_after, value in wrong_running
    ]
    checks.append(running)

    negative = LedgerCheck("no_negative_stock", "no negative on-hand (negative stock is not allowed)")
    reserved = LedgerCheck("reserved_within_on_hand", "reserved does not exceed on-hand")
    if not allow_negative:
        rows = list(
            StockBalance.objects.filter(on_hand__lt=0)
            .order_by("product_id", "warehouse_id")
            .values_list("product_id", "warehouse_id", "on_hand")[: SAMPLE_SIZE + 1]
        )
        negative.failures = StockBalance.objects.filter(on_hand__lt=0).count() if rows else 0
        negative.samples = [f"product {p} / warehouse {w}: on hand {_show(q)}" for p, w, q in rows[:SAMPLE_SIZE]]
        over = StockBalance.objects.filter(reserved__gt=0).filter(reserved__gt=F("on_hand"))
        rows = list(
            over.order_by("product_id", "warehouse_id").values_list(
                "product_id", "warehouse_id", "on_hand", "reserved"
            )[:SAMPLE_SIZE]
        )
        reserved.failures = over.count() if rows else 0
        reserved.samples = [
            f"product {p} / warehouse {w}: reserved {_show(r)} but on hand {_show(q)}" for p, w, q, r in rows
        ]
    else:
        negative.description += " — skipped: the system setting allows negative stock"
        reserved.description += " — skipped: the system setting allows negative stock"
    checks.extend([negative, reserved])

    sources = LedgerCheck("sources_exist", "every posting is referenced by its source document")
    for pk, document_type, number, total in orphans:
        sources.failures = total
        sources.samples.append(f"posting {pk} ({document_type} {number}) is referenced by no document")
    if empty:
        sources.failures += empty[0][1]
        sources.samples += [f"posting {pk} has no movements" for pk, _total in empty]
    checks.append(sources)
    return LedgerReport(checks)


def _fetch_on_own_connection(statement: tuple[str, list[Any]]) -> list[tuple]:
    """``_fetch`` on this thread's own connection, closed afterwards (for ``ledger_verify``'s pool)."""
    try:
        return _fetch(*statement)
    finally:
        connection.close()


def _ledger_pass_sql(low: int | None, high: int | None) -> tuple[str, list[Any]]:
    """Checks 1 and 2 of ``ledger_verify`` for the products in [low, high] (None: unbounded), one statement.

    One pass over the movements in ledger order (the (product, warehouse, id) index, no sort on
    PostgreSQL): running sums by a window; the last movement of each key carries the key's totals,
    fully joined to the balances, so a balance that disagrees with its movements and movements
    without a balance both show up. Only the rows that matter leave the window. Rows:
    (1, product, warehouse, movement, quantity after, running quantity, value after, running value)
    for wrong running balances (at most SAMPLE_SIZE), (2, product, warehouse, None, on hand, sum of
    quantities, value, sum of values) for wrong balances.
    """
    balance, movement = StockBalance._meta.db_table, StockMovement._meta.db_table
    conditions, params = [], []
    if low is not None:
        conditions.append("product_id >= %s")
        params.append(low)
    if high is not None:
        conditions.append("product_id <= %s")
        params.append(high)
    where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
    sqlite = connection.vendor == "sqlite"
    rounded = (lambda sql, places: f"ROUND({sql}, {places})") if sqlite else (lambda sql, _places: sql)
    sql = (
        "WITH t AS (SELECT * FROM ("  # noqa: S608
        "SELECT product_id, warehouse_id, id, quantity_after, value_after, "
        # ROUND: SQLite sums decimals as floats; PostgreSQL's numeric sums are exact.
        f"{rounded('SUM(quantity) OVER w', 4)} AS rq, {rounded('SUM(value) OVER w', 2)} AS rv, "
        f"LEAD(id) OVER w IS NULL AS last FROM {movement} {where} "
        "WINDOW w AS (PARTITION BY product_id, warehouse_id ORDER BY id ROWS UNBOUNDED PRECEDING)"
        ") x WHERE rq <> quantity_after OR rv <> value_after OR last) "
        "SELECT * FROM (SELECT 1, product_id, warehouse_id, id, quantity_after, rq, value_after, rv FROM t "
        f"WHERE rq <> quantity_after OR rv <> value_after ORDER BY 2, 3, 4 LIMIT {SAMPLE_SIZE}) r "
        "UNION ALL "
        "SELECT 2, COALESCE(b.product_id, l.product_id), COALESCE(b.warehouse_id, l.warehouse_id), NULL, "
        "b.on_hand, COALESCE(l.rq, 0), b.value, COALESCE(l.rv, 0) "
        f"FROM (SELECT * FROM {balance} {where}) b FULL OUTER JOIN (SELECT * FROM t WHERE last) l "
        "ON l.product_id = b.product_id AND l.warehouse_id = b.warehouse_id "
        "WHERE b.id IS NULL OR b.on_hand <> COALESCE(l.rq, 0) OR b.value <> COALESCE(l.rv, 0)"
    )
    return sql, params + params


def _empty_postings_sql() -> tuple[str, list[Any]]:
    """Postings without movements: up to SAMPLE_SIZE rows of (id, total count)."""
    posting, movement = StockPosting._meta.db_table, StockMovement._meta.db_table
    return (
        f"SELECT p.id, COUNT(*) OVER () FROM {posting} p "  # noqa: S608
        f"WHERE NOT EXISTS (SELECT 1 FROM {movement} m WHERE m.posting_id = p.id) ORDER BY p.id LIMIT {SAMPLE_SIZE}",
        [],
    )


def _orphan_postings_sql() -> tuple[str, list[Any]]:
    """Postings no installed model references (see ``ledger_verify``, check 5): up to SAMPLE_SIZE rows
    of (id, document type, number, total count), in one statement.

    The ids cited directly (a document's foreign key to its posting) are gathered once and
    probed as a hashed set; only postings not cited that way look for a document line citing
    one of their movements (an index probe per posting). Django's OR of correlated EXISTS,
    evaluated for each of 165,000 postings, took 19 s at a million movements.
    """
    posting, movement = StockPosting._meta.db_table, StockMovement._meta.db_table
    references = ledger_references()
    # Table and column names below come from the models' meta, never from input.
    direct = [
        f"SELECT {ref.field.column} FROM {ref.model._meta.db_table} WHERE {ref.field.column} IS NOT NULL"  # noqa: S608
        for ref in references
        if ref.to_posting
    ]
    through_lines = " OR ".join(
        f"EXISTS (SELECT 1 FROM {ref.model._meta.db_table} r WHERE r.{ref.field.column} = m.id)"  # noqa: S608
        for ref in references
        if not ref.to_posting
    )

    def referenced(column: str) -> str:
        conditions = []
        if direct:
            conditions.append(f"{column} IN (SELECT posting_id FROM direct)")  # noqa: S608
        if through_lines:
            conditions.append(
                f"EXISTS (SELECT 1 FROM {movement} m WHERE m.posting_id = {column} AND ({through_lines}))"  # noqa: S608
            )
        return " OR ".join(conditions) or "FALSE"

    exempt = sorted(UNREFERENCED_DOCUMENT_TYPES)
    cte = f"WITH direct (posting_id) AS ({' UNION ALL '.join(direct)}) " if direct else ""
    sql = (
        f"{cte}SELECT p.id, p.document_type, p.document_number, COUNT(*) OVER () FROM {posting} p "  # noqa: S608
        f"WHERE p.document_type NOT IN ({', '.join(['%s'] * len(exempt))}) AND NOT ({referenced('p.id')}) "
        f"AND NOT (p.reverses_id IS NOT NULL AND ({referenced('p.reverses_id')})) "
        f"ORDER BY p.id LIMIT {SAMPLE_SIZE}"
    )
    return sql, exempt


def _show(number: Any) -> str:
    if number is None:
        return "—(no balance)"
    return _plain(Decimal(str(number)))


# --- Stock adjustment documents --------------------------------------------------------------


def stock_adjustments(*, user: Any) -> QuerySet[StockAdjustment]:
    """Adjustment documents in the user's warehouses, with warehouse and users joined."""
    queryset = StockAdjustment.objects.select_related("warehouse", "created_by", "posted_by")
    return _scoped(queryset, user)
