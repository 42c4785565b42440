"""Stock reports read from the ledger in SQL: the 进销存汇总表 (movement summary), inventory valuation at a
date, turnover and days of inventory. Stock ageing and dead stock are in ``ageing_selectors``.

One statement computes a whole page: the balances and the movements are summed per group key id
(rows per product × warehouse are used as they are), labelled, and the page, the row count and the
totals of every row are taken from those rows computed once, so the rows, the totals and the pager
come from one snapshot of the ledger.

The ledger is read from whichever end is cheaper: forward, from the monthly snapshots around the
period (the month end before it for the opening, the last month end inside it for the running
receipts and issues, plus the movements between those and the period's ends; from zero and every
movement without a snapshot), or backward (today's balances minus the movements since the start of
the period). Either way opening + receipts − issues = closing holds exactly per row, and closing
equals the balance as of the end of the period (``docs/adr/0013-monthly-stock-snapshots.md``).
"""

import contextlib
import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Max, Min
from django.utils.translation import gettext_lazy as _

from apps.core.fields import MONEY_QUANT, QUANTITY_QUANT, ZERO
from apps.inventory.flows import (  # noqa: F401 (ISSUE_COLUMNS, RECEIPT_COLUMNS: the report's columns)
    FLOW_KEYS,
    IN_KEYS,
    ISSUE_COLUMNS,
    KIND_CODES,
    OUT_KEYS,
    RECEIPT_COLUMNS,
    VALUE_FLOW_KEYS,
    classified_movements,
    flow_sums,
)
from apps.inventory.models import MovementType, StockBalance, StockMonthEnd, StockMovement, StockSnapshotMonth
from apps.inventory.selectors import local_day_start
from apps.inventory.services.snapshots import month_cut
from apps.masterdata.models import Category, Product, Warehouse
from apps.masterdata.selectors import category_descendant_ids, warehouse_scope_ids

COLUMN_LABELS = {
    "in_opening": _("Opening stock"),
    "in_purchase": _("Purchase receipt"),
    "in_sales_return": _("Sales return"),
    "in_transfer": _("Transfer in"),
    "in_count": _("Count surplus"),
    "in_other": _("Miscellaneous receipt"),
    "in_adjustment": _("Stock adjustment"),
    "out_sales": _("Sales delivery"),
    "out_purchase_return": _("Purchase return"),
    "out_transfer": _("Transfer out"),
    "out_count": _("Count shortage"),
    "out_other": _("Miscellaneous issue"),
    "out_adjustment": _("Stock adjustment"),
}
QUANTITY_KEYS = ("opening_qty", *IN_KEYS, "in_qty", *OUT_KEYS, "out_qty", "closing_qty")
VALUE_KEYS = ("opening_value", "in_value", "out_value", "closing_value", "cogs")
MEASURES = QUANTITY_KEYS + VALUE_KEYS

# Grouping -> (key columns of the outer query, label columns). ``p`` is the product, ``c`` its
# category, ``w`` the warehouse.
GROUPINGS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "product": (("p.id",), ("p.code", "p.name")),
    "product_warehouse": (("p.id", "w.id"), ("p.code", "p.name", "w.name")),
    "category": (("c.id",), ("c.code", "c.name")),
    "category_warehouse": (("c.id", "w.id"), ("c.code", "c.name", "w.name")),
    "warehouse": (("w.id",), ("w.code", "w.name")),
}
GROUPING_CHOICES = [
    ("product", _("Product")),
    ("product_warehouse", _("Product and warehouse")),
    ("category", _("Product category")),
    ("category_warehouse", _("Category and warehouse")),
    ("warehouse", _("Warehouse")),
]
ORDERINGS = {
    "key": None,  # the grouping's own code order
    "-closing_value": "closing_value DESC",
    "-out_qty": "out_qty DESC",
    "-cogs": "cogs DESC",
    "days": "days_of_inventory IS NULL, days_of_inventory DESC",
    "turnover": "turnover IS NULL, turnover DESC",
}


@dataclass(frozen=True)
class StockCriteria:
    """What a stock report covers: the period (whole local days) and the filters."""

    date_from: datetime.date
    date_to: datetime.date
    grouping: str = "product"
    warehouse_id: int | None = None
    category_id: int | None = None
    product_id: int | None = None
    ordering: str = "key"
    stock_only: bool = False  # only rows with closing stock (the valuation)

    @property
    def days(self) -> int:
        return (self.date_to - self.date_from).days + 1


@dataclass
class SummaryPage:
    rows: list[dict[str, Any]]
    count: int
    totals: dict[str, Decimal] = field(default_factory=dict)


def db_time(moment: datetime.datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(moment)


def table_name(model) -> str:
    return model._meta.db_table


@contextlib.contextmanager
def ledger_snapshot(*, serial: bool = False, read_only: bool = True) -> Iterator[None]:
    """Run the reads inside in one repeatable-read, read-only transaction on PostgreSQL, so that
    several statements see the same ledger even while documents are being posted. On SQLite (one
    writer, reads see a committed state per statement) and inside an outer transaction this adds
    nothing; every report page is one statement anyway.

    JIT compilation is off for these reads: a report statement carries a few hundred expressions
    (a sum per movement type, per measure, per window), and compiling them cost 0.4–15 s per page
    at a million movements, many times what the execution itself takes.

    ``serial`` also turns parallel workers off: a report that groups a year of movements per product ×
    warehouse (the stock ageing) gets a partial aggregate per worker with most keys in every worker,
    and merging those took longer than one process aggregating alone (0.8 s against 0.4 s at a
    million movements on two cores). ``read_only=False`` is for readers that may create a settings
    row on first use (the dashboards load the inventory policy with ``get_or_create``)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ" + (" READ ONLY" if read_only else ""))
            cursor.execute("SET LOCAL jit = off")
            if serial:
                cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        yield


def scope_conditions(criteria: StockCriteria, user: Any, alias: str) -> tuple[list[str], list[Any]]:
    """SQL conditions on ``alias.product_id`` / ``alias.warehouse_id`` for the criteria and the user's scope."""
    conditions: list[str] = []
    params: list[Any] = []
    scope = warehouse_scope_ids(user)
    if scope is not None:
        if not scope:
            return ["1 = 0"], []
        conditions.append(f"{alias}.warehouse_id IN ({', '.join(['%s'] * len(scope))})")
        params.extend(scope)
    if criteria.warehouse_id:
        conditions.append(f"{alias}.warehouse_id = %s")
        params.append(criteria.warehouse_id)
    if criteria.product_id:
        conditions.append(f"{alias}.product_id = %s")
        params.append(criteria.product_id)
    if criteria.category_id:
        ids = sorted(category_descendant_ids(Category(pk=criteria.category_id)))
        conditions.append(
            f"{alias}.product_id IN (SELECT id FROM {table_name(Product)} "  # noqa: S608 (table names, placeholders)
            f"WHERE category_id IN ({', '.join(['%s'] * len(ids))}))"
        )
        params.extend(ids)
    return conditions, params


def _movements(start: datetime.datetime, end: datetime.datetime, conditions: list[str]) -> tuple[str, list[Any]]:
    """The classified movements matching ``conditions`` with ``span`` (0 before the period, 1 in
    it, 2 after it)."""
    where = " AND ".join(conditions) if conditions else "1 = 1"
    # OFFSET 0 keeps PostgreSQL from inlining the subquery (which would repeat the CASE per sum).
    fence = " OFFSET 0" if connection.vendor == "postgresql" else ""
    span = "CASE WHEN m.posted_at < %s THEN 0 WHEN m.posted_at < %s THEN 1 ELSE 2 END AS span"
    return classified_movements(where, span) + fence, [db_time(start), db_time(end)]


def _period_sums() -> list[str]:
    """Per-key sums of the movements inside the period, one per flow key, plus ``period_qty`` and
    ``period_value``."""
    return [
        *flow_sums("span = 1"),
        "COALESCE(SUM(quantity) FILTER (WHERE span = 1), 0) AS period_qty",
        "COALESCE(SUM(value) FILTER (WHERE span = 1), 0) AS period_value",
    ]


def rounded(expression: str, places: int) -> str:
    """``expression`` to ``places`` decimals. PostgreSQL sums numerics exactly at the columns' scale,
    so only SQLite (which sums decimals as floating point) needs the ROUND; on PostgreSQL it would
    be some thirty no-op calls per row of a page of 100,000 groups."""
    return f"ROUND({expression}, {places})" if connection.vendor == "sqlite" else expression


@dataclass(frozen=True)
class Snapshot:
    """A fresh monthly snapshot to read forward from: its month, the instant it closes and its rows."""

    month_id: int
    cut: datetime.datetime
    rows: int = 0


def snapshot_before(day: datetime.date) -> Snapshot | None:
    """The last monthly snapshot that closes on or before the start of ``day`` (None: read the
    whole ledger). One indexed query."""
    month = StockSnapshotMonth.objects.filter(month_end__lt=day).order_by("-month_end").first()
    if month is None:
        return None
    return Snapshot(month_id=month.pk, cut=month_cut(month.month_end), rows=month.rows)


# The tables behind a grouping's key columns, and their aliases in the label columns.
KEY_TABLES = {"p.id": (Product, "p"), "c.id": (Category, "c"), "w.id": (Warehouse, "w")}


@dataclass(frozen=True)
class Grouping:
    """A grouping's key and label columns and the names the summary's SQL gives them.

    Rows are summed per key id only, off their own product and warehouse ids (the category needs
    the product); the labels are joined to the summed groups afterwards. Joining every row to the
    product, category and warehouse first and grouping by the labels too took the turnover of 90
    days by product from 0.67 s to 0.81 s at a million movements."""

    keys: tuple[str, ...]
    labels: tuple[str, ...]

    @classmethod
    def of(cls, criteria: StockCriteria) -> "Grouping":
        keys, labels = GROUPINGS[criteria.grouping]
        return cls(tuple(keys), tuple(labels))

    @property
    def per_pair(self) -> bool:
        """Whether each group is one product in one warehouse: the ledger's own key, so rows that are
        already per product × warehouse need no summing."""
        return self.keys == ("p.id", "w.id")

    @property
    def key_names(self) -> list[str]:
        return [f"key{i}" for i in range(len(self.keys))]

    @property
    def label_names(self) -> list[str]:
        return [f"label{i}" for i in range(len(self.labels))]

    def summed(self, source: str, sums: list[str], *, summed: bool = True) -> str:
        """``source`` (rows with ``product_id`` and ``warehouse_id``) summed per group: the key ids
        as ``key0``… and ``sums``; ``summed=False`` (per product × warehouse rows only) selects
        ``sums`` as they are."""
        of_row = {"p.id": "x.product_id", "w.id": "x.warehouse_id", "c.id": "p.category_id"}
        ids = [of_row[key] for key in self.keys]
        join = f"JOIN {table_name(Product)} p ON p.id = x.product_id " if "c.id" in self.keys else ""
        select = ", ".join(f"{column} AS {name}" for column, name in zip(ids, self.key_names, strict=True))
        grouped = f" GROUP BY {', '.join(ids)}" if summed else ""
        return f"SELECT {select}, {', '.join(sums)} FROM ({source}) x {join}{grouped}".rstrip()  # noqa: S608

    def labelled(self, key_columns: list[str]) -> tuple[str, str]:
        """The key and label columns of groups whose key ids are ``key_columns``, and the joins they need."""
        joins = "".join(
            f"JOIN {table_name(model)} {alias} ON {alias}.id = {column} "
            for key, column in zip(self.keys, key_columns, strict=True)
            for model, alias in [KEY_TABLES[key]]
        )
        keys = [f"{column} AS {name}" for column, name in zip(key_columns, self.key_names, strict=True)]
        labels = [f"{column} AS {name}" for column, name in zip(self.labels, self.label_names, strict=True)]
        return ", ".join(keys + labels), joins


def _moved_sum(*names: str) -> str:
    """The sum of the grouped movements' ``names`` (``a``, absent for a group that did not move)."""
    return "(" + " + ".join(f"COALESCE(a.{name}, 0)" for name in names) + ")"


def _flow(key: str, *, snapshots: bool) -> str:
    """A flow key's figure of a group: the grouped movements' and, read from snapshots, the
    difference of the running flows (``bal``, absent for a group with no snapshot row)."""
    return f"(COALESCE(bal.{key}, 0) + COALESCE(a.{key}, 0))" if snapshots else f"COALESCE(a.{key}, 0)"


def _flow_columns(*, snapshots: bool = False) -> list[str]:
    """Receipts and issues by type and their values: the same in every reading."""
    return [
        *(f"{rounded(_flow(key, snapshots=snapshots), 4)} AS {key}" for key in (*IN_KEYS, *OUT_KEYS)),
        *(f"{rounded(_flow(key, snapshots=snapshots), 2)} AS {key}" for key in VALUE_FLOW_KEYS),
    ]


def _joined(group: Grouping, balances: str, moved: str, measures: list[str], *, full: bool) -> str:
    """The groups of ``balances`` (``bal``) joined with those of ``moved`` (``a``) on their key
    ids (a full join when a group may have moved without a balance row), labelled, with ``measures``."""
    key_columns = [f"COALESCE(bal.{name}, a.{name})" if full else f"bal.{name}" for name in group.key_names]
    columns, joins = group.labelled(key_columns)
    on = " AND ".join(f"a.{name} = bal.{name}" for name in group.key_names)
    join = "FULL OUTER JOIN" if full else "LEFT JOIN"
    return f"SELECT {columns}, {', '.join(measures)} FROM ({balances}) bal {join} ({moved}) a ON {on} {joins}"  # noqa: S608


def _grouped_backward(criteria: StockCriteria, user: Any) -> tuple[str, list[Any]]:
    """Backward reading: today's balances summed per group (two sums over the balance rows) joined
    with the movements since the start of the period summed per group, so the many per-type sums
    run over the movements only."""
    start = local_day_start(criteria.date_from)
    end = local_day_start(criteria.date_to + datetime.timedelta(days=1))
    group = Grouping.of(criteria)
    balance_conditions, balance_params = scope_conditions(criteria, user, "b")
    rows = (
        f"SELECT b.product_id, b.warehouse_id, b.on_hand, b.value FROM {table_name(StockBalance)} b "  # noqa: S608
        f"WHERE {' AND '.join(balance_conditions) or '1 = 1'}"
    )
    sums = ["SUM(x.on_hand) AS on_hand", "SUM(x.value) AS value"]
    balances = group.summed(rows, sums if not group.per_pair else ["x.on_hand", "x.value"], summed=not group.per_pair)
    movement_conditions, movement_params = scope_conditions(criteria, user, "m")
    source, source_params = _movements(start, end, [*movement_conditions, "m.posted_at >= %s"])
    moved = group.summed(
        source,
        [
            *_period_sums(),
            "COALESCE(SUM(quantity) FILTER (WHERE span = 2), 0) AS after_qty",
            "COALESCE(SUM(value) FILTER (WHERE span = 2), 0) AS after_value",
        ],
    )
    measures = [
        f"{rounded('bal.on_hand - ' + _moved_sum('period_qty', 'after_qty'), 4)} AS opening_qty",
        f"{rounded('bal.value - ' + _moved_sum('period_value', 'after_value'), 2)} AS opening_value",
        *_flow_columns(),
        f"{rounded('bal.on_hand - ' + _moved_sum('after_qty'), 4)} AS closing_qty",
        f"{rounded('bal.value - ' + _moved_sum('after_value'), 2)} AS closing_value",
    ]
    sql = _joined(group, balances, moved, measures, full=False)
    return sql, [*balance_params, *source_params, *movement_params, db_time(start)]


def _month_end_figures(
    criteria: StockCriteria, user: Any, opening: Snapshot | None, closing: Snapshot | None
) -> tuple[str, list[Any]]:
    """Per group, from the month-end rows: ``opening_quantity``/``opening_value`` (``opening``'s
    balance), ``closing_quantity``/``closing_value`` (``closing``'s, or ``opening``'s when they are
    the same month) and, when they differ, each flow key's running flow at ``closing`` less that at
    ``opening``.

    The two months' rows are paired per product × warehouse by a full join and only then summed
    (per product × warehouse they are the groups and are not summed at all: summing 100,000
    one-row groups cost 0.4 s, and summing two months' rows with a filter per month 0.5 s)."""
    group = Grouping.of(criteria)
    table = table_name(StockMonthEnd)
    conditions, condition_params = scope_conditions(criteria, user, "s")
    balance_columns = ("quantity", "value")
    flow_keys = FLOW_KEYS if closing != opening else ()

    def month_rows() -> str:
        return f"SELECT * FROM {table} s WHERE {' AND '.join(['s.month_id = %s', *conditions])}"  # noqa: S608

    if opening is not None and closing is not None and closing != opening:
        figures = [
            "COALESCE(c.product_id, o.product_id) AS product_id",
            "COALESCE(c.warehouse_id, o.warehouse_id) AS warehouse_id",
            *(f"COALESCE(o.{column}, 0) AS opening_{column}" for column in balance_columns),
            *(f"COALESCE(c.{column}, 0) AS closing_{column}" for column in balance_columns),
            *(f"COALESCE(c.{key}, 0) - COALESCE(o.{key}, 0) AS {key}" for key in flow_keys),
        ]
        pairs = (
            f"SELECT {', '.join(figures)} FROM ({month_rows()}) c FULL OUTER JOIN ({month_rows()}) o "  # noqa: S608
            "ON o.product_id = c.product_id AND o.warehouse_id = c.warehouse_id"
        )
        params = [closing.month_id, *condition_params, opening.month_id, *condition_params]
    else:  # one month's rows (none without a snapshot)
        month = closing or opening
        figures = [
            "s.product_id",
            "s.warehouse_id",
            *(f"{'s.' + column if opening else '0'} AS opening_{column}" for column in balance_columns),
            *(f"s.{column} AS closing_{column}" for column in balance_columns),
            *(f"s.{key}" for key in flow_keys),
        ]
        where = ["s.month_id = %s" if month else "1 = 0", *conditions]
        pairs = f"SELECT {', '.join(figures)} FROM {table} s WHERE {' AND '.join(where)}"  # noqa: S608
        params = [*([month.month_id] if month else []), *condition_params]
    columns = [f"{edge}_{column}" for edge in ("opening", "closing") for column in balance_columns] + list(flow_keys)
    if group.per_pair:
        return group.summed(pairs, [f"x.{column}" for column in columns], summed=False), params
    return group.summed(pairs, [f"SUM(x.{column}) AS {column}" for column in columns]), params


def _grouped_forward(
    criteria: StockCriteria, user: Any, opening: Snapshot | None, closing: Snapshot | None
) -> tuple[str, list[Any]]:
    """Forward reading, from the monthly snapshots around the period.

    ``opening`` is the last snapshot closing by the period's start, ``closing`` the last closing by
    its end (the same month for a period inside one month; None: from the first movement). Per group:

    - opening = ``opening``'s balance + the movements from its end to the start of the period (the head);
    - each flow = ``closing``'s running flow − ``opening``'s − the head's flows + the movements from
      ``closing``'s end (or the period's start) to the end of the period (the tail);
    - closing = ``closing``'s balance + the tail (``opening``'s + head + tail within one month).

    So at most a month of movements is read at each end of the period, whatever its length, and
    opening + receipts − issues = closing holds because each month end's balance is its running
    receipts less its running issues."""
    start = local_day_start(criteria.date_from)
    end = local_day_start(criteria.date_to + datetime.timedelta(days=1))
    group = Grouping.of(criteria)
    spans_months = closing != opening
    balances, params = _month_end_figures(criteria, user, opening, closing)

    # The head's flows are taken off the running flows: summed negated, in the same sums as the tail's.
    tail_from = max(closing.cut, start) if spans_months and closing is not None else start
    conditions, condition_params = scope_conditions(criteria, user, "m")
    conditions += ["m.posted_at < %s", "(m.posted_at < %s OR m.posted_at >= %s)"]
    condition_params += [db_time(end), db_time(start), db_time(tail_from)]
    if opening is not None:
        conditions.append("m.posted_at >= %s")
        condition_params.append(db_time(opening.cut))
    head = "m.posted_at < %s"
    source = classified_movements(
        " AND ".join(conditions),
        f"CASE WHEN {head} THEN 1 ELSE 0 END AS head",
        f"CASE WHEN {head} THEN -m.quantity ELSE m.quantity END AS flow_quantity",
        f"CASE WHEN {head} THEN -m.value ELSE m.value END AS flow_value",
    )
    if connection.vendor == "postgresql":
        source += " OFFSET 0"  # not inlined: each CASE once per movement, not once per sum
    tail_only = " FILTER (WHERE head = 0)" if spans_months else ""
    moved = group.summed(
        source,
        [
            *flow_sums("" if spans_months else "head = 0", quantity="flow_quantity", value="flow_value"),
            "COALESCE(SUM(quantity) FILTER (WHERE head = 1), 0) AS head_qty",
            "COALESCE(SUM(value) FILTER (WHERE head = 1), 0) AS head_value",
            f"COALESCE(SUM(quantity){tail_only}, 0) AS closing_moved_qty",
            f"COALESCE(SUM(value){tail_only}, 0) AS closing_moved_value",
        ],
    )
    params += [db_time(start)] * 3 + condition_params
    measures = [
        f"{rounded('COALESCE(bal.opening_quantity, 0) + ' + _moved_sum('head_qty'), 4)} AS opening_qty",
        f"{rounded('COALESCE(bal.opening_value, 0) + ' + _moved_sum('head_value'), 2)} AS opening_value",
        *_flow_columns(snapshots=spans_months),
        f"{rounded('COALESCE(bal.closing_quantity, 0) + ' + _moved_sum('closing_moved_qty'), 4)} AS closing_qty",
        f"{rounded('COALESCE(bal.closing_value, 0) + ' + _moved_sum('closing_moved_value'), 2)} AS closing_value",
    ]
    return _joined(group, balances, moved, measures, full=True), params


@dataclass(frozen=True)
class _Ledger:
    """The ledger's first and last movement time and its highest movement id (about its size)."""

    first: datetime.datetime | None
    last: datetime.datetime | None
    top_id: int

    @classmethod
    def read(cls) -> "_Ledger":
        span = StockMovement.objects.aggregate(first=Min("posted_at"), last=Max("posted_at"), top=Max("id"))
        return cls(span["first"], span["last"], span["top"] or 0)

    def movements_between(self, since: datetime.datetime, until: datetime.datetime) -> float:
        """About how many movements were posted from ``since`` to ``until``, at the ledger's average rate."""
        if self.first is None or self.last is None or self.last <= self.first:
            return self.top_id
        seconds = (min(until, self.last) - max(since, self.first)).total_seconds()
        return max(seconds, 0) * self.top_id / (self.last - self.first).total_seconds()


def _closing_snapshot(ledger: _Ledger, opening: Snapshot | None, closing: Snapshot | None) -> Snapshot | None:
    """``closing`` when reading its rows' running flows costs less than the movements from
    ``opening``'s end to ``closing``'s, which they replace (a month-end row costs about what a
    movement costs); otherwise ``opening``, and the period is read from the movements."""
    if closing is None or closing == opening or ledger.first is None:
        return opening
    since = opening.cut if opening is not None else ledger.first
    replaced = ledger.movements_between(since, closing.cut)
    return closing if replaced > closing.rows else opening


def _read_forward(criteria: StockCriteria, ledger: _Ledger, opening: Snapshot | None, closing: Snapshot | None) -> bool:
    """Forward when the forward reading's movements (from ``opening`` to the start of the period,
    and from ``closing`` or the start to its end) span less time than those since its start."""
    if ledger.first is None or ledger.last is None:
        return True
    start = local_day_start(criteria.date_from)
    end = local_day_start(criteria.date_to + datetime.timedelta(days=1))
    head_from = max(ledger.first, opening.cut) if opening is not None else ledger.first
    tail_from = max(closing.cut, start) if closing is not None and closing != opening else start
    zero = datetime.timedelta(0)
    forward = max(start - head_from, zero) + max(min(end, ledger.last) - tail_from, zero)
    return forward <= ledger.last - start


def as_decimal(value: Any, quant: Decimal) -> Decimal:
    if value is None:
        return ZERO.quantize(quant)
    result = Decimal(str(value)).quantize(quant)
    return result + 0 if result else abs(result)  # never "-0"


def stock_summary(
    criteria: StockCriteria,
    *,
    user: Any,
    limit: int | None = None,
    offset: int = 0,
    forward: bool | None = None,
    snapshots: bool = True,
) -> SummaryPage:
    """The 进销存汇总表 grouped by ``criteria.grouping``: one page of rows, the number of rows and the
    totals of every row, in one statement (plus the ledger's first/last time to pick the reading
    direction and four look-ups of the monthly snapshots; ``forward`` forces a direction and
    ``snapshots=False`` the whole ledger, for tests and benchmarks). Rows with nothing to show are left out.

    Each row: the grouping's ids and labels, ``opening_qty``/``opening_value``, a quantity per
    receipt column (``IN_KEYS``) and issue column (``OUT_KEYS``), ``in_qty``/``in_value``,
    ``out_qty``/``out_value``, ``closing_qty``/``closing_value``, ``cogs`` (the cost of sales
    deliveries less sales returns), ``turnover`` and ``days_of_inventory``.
    """
    ledger = _Ledger.read()
    opening = closing = None
    if snapshots and forward is not False:
        opening = snapshot_before(criteria.date_from)
        closing = _closing_snapshot(ledger, opening, snapshot_before(criteria.date_to + datetime.timedelta(days=1)))
    if forward is None:
        forward = _read_forward(criteria, ledger, opening, closing)
    group = Grouping.of(criteria)
    key_names, label_names = group.key_names, group.label_names
    shown = ("closing_qty", "closing_value")
    if not criteria.stock_only:
        shown = ("opening_qty", "opening_value", "in_qty", "out_qty", *shown)
    nonzero = " OR ".join(f"{name} <> 0" for name in shown)
    totals_in = " + ".join(f"u.{key}" for key in IN_KEYS)
    totals_out = " + ".join(f"u.{key}" for key in OUT_KEYS)
    in_out = f"{rounded(totals_in, 4)} AS in_qty, {rounded(totals_out, 4)} AS out_qty"
    # Average inventory value = (opening value + closing value) / 2; turnover = COGS / it;
    # days of inventory = days in the period / turnover. "* 1.0": SQLite divides integers as integers.
    # Only an ordering needs them here; the rows' and totals' ratios are computed from their figures.
    average = "((opening_value + closing_value) * 1.0 / 2)"
    ratios, ratio_params = "", []
    if criteria.ordering in ("days", "turnover"):
        ratios = (
            f", CASE WHEN {average} > 0 THEN cogs * 1.0 / {average} END AS turnover, "
            f"CASE WHEN cogs > 0 THEN {average} * %s / cogs END AS days_of_inventory"
        )
        ratio_params = [criteria.days]
    order = (ORDERINGS.get(criteria.ordering) or ", ".join(label_names[:1] + key_names)) + ", " + ", ".join(key_names)
    page = f" LIMIT {int(limit)} OFFSET {int(offset)}" if limit else ""
    total_sums = ", ".join(f"SUM({name}) AS total_{name}" for name in MEASURES)

    # OFFSET 0 keeps PostgreSQL from inlining the grouped rows into the filter and the ratios, which
    # would compute each figure again there.
    fence = " OFFSET 0" if connection.vendor == "postgresql" else ""

    def paged(grouped: str) -> str:
        """One page of the grouped rows with the count and totals of every row, from the rows computed
        once (a window over every row cost 0.4 s at 100,000 rows, more than the page)."""
        return (
            f"WITH g AS (SELECT t.*{ratios} FROM (SELECT u.*, {in_out} FROM ({grouped}{fence}) u{fence}) t "  # noqa: S608
            f"WHERE {nonzero}), tot AS (SELECT COUNT(*) AS row_count, {total_sums} FROM g) "
            f"SELECT r.*, tot.* FROM (SELECT * FROM g ORDER BY {order}{page}) r CROSS JOIN tot ORDER BY {order}"
        )

    if forward:  # from the snapshots around the period and the movements at its ends
        grouped, params = _grouped_forward(criteria, user, opening, closing)
    else:  # from today's balances and the movements since the start of the period
        grouped, params = _grouped_backward(criteria, user)
    sql = paged(grouped)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*ratio_params, *params])
        names = [column[0] for column in cursor.description]
        fetched = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    rows = [_finish_row(raw, key_names, label_names, criteria.days) for raw in fetched]
    if fetched:
        count = fetched[0]["row_count"]
        totals = {name: as_decimal(fetched[0][f"total_{name}"], _quant(name)) for name in MEASURES}
    elif offset:  # a page past the end: count the rows again
        if not limit:
            return SummaryPage([], 0)
        return stock_summary(criteria, user=user, forward=forward, snapshots=snapshots, limit=1)
    else:
        count, totals = 0, {name: as_decimal(0, _quant(name)) for name in MEASURES}
    totals.update(_ratios(totals, criteria.days))
    return SummaryPage(rows=rows, count=count, totals=totals)


def stock_period_totals(criteria: StockCriteria, *, user: Any) -> dict[str, Decimal | None]:
    """The totals ``stock_summary`` gives for opening value, closing value and COGS, with the
    average value, turnover and days of inventory, without the rows: today's balance value less the
    movements since the start of the period, three sums in one statement (the dashboards' turnover,
    where the summary's per-type sums and grouping cost 0.4 s at a million movements)."""
    start = local_day_start(criteria.date_from)
    end = local_day_start(criteria.date_to + datetime.timedelta(days=1))
    movement_conditions, movement_params = scope_conditions(criteria, user, "m")
    source, source_params = _movements(start, end, [*movement_conditions, "m.posted_at >= %s"])
    sales = f"{KIND_CODES[MovementType.SALES_SHIPMENT]}, {KIND_CODES[MovementType.SALES_RETURN]}"
    moved = (
        "SELECT COALESCE(SUM(value) FILTER (WHERE span = 1), 0) AS period_value, "  # noqa: S608 (generated SQL)
        "COALESCE(SUM(value) FILTER (WHERE span = 2), 0) AS after_value, "
        f"COALESCE(SUM(-value) FILTER (WHERE span = 1 AND kind IN ({sales})), 0) AS cogs FROM ({source}) mv"
    )
    balance_conditions, balance_params = scope_conditions(criteria, user, "b")
    where = " AND ".join(balance_conditions) if balance_conditions else "1 = 1"
    sql = (
        "SELECT bal.value, a.period_value, a.after_value, a.cogs FROM "  # noqa: S608 (generated SQL)
        f"(SELECT SUM(b.value) AS value FROM {table_name(StockBalance)} b WHERE {where}) bal CROSS JOIN ({moved}) a"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*balance_params, *source_params, *movement_params, db_time(start)])
        value, period_value, after_value, cogs = (as_decimal(figure, MONEY_QUANT) for figure in cursor.fetchone())
    figures: dict[str, Decimal | None] = {
        "opening_value": value - after_value - period_value,
        "closing_value": value - after_value,
        "cogs": cogs,
    }
    figures.update(_ratios(figures, criteria.days))
    return figures


def _quant(name: str) -> Decimal:
    return QUANTITY_QUANT if name in QUANTITY_KEYS else MONEY_QUANT


def _ratios(figures: dict[str, Decimal], days: int) -> dict[str, Decimal | None]:
    """Average inventory value, turnover (to 0.01) and days of inventory (to 0.1), in Decimal."""
    average = ((figures["opening_value"] + figures["closing_value"]) / 2).quantize(MONEY_QUANT)
    turnover = (figures["cogs"] / average).quantize(Decimal("0.01")) if average > 0 else None
    days_of_inventory = (average * days / figures["cogs"]).quantize(Decimal("0.1")) if figures["cogs"] > 0 else None
    return {"average_value": average, "turnover": turnover, "days_of_inventory": days_of_inventory}


def _finish_row(raw: dict[str, Any], key_names: list[str], label_names: list[str], days: int) -> dict[str, Any]:
    row: dict[str, Any] = {name: as_decimal(raw[name], _quant(name)) for name in MEASURES}
    row["keys"] = [raw[name] for name in key_names]
    row["labels"] = [raw[name] for name in label_names]
    row.update(_ratios(row, days))
    return row
