"""Stock for the demo company and the large benchmark ledger.

``seed()`` enters opening stock (期初库存) for the demo products through the posting service,
like a user would. ``seed_scale()`` generates a large, consistent ledger fast: running
balances, values and moving average costs are computed here in integer arithmetic and the
rows are appended in big batches (COPY on PostgreSQL), then the balances are set from the
movement sums in SQL, so ``verify_ledger`` passes afterwards.
"""

import datetime
import logging
import random
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from apps.core.models import DocumentSequence
from apps.demo.seeders import texts
from apps.inventory.models import (
    ADJUSTMENT_KINDS,
    AdjustmentKind,
    AdjustmentStatus,
    StockAdjustment,
    StockAdjustmentLine,
    StockBalance,
    StockMovement,
    StockPosting,
)
from apps.inventory.services import (
    ADJUSTMENT_DOCUMENT_TYPE,
    AdjustmentLineInput,
    needs_approval,
    stock_adjustment_approve,
    stock_adjustment_create,
    stock_adjustment_post,
    stock_adjustment_transition,
    stock_balances_sync,
    stock_ledger_bulk_append,
    stock_ledger_bulk_check,
    stock_ledger_bulk_prepare,
    stock_ledger_bulk_reset_sequences,
)
from apps.masterdata.models import Product, Warehouse

logger = logging.getLogger(__name__)


def seed(
    *,
    actor: Any,
    products: Sequence[Product] | None = None,
    warehouses: Sequence[Warehouse] | None = None,
    rng: random.Random | None = None,
    day: datetime.date | None = None,
) -> list[StockAdjustment]:
    """Post one opening-stock document (QCKC) per warehouse for the demo products; idempotent.

    Each product gets a quantity of 20–200 at about its purchase price. Warehouses that
    already have a demo opening document are skipped. Returns the documents posted.
    """
    rng = rng or random.Random(20261126)  # noqa: S311  (demo data, not crypto)
    products = list(products if products is not None else Product.objects.active().order_by("code"))
    warehouses = list(warehouses if warehouses is not None else Warehouse.objects.active().order_by("code"))
    done = set(
        StockAdjustment.objects.filter(
            kind=AdjustmentKind.OPENING, reason__in=texts.in_every_language(texts.OPENING_STOCK)
        ).values_list("warehouse_id", flat=True)
    )
    posted = []
    for warehouse in warehouses:
        if warehouse.pk in done or not products:
            continue
        lines = [
            AdjustmentLineInput(
                product_id=product.pk,
                quantity=Decimal(rng.randrange(20, 201)),
                unit_cost=(product.purchase_price or Decimal(10)) * Decimal(rng.choice(["0.9", "0.95", "1", "1.05"])),
            )
            for product in products
        ]
        document = stock_adjustment_create(
            actor=None,  # entered by the seeder, so ``actor`` may approve it
            kind=AdjustmentKind.OPENING,
            warehouse=warehouse,
            date=day or timezone.localdate(),
            lines=lines,
            reason=str(texts.OPENING_STOCK),
        )
        posted.append(post_demo_adjustment(document=document, actor=actor))
    return posted


def post_demo_adjustment(*, document: StockAdjustment, actor: Any) -> StockAdjustment:
    """Post a seeder's document: directly, or submitted and approved by ``actor`` above the threshold."""
    if not needs_approval(document):
        return stock_adjustment_post(actor=actor, document=document)
    document = stock_adjustment_transition(actor=actor, document=document, action="submit")
    return stock_adjustment_approve(actor=actor, document=document)


# --- The benchmark ledger ----------------------------------------------------------------------

OPENING_LINES_PER_DOCUMENT = 100
BATCH_MOVEMENTS = 50_000


def _money(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


def _cost(micros: int) -> str:
    return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"


def _div_round(numerator: int, denominator: int) -> int:
    """Integer division rounded half away from zero (like Decimal quantize on positive values)."""
    sign = -1 if (numerator < 0) != (denominator < 0) else 1
    numerator, denominator = abs(numerator), abs(denominator)
    return sign * ((2 * numerator + denominator) // (2 * denominator))


class _Ids:
    def __init__(self) -> None:
        self.next = {
            model: (model.objects.aggregate(top=Max("id"))["top"] or 0) + 1
            for model in (StockPosting, StockMovement, StockAdjustment, StockAdjustmentLine)
        }

    def take(self, model) -> int:
        value = self.next[model]
        self.next[model] = value + 1
        return value


def seed_scale(
    *,
    movements: int = 1_000_000,
    actor: Any,
    product_ids: Sequence[int] | None = None,
    warehouse_ids: Sequence[int] | None = None,
    days: int = 365,
    seed: int = 42,
) -> dict[str, int]:
    """Append about ``movements`` consistent movements over the last ``days`` days; return counts.

    Every product × warehouse first gets an opening-stock line (QCKC documents of 100 lines,
    while the budget lasts), then miscellaneous receipt (QTRK) and issue (QTCK) documents of
    1–10 lines follow in time order; issues never exceed the stock on hand. Each posting is
    a posted ``StockAdjustment`` whose lines point at their movements, so every movement has its
    source document. Starts from the existing balances and after the last existing movement,
    so it can run on top of other data; do not post stock while it runs. One transaction.
    """
    rng = random.Random(seed)  # noqa: S311  (benchmark data, not crypto)
    product_ids = list(product_ids or Product.objects.active().order_by("pk").values_list("pk", flat=True))
    warehouse_ids = list(warehouse_ids or Warehouse.objects.active().order_by("pk").values_list("pk", flat=True))
    if not product_ids or not warehouse_ids or movements <= 0:
        return {"movements": 0, "postings": 0}
    with transaction.atomic():
        stock_ledger_bulk_prepare()
        counts = _generate(rng, movements, actor, product_ids, warehouse_ids, days)
        stock_ledger_bulk_check()
        return counts


def _generate(rng, movements, actor, product_ids, warehouse_ids, days) -> dict[str, int]:
    ids = _Ids()
    quantity: dict[tuple[int, int], int] = defaultdict(int)
    value: dict[tuple[int, int], int] = defaultdict(int)  # cents
    for product_id, warehouse_id, on_hand, cents in StockBalance.objects.filter(
        product_id__in=product_ids, warehouse_id__in=warehouse_ids
    ).values_list("product_id", "warehouse_id", "on_hand", "value"):
        if on_hand != on_hand.to_integral_value():
            continue  # fractional stock: leave it out of the generated keys
        quantity[(product_id, warehouse_id)] = int(on_hand)
        value[(product_id, warehouse_id)] = int(cents * 100)

    end = timezone.now() - datetime.timedelta(minutes=1)
    last = StockMovement.objects.aggregate(last=Max("posted_at"))["last"]
    start = max(end - datetime.timedelta(days=days), (last or end - datetime.timedelta(days=days)))
    sequences = {
        (prefix, day): last_value
        for prefix, day, last_value in DocumentSequence.objects.filter(
            prefix__in=[kind[0] for kind in ADJUSTMENT_KINDS.values()]
        ).values_list("prefix", "day", "last_value")
    }
    user_id = actor.pk

    # The documents to write: (kind, warehouse, [(product, signed quantity, unit cost micros or None)]).
    keys = [(p, w) for w in warehouse_ids for p in product_ids]
    opening_keys = [key for key in keys if quantity[key] <= 0][:movements]
    plan_openings = [
        opening_keys[i : i + OPENING_LINES_PER_DOCUMENT]
        for i in range(0, len(opening_keys), OPENING_LINES_PER_DOCUMENT)
    ]
    # Time advances with the movements written, so the last one lands at ``end`` (never later:
    # postings made after the seed must follow it).
    span = end - start
    moment = start

    batch: dict[str, list[tuple]] = defaultdict(list)
    counts = {"movements": 0, "postings": 0}

    def emit(kind: str, warehouse_id: int, lines: list[tuple[int, int, int | None]]) -> None:
        nonlocal moment
        moment = max(moment + datetime.timedelta(microseconds=1), start + span * (counts["movements"] / movements))
        posted_at = moment
        day = timezone.localdate(posted_at)
        prefix, movement_type, _direction = ADJUSTMENT_KINDS[kind]
        sequence = sequences.get((prefix, day), 0) + 1
        sequences[(prefix, day)] = sequence
        number = f"{prefix}{day:%Y%m%d}-{sequence:04d}"
        posting_id, document_id = ids.take(StockPosting), ids.take(StockAdjustment)
        when = (
            posted_at.isoformat()
            if connection.vendor == "postgresql"
            else connection.ops.adapt_datetimefield_value(posted_at)
        )
        batch[StockPosting._meta.db_table].append(
            (posting_id, ADJUSTMENT_DOCUMENT_TYPE, number, f"{ADJUSTMENT_DOCUMENT_TYPE}:{document_id}:post",
             when, user_id, None, "")
        )  # fmt: skip
        batch[StockAdjustment._meta.db_table].append(
            (document_id, number, kind, warehouse_id, day.isoformat(), "Benchmark data", "", AdjustmentStatus.POSTED,
             user_id, when, user_id, when, posting_id, None)
        )  # fmt: skip
        for line_no, (product_id, signed, cost_micros) in enumerate(lines, start=1):
            key = (product_id, warehouse_id)
            if signed > 0:
                cents = _div_round(signed * cost_micros, 10_000)
            elif quantity[key] + signed == 0:
                cents = -value[key]
            else:
                cents = _div_round(signed * value[key], quantity[key])
            unit_micros = _div_round(abs(cents) * 10_000, abs(signed))
            quantity[key] += signed
            value[key] += cents
            movement_id = ids.take(StockMovement)
            batch[StockMovement._meta.db_table].append(
                (movement_id, posting_id, line_no, product_id, warehouse_id, movement_type, signed,
                 _cost(unit_micros), _money(cents), quantity[key], _money(value[key]), when, None)
            )  # fmt: skip
            batch[StockAdjustmentLine._meta.db_table].append(
                (ids.take(StockAdjustmentLine), document_id, line_no, product_id, abs(signed),
                 _cost(cost_micros) if signed > 0 else None, "", movement_id)
            )  # fmt: skip
        counts["movements"] += len(lines)
        counts["postings"] += 1
        if len(batch[StockMovement._meta.db_table]) >= BATCH_MOVEMENTS:
            flush()

    def flush() -> None:
        stock_ledger_bulk_append(rows=batch)
        batch.clear()
        logger.info("seed_scale: %d movements written", counts["movements"])

    for chunk in plan_openings:
        by_warehouse: dict[int, list] = defaultdict(list)
        for product_id, warehouse_id in chunk:
            by_warehouse[warehouse_id].append((product_id, rng.randrange(50, 500), rng.randrange(1, 100) * 1_000_000))
        for warehouse_id, lines in by_warehouse.items():
            emit(AdjustmentKind.OPENING, warehouse_id, lines)

    while counts["movements"] < movements:
        warehouse_id = rng.choice(warehouse_ids)
        size = min(rng.randint(1, 10), movements - counts["movements"], len(product_ids))
        chosen = rng.sample(product_ids, size)
        if rng.random() < 0.45:
            lines = [(p, rng.randrange(10, 300), rng.randrange(100, 10_000) * 10_000) for p in chosen]
            emit(AdjustmentKind.OTHER_RECEIPT, warehouse_id, lines)
            continue
        lines = []
        for product_id in chosen:
            on_hand = quantity[(product_id, warehouse_id)]
            if on_hand > 0:
                lines.append((product_id, -rng.randint(1, min(on_hand, 120)), None))
        if lines:
            emit(AdjustmentKind.OTHER_ISSUE, warehouse_id, lines)
    flush()

    stock_ledger_bulk_reset_sequences()
    stock_balances_sync()
    for (prefix, day), last_value in sequences.items():
        DocumentSequence.objects.update_or_create(prefix=prefix, day=day, defaults={"last_value": last_value})
    return counts


# --- Inventory operations: locations, levels in every alert state, a count, a transfer in transit ----------


def seed_operations(*, actor: Any) -> dict[str, int]:
    """Storage locations, stock levels putting products below safety stock, at the reorder point and above
    their maximum, the ABC/XYZ classification, an open count with a few lines counted and a transfer still
    partly in transit. Idempotent: does nothing once the demo count exists. Everything through the services."""
    from apps.inventory.models import StockCount
    from apps.inventory.services.classification import classification_recompute
    from apps.inventory.services.counts import CountEntryInput, stock_count_open, stock_count_record
    from apps.inventory.services.levels import StockLevelInput, stock_levels_bulk_set, storage_location_save
    from apps.inventory.services.transfers import (
        TransferLineInput,
        TransferReceiptInput,
        stock_transfer_create,
        stock_transfer_dispatch,
        stock_transfer_receive,
    )

    warehouses = list(Warehouse.objects.active().order_by("code")[:2])
    if len(warehouses) < 2 or StockCount.objects.filter(remarks__in=texts.in_every_language(texts.OPERATIONS)).exists():
        return {"skipped": 1}
    main, second = warehouses
    balances = list(
        StockBalance.objects.filter(warehouse=main, on_hand__gt=10).order_by("product__code").select_related("product")
    )[:40]
    if len(balances) < 10:
        return {"skipped": 1}
    locations = [
        storage_location_save(actor=actor, warehouse=main, code=f"{zone}-{shelf:02d}", zone=zone, sort_order=i)
        for i, (zone, shelf) in enumerate((zone, shelf) for zone in "AB" for shelf in range(1, 6))
    ]
    rows = [
        StockLevelInput(b.product_id, main.pk, location_id=locations[i % len(locations)].pk)
        for i, b in enumerate(balances)
    ]
    below, reorder, excess = balances[0], balances[1], balances[2]
    rows += [
        StockLevelInput(below.product_id, main.pk, safety_stock=below.on_hand + 20, reorder_point=below.on_hand + 30),
        StockLevelInput(
            reorder.product_id, main.pk, safety_stock=Decimal(1), reorder_point=reorder.on_hand + 5,
            max_stock=reorder.on_hand + 100,
        ),
        StockLevelInput(excess.product_id, main.pk, max_stock=excess.on_hand - 5),
    ]  # fmt: skip
    stock_levels_bulk_set(actor=actor, rows=rows)
    classified = classification_recompute(actor=None)
    count = stock_count_open(actor=actor, warehouse=main, remarks=str(texts.OPERATIONS))
    counted = balances[3:9]
    stock_count_record(
        actor=actor,
        count=count,
        entries=[CountEntryInput(b.product_id, b.on_hand - (1 if i % 3 == 0 else 0)) for i, b in enumerate(counted)],
    )
    transfer = stock_transfer_create(
        actor=actor,
        source=main,
        destination=second,
        date=timezone.localdate(),
        lines=[TransferLineInput(b.product_id, Decimal(4)) for b in balances[10:13]],
        remarks=str(texts.OPERATIONS),
    )
    stock_transfer_dispatch(actor=actor, transfer=transfer)
    first_line = transfer.lines.order_by("line_no").first()
    stock_transfer_receive(actor=actor, transfer=transfer, receipts=[TransferReceiptInput(first_line.pk, Decimal(4))])
    return {"locations": len(locations), "levels": len(rows), "classified": classified, "count_lines": len(counted)}
