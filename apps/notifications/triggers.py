"""When to tell whom: the alert rules, checked right after a posting commits and by the sweep.

Stock rules follow the per-warehouse levels of ``apps.inventory`` (StockLevel):
below safety stock (available < safety stock) and reorder point reached (available + on order ≤
reorder point) go to the buyers of that warehouse. A late purchase order goes to its buyer; goods
rejected at inspection to the order's buyer (the warehouse's buyers without an order); a sales
order over the credit limit to the managers; an overdue receivable to the customer's clerk.
"""

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.db.models import F, Min, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from apps.core.fields import QuantityField
from apps.inventory.models import StockBalance, StockLevel
from apps.inventory.selectors_levels import OPEN_ORDER_STATUSES, on_order_subquery, stock_thresholds
from apps.inventory.services.hooks import CountReviewed, Posted
from apps.notifications import queue, routing
from apps.notifications.models import NotificationKind
from apps.notifications.services import (
    notification_close,
    notification_raise,
    notifications_close_except,
    notifications_close_keys,
)

ZERO = Value(Decimal(0), output_field=QuantityField())
RECEIPT_DOCUMENT_TYPE = "procurement.goodsreceipt"
REJECTION_DAYS = 7
CHUNK = 900  # ids per IN (...): below SQLite's default variable limit


def _money(amount: Decimal) -> str:
    return f"¥{Decimal(str(amount)):,.2f}"


def _plain(number: Decimal) -> str:
    text = f"{Decimal(number):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


# --- Stock levels -----------------------------------------------------------------------------


def _levels():
    available = StockBalance.objects.filter(product_id=OuterRef("product_id"), warehouse_id=OuterRef("warehouse_id"))
    return StockLevel.objects.select_related("product", "warehouse").annotate(
        available=Coalesce(Subquery(available.values("available")[:1]), ZERO, output_field=QuantityField()),
        on_order=on_order_subquery(),
    )


BELOW = Q(safety_stock__gt=0, available__lt=F("safety_stock"))
REORDER = Q(reorder_point__gt=0, available__lte=F("reorder_point") - F("on_order"))


def _stock_key(kind: str, product_id: int, warehouse_id: int) -> str:
    return f"{kind}:{product_id}:{warehouse_id}"


def _raise_level(kind: str, level: Any) -> None:
    position = level.available + level.on_order
    order_up_to = level.max_stock if level.max_stock is not None else level.reorder_point
    params = {
        "product": str(level.product),
        "warehouse": str(level.warehouse),
        "available": _plain(level.available),
        "safety": _plain(level.safety_stock),
        "reorder_point": _plain(level.reorder_point),
        "suggested": _plain(max(order_up_to - position, Decimal(0))),
    }
    url = reverse("inventory:stock_alerts") + "?" + urlencode({"kind": kind, "warehouse": level.warehouse_id})
    notification_raise(
        kind=kind,
        key=_stock_key(kind, level.product_id, level.warehouse_id),
        recipients=routing.buyers_of(level.warehouse_id),
        params=params,
        url=url,
        warehouse_id=level.warehouse_id,
    )


def check_stock(
    *,
    keys: Iterable[tuple[int, int]],
    available: Mapping[tuple[int, int], Decimal] | None = None,
    thresholds: Mapping[tuple[int, int], tuple[Decimal, Decimal]] | None = None,
) -> None:
    """Raise or close the below-safety and reorder notifications of these (product, warehouse) balances.

    A constant number of statements per 2,000 products, however many balances a posting moved
    (a 5,000-line count): the levels are read by product and warehouse lists and matched to the
    keys here, and the cleared ones are closed in bulk.

    With ``available`` (what a posting left, as the ledger reports it) a posting pays one plain
    read of the thresholds (none when the ledger read them under its locks) and one UPDATE if
    some cleared: a balance without a safety stock or reorder point raises nothing (a
    notification left open by a removed threshold is the sweep's), and one above both
    thresholds only closes. Only the others (rare) take the full check, with the quantity on
    order.
    """
    keys = sorted(set(keys))
    if not keys:
        return
    if available is not None:
        keys, cleared = _screen(keys, available, thresholds)
        notifications_close_keys(keys=cleared)
        if not keys:
            return
    wanted = set(keys)
    warehouse_ids = sorted({warehouse_id for _product_id, warehouse_id in keys})
    product_ids = sorted({product_id for product_id, _warehouse_id in keys})
    levels: dict[tuple[int, int], Any] = {}
    below: set[tuple[int, int]] = set()
    reorder: set[tuple[int, int]] = set()
    for start in range(0, len(product_ids), CHUNK):
        scoped = _levels().filter(product_id__in=product_ids[start : start + CHUNK], warehouse_id__in=warehouse_ids)
        levels.update((key, lv) for lv in scoped if (key := (lv.product_id, lv.warehouse_id)) in wanted)
        below.update(key for key in scoped.filter(BELOW).values_list("product_id", "warehouse_id") if key in wanted)
        reorder.update(key for key in scoped.filter(REORDER).values_list("product_id", "warehouse_id") if key in wanted)
    cleared = []
    for key in keys:
        for kind, active in ((NotificationKind.BELOW_SAFETY, below), (NotificationKind.REORDER, reorder)):
            if key in active:
                _raise_level(kind, levels[key])
            else:
                cleared.append(_stock_key(kind, *key))
    notifications_close_keys(keys=cleared)


def _screen(keys: list[tuple[int, int]], available: Mapping[tuple[int, int], Decimal], thresholds=None):
    """``(keys that need the full check, notification keys to close)``, from the thresholds alone."""
    if thresholds is None:
        thresholds = stock_thresholds(keys)
    full, cleared = [], []
    for key, (safety, reorder) in thresholds.items():
        quantity = available.get(key)
        if quantity is None or (safety > 0 and quantity < safety) or (reorder > 0 and quantity <= reorder):
            full.append(key)
        else:
            cleared.extend(_stock_key(kind, *key) for kind in (NotificationKind.BELOW_SAFETY, NotificationKind.REORDER))
    return sorted(full), cleared


def sweep_stock() -> None:
    for kind, condition in ((NotificationKind.BELOW_SAFETY, BELOW), (NotificationKind.REORDER, REORDER)):
        keys = []
        for level in _levels().filter(condition).order_by("warehouse_id", "product_id"):
            _raise_level(kind, level)
            keys.append(_stock_key(kind, level.product_id, level.warehouse_id))
        notifications_close_except(kind=kind, keys=keys)


# --- Stock counts ------------------------------------------------------------------------------


def check_count_variance(*, count_id: int) -> None:
    """Tell the managers about a submitted or posted count whose surplus + shortage value is above
    ``InventoryPolicy.count_variance_alert_threshold``; close the alert when a recount brought it under."""
    from apps.inventory.models import InventoryPolicy, StockCount

    count = StockCount.objects.select_related("warehouse").filter(pk=count_id).first()
    if count is None:
        return
    key = f"count_variance:{count.pk}"
    threshold = InventoryPolicy.load().count_variance_alert_threshold
    if count.variance_value <= threshold:
        notification_close(key=key)
        return
    notification_raise(
        kind=NotificationKind.COUNT_VARIANCE,
        key=key,
        recipients=routing.managers(),
        params={
            "number": count.number,
            "warehouse": str(count.warehouse),
            "variance": _money(count.variance_value),
            "gain": _money(count.gain_value),
            "loss": _money(count.loss_value),
            "threshold": _money(threshold),
        },
        url=count.get_absolute_url(),
        warehouse_id=count.warehouse_id,
    )


# --- Purchasing ------------------------------------------------------------------------------


def sweep_late_purchase_orders(*, today: datetime.date) -> None:
    from apps.procurement.models import PurchaseOrder

    keys = []
    late = PurchaseOrder.objects.filter(status__in=OPEN_ORDER_STATUSES, expected_date__lt=today).select_related(
        "supplier", "buyer"
    )
    for order in late:
        key = f"late_po:{order.pk}"
        keys.append(key)
        notification_raise(
            kind=NotificationKind.LATE_PURCHASE_ORDER,
            key=key,
            recipients=routing.active(order.buyer),
            params={"number": order.number, "supplier": str(order.supplier), "expected": f"{order.expected_date}"},
            url=order.get_absolute_url(),
            warehouse_id=order.warehouse_id,
        )
    notifications_close_except(kind=NotificationKind.LATE_PURCHASE_ORDER, keys=keys)


def check_rejections(*, receipts) -> None:
    """Tell the buyer once about each posted receipt with goods rejected at inspection."""
    for receipt in (
        receipts.filter(status="posted", lines__rejected_base__gt=0)
        .distinct()
        .select_related("order__buyer", "supplier")
    ):
        buyer = receipt.order.buyer if receipt.order_id else None
        notification_raise(
            kind=NotificationKind.REJECTED,
            key=f"rejected:{receipt.pk}",
            recipients=routing.active(buyer) if buyer else routing.buyers_of(receipt.warehouse_id),
            params={"number": receipt.number, "supplier": str(receipt.supplier)},
            url=receipt.get_absolute_url(),
            warehouse_id=receipt.warehouse_id,
            once=True,
        )


# --- Sales -----------------------------------------------------------------------------------


def sweep_credit() -> None:
    from apps.sales.models import SalesOrder, SalesOrderStatus

    keys, managers = [], routing.managers()
    for order in SalesOrder.objects.filter(status=SalesOrderStatus.PENDING, over_credit_limit=True).select_related(
        "customer"
    ):
        key = f"credit_limit:{order.pk}"
        keys.append(key)
        notification_raise(
            kind=NotificationKind.CREDIT_LIMIT,
            key=key,
            recipients=managers,
            params={"number": order.number, "customer": str(order.customer)},
            url=order.get_absolute_url(),
        )
    notifications_close_except(kind=NotificationKind.CREDIT_LIMIT, keys=keys)


def sweep_overdue(*, today: datetime.date) -> None:
    from apps.masterdata.models import Customer
    from apps.sales.models import Receivable

    rows = list(
        Receivable.objects.filter(outstanding__gt=Decimal("0.005"), due_date__lt=today)
        .order_by("customer_id")
        .values("customer_id")
        .annotate(amount=Sum("outstanding"), due=Min("due_date"))
    )
    customers = Customer.objects.select_related("salesperson").in_bulk([row["customer_id"] for row in rows])
    keys = []
    for row in rows:
        customer = customers[row["customer_id"]]
        key = f"overdue:{customer.pk}"
        keys.append(key)
        notification_raise(
            kind=NotificationKind.OVERDUE_RECEIVABLE,
            key=key,
            recipients=routing.active(customer.salesperson),
            params={
                "customer": str(customer),
                "amount": _money(row["amount"]),
                "due": f"{row['due']}",
            },
            url=reverse("sales:customer_overview", args=[customer.pk]),
        )
    notifications_close_except(kind=NotificationKind.OVERDUE_RECEIVABLE, keys=keys)


# --- Entry points ------------------------------------------------------------------------------


def stock_posted(event: Posted) -> None:
    """Ledger listener (after commit): check the moved balances, and a receipt's rejections."""
    queue.enqueue(
        check_stock_posted,
        keys=sorted(event.keys),
        document_type=event.document_type,
        document_number=event.document_number,
        available=[[*key, str(quantity)] for key, quantity in sorted(event.available.items())],
        thresholds=None
        if event.thresholds is None
        else [[*key, str(safety), str(reorder)] for key, (safety, reorder) in sorted(event.thresholds.items())],
    )


def stock_count_reviewed(event: CountReviewed) -> None:
    """Count listener (after commit): a submitted or posted count's variance against the threshold."""
    queue.enqueue(check_count_variance, count_id=event.count_id)


def check_stock_posted(
    *,
    keys: list,
    document_type: str,
    document_number: str,
    available: list | None = None,
    thresholds: list | None = None,
) -> None:
    quantities = {(p, w): Decimal(quantity) for p, w, quantity in available} if available else None
    levels = None if thresholds is None else {(p, w): (Decimal(s), Decimal(r)) for p, w, s, r in thresholds}
    check_stock(keys=[tuple(key) for key in keys], available=quantities, thresholds=levels)
    if document_type == RECEIPT_DOCUMENT_TYPE:
        from apps.procurement.models import GoodsReceipt

        check_rejections(receipts=GoodsReceipt.objects.filter(number=document_number))


def sweep(*, today: datetime.date | None = None) -> None:
    """Every rule over everything: raise what holds, close what cleared (the scheduled job)."""
    from apps.procurement.models import GoodsReceipt

    today = today or timezone.localdate()
    sweep_stock()
    sweep_late_purchase_orders(today=today)
    check_rejections(
        receipts=GoodsReceipt.objects.filter(receipt_date__gte=today - datetime.timedelta(days=REJECTION_DAYS))
    )
    sweep_credit()
    sweep_overdue(today=today)
