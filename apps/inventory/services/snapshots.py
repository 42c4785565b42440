"""Monthly stock snapshots: build, check and rebuild the month-end balances (``StockMonthEnd``).

A month is built once it is ``SETTLE`` past its end: from the previous month's rows plus the
movements of the month, balances and running flows per column, in one ``INSERT … SELECT``. Once
built a month is final. The ledger's time is the database's clock at posting, so no ordinary
posting can land in a closed month; trusted callers that post with an explicit ``posted_at`` are
refused before the last snapshot (``snapshot_horizon_check``, under a shared lock that the build
takes exclusively). The bulk loader, which appends rows behind the posting service's back, drops
the months its rows fall into (``stock_snapshots_drop_from``), and the next run builds them again.
"""

import datetime
import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.fields import MONEY_PLACES, QUANTITY_PLACES
from apps.inventory.flows import FLOW_KEYS, VALUE_FLOW_KEYS, classified_movements, flow_sums
from apps.inventory.models import StockMonthEnd, StockMonthTotal, StockMovement, StockSnapshotMonth

logger = logging.getLogger(__name__)

MONEY_COLUMNS = ("value", *VALUE_FLOW_KEYS)
SETTLE = datetime.timedelta(days=1)  # a month is snapshotted a day after it ended
LOCK_KEY = 0x4A58_4331  # PostgreSQL advisory lock: the build exclusive, a back-dated posting shared


def month_end_of(day: datetime.date) -> datetime.date:
    following = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following - datetime.timedelta(days=1)


def month_cut(month_end: datetime.date) -> datetime.datetime:
    """The first instant after ``month_end`` in the current time zone: the month holds movements before it."""
    return timezone.make_aware(datetime.datetime.combine(month_end + datetime.timedelta(days=1), datetime.time.min))


def _lock(*, shared: bool) -> None:
    if connection.vendor != "postgresql":  # SQLite: writers already queue for the one write lock
        return
    function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s)", [LOCK_KEY])


def snapshot_horizon_check(posted_at: datetime.datetime) -> None:
    """Inside a posting's transaction: refuse an explicit ``posted_at`` inside a snapshotted month.

    Takes the snapshot lock shared, so a build running now finishes first (and is then seen) and a
    build starting later waits for this posting to commit (and then includes it)."""
    _lock(shared=True)
    last = StockSnapshotMonth.objects.order_by("-month_end").values_list("month_end", flat=True).first()
    if last is not None and posted_at < month_cut(last):
        raise ValidationError(
            _(
                "Cannot post at %(time)s: the stock up to %(month_end)s is closed in the monthly snapshots; "
                "post at a later time."
            )
            % {"time": timezone.localtime(posted_at).strftime("%Y-%m-%d %H:%M"), "month_end": last.isoformat()},
            code="posted_at_in_closed_month",
        )


def _drop(months: QuerySet[StockSnapshotMonth]) -> int:
    """Delete ``months`` with their rows (the caller holds the lock); return how many. The rows go
    first, set-based: through the months, Django would collect 100,000 rows a month in memory."""
    StockMonthEnd.objects.filter(month__in=months).delete()
    StockMonthTotal.objects.filter(month__in=months).delete()
    dropped = months.count()
    months.delete()
    return dropped


def stock_snapshots_drop_from(moment: datetime.datetime) -> int:
    """Drop every built month that ends after ``moment`` (a movement dated then was appended behind
    the ledger, so those months miss it); return how many. The next run builds them again."""
    with transaction.atomic():
        _lock(shared=False)
        dropped = _drop(StockSnapshotMonth.objects.filter(month_end__gte=timezone.localdate(moment)))
    if dropped:
        logger.warning("rows appended before %s: dropped %s monthly stock snapshots", moment, dropped)
    return dropped


def _due_months(now: datetime.datetime) -> list[datetime.date]:
    """Month ends from the ledger's first month to the last month that ended ``SETTLE`` ago."""
    first = StockMovement.objects.order_by("posted_at").values_list("posted_at", flat=True).first()
    if first is None:
        return []
    month_end = month_end_of(timezone.localdate(first))
    due = []
    while month_cut(month_end) + SETTLE <= now:
        due.append(month_end)
        month_end = month_end_of(month_end + datetime.timedelta(days=1))
    return due


def _build_month(month_end: datetime.date, previous: StockSnapshotMonth | None, now: datetime.datetime) -> int:
    """Insert one month's rows (the caller holds the lock, in its transaction); return their number.

    Each row is the previous month's row (balance and running flows) plus the month's movements of
    its pair summed per flow column. A pair stays while its balance or any running flow is non-zero."""
    snapshot_table = StockMonthEnd._meta.db_table
    month = StockSnapshotMonth.objects.create(month_end=month_end, built_at=now)
    db = connection.ops.adapt_datetimefield_value
    carried = ", ".join(("quantity", "value", *FLOW_KEYS))
    params: list[Any] = [month.pk]
    sources = []
    if previous is not None:
        sources.append(f"SELECT product_id, warehouse_id, {carried} FROM {snapshot_table} WHERE month_id = %s")  # noqa: S608
        params.append(previous.pk)
        where, time_params = "m.posted_at >= %s AND m.posted_at < %s", [db(month_cut(previous.month_end))]
    else:
        where, time_params = "m.posted_at < %s", []
    time_params.append(db(month_cut(month_end)))
    sources.append(
        f"SELECT product_id, warehouse_id, SUM(quantity) AS quantity, SUM(value) AS value, {', '.join(flow_sums())} "  # noqa: S608
        f"FROM ({classified_movements(where)}) mv GROUP BY product_id, warehouse_id"
    )
    params += time_params
    rounded = [
        f"ROUND(SUM({column}), {MONEY_PLACES if column in MONEY_COLUMNS else QUANTITY_PLACES})"
        for column in ("quantity", "value", *FLOW_KEYS)
    ]
    totals, kept = ", ".join(rounded), " OR ".join(f"{total} <> 0" for total in rounded)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # compiling the aggregate costs more than running it
            cursor.execute("SET LOCAL jit = off")
        cursor.execute(
            f"INSERT INTO {snapshot_table} (month_id, product_id, warehouse_id, {carried}) "  # noqa: S608
            f"SELECT %s, product_id, warehouse_id, {totals} "
            f"FROM ({' UNION ALL '.join(sources)}) x GROUP BY product_id, warehouse_id HAVING {kept}",
            params,
        )
        rows = cursor.rowcount
        cursor.execute(
            f"INSERT INTO {StockMonthTotal._meta.db_table} (month_id, warehouse_id, quantity, value) "  # noqa: S608
            f"SELECT month_id, warehouse_id, ROUND(SUM(quantity), {QUANTITY_PLACES}), "
            f"ROUND(SUM(value), {MONEY_PLACES}) FROM {snapshot_table} WHERE month_id = %s "
            "GROUP BY month_id, warehouse_id",
            [month.pk],
        )
    StockSnapshotMonth.objects.filter(pk=month.pk).update(rows=rows)
    return rows


def stock_snapshots_update(*, now: datetime.datetime | None = None, rebuild: bool = False) -> list[datetime.date]:
    """Bring the monthly snapshots up to date; return the month ends built.

    Builds every closed month not built yet, each in its own short transaction under the snapshot
    lock, from the previous month; ``rebuild`` drops them all first. Safe to run twice or from two
    workers at once: the second waits for the lock and finds the months built.
    """
    now = now or timezone.now()
    if rebuild:
        with transaction.atomic():
            _lock(shared=False)
            _drop(StockSnapshotMonth.objects.all())
    built = []
    for month_end in _due_months(now):
        with transaction.atomic():
            _lock(shared=False)
            if StockSnapshotMonth.objects.filter(month_end=month_end).exists():
                continue
            previous = StockSnapshotMonth.objects.filter(month_end__lt=month_end).order_by("-month_end").first()
            _build_month(month_end, previous, now)
            built.append(month_end)
    return built
