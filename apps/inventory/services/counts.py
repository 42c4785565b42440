"""Stock counts (盘点单): open with book quantities, record counts, review, recount, post.

The rule that keeps a count right while stock keeps moving: every time a line is counted, it
keeps the on-hand of that moment (``snapshot_quantity``, read in the same statement that stores
the count). Posting adjusts each line by ``counted − snapshot``, so

    on-hand after posting = counted + movements posted after that line was counted.

Every function is a retried unit of work, checks the actor's permission and warehouse scope,
and costs a constant number of queries whatever the number of lines.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import (
    Case,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.db import atomic_with_retry
from apps.core.documents.pipeline import (
    Pipeline,
    Transition,
    document_transition,
    lock,
    replace,
    wrong_state,
)
from apps.core.documents.registry import register
from apps.core.fields import MONEY_QUANT, ZERO
from apps.core.models import AuditAction
from apps.core.services import audit_record, document_number_next
from apps.inventory.models import (
    COUNT_PREFIX,
    CountScope,
    CountStatus,
    InventoryPolicy,
    MovementType,
    StockBalance,
    StockClassification,
    StockCount,
    StockCountEntry,
    StockCountLine,
    StockLevel,
    StockMovement,
)
from apps.inventory.services import hooks
from apps.inventory.services.documents import document_post
from apps.inventory.services.ledger import StockLine, stock_lines_link
from apps.masterdata.models import Category, Product, ProductUnit, Warehouse
from apps.masterdata.selectors import category_descendant_ids, warehouse_scope_ids

QUANTITY = DecimalField(max_digits=18, decimal_places=4)
MONEY = DecimalField(max_digits=18, decimal_places=2)


@dataclass(slots=True)
class _PostedLine:
    """A count line as posting reads it: plain values, not a model instance per line."""

    pk: int
    line_no: int
    product_id: int
    counted_quantity: Decimal
    snapshot_quantity: Decimal
    avg_cost: Decimal | None
    book_cost: Decimal | None
    purchase_price: Decimal | None
    movement: Any = None


def _count_rule(document: StockCount, action: str, transition: Transition) -> Transition | None:
    """Above the settings' threshold a count is approved by a manager, never by whoever opened it."""
    if action == "post" and document.variance_value > InventoryPolicy.load().count_approval_threshold:
        return replace(
            transition,
            permission="inventory.approve_stockcount",
            label=gettext_lazy("Approve and post"),
            past=gettext_lazy("approved"),
            not_own=True,
            audit_action=AuditAction.APPROVED,
        )
    return transition


COUNT_PIPELINE = register(
    StockCount,
    Pipeline(
        {
            "submit": Transition(
                sources=frozenset({CountStatus.COUNTING}),
                target=CountStatus.PENDING,
                permission="inventory.change_stockcount",
                label=gettext_lazy("Finish counting"),
                past=gettext_lazy("submitted for review"),
                audit_action=AuditAction.SUBMITTED,
                style="primary",
            ),
            "recount": Transition(
                sources=frozenset({CountStatus.PENDING}),
                target=CountStatus.COUNTING,
                permission="inventory.change_stockcount",
                label=gettext_lazy("Recount the variances"),
                past=gettext_lazy("sent back for a recount"),
                audit_action=AuditAction.WITHDRAWN,
                style="outline-warning",
            ),
            "post": Transition(
                sources=frozenset({CountStatus.PENDING}),
                target=CountStatus.POSTED,
                permission="inventory.post_stockcount",
                label=gettext_lazy("Post"),
                past=gettext_lazy("posted"),
                audit_action=AuditAction.POSTED,
                style="success",
            ),
            "cancel": Transition(
                sources=frozenset({CountStatus.COUNTING, CountStatus.PENDING}),
                target=CountStatus.CANCELLED,
                permission="inventory.change_stockcount",
                label=gettext_lazy("Void"),
                past=gettext_lazy("voided"),
                style="outline-danger",
                confirm=gettext_lazy("Void this count? Nothing is posted."),
            ),
        },
        url_name="inventory:count_{action}",
        rule=_count_rule,
    ),
)


@dataclass(frozen=True)
class CountEntryInput:
    """A counted quantity of one product, in ``unit_id`` (the base unit when None).

    ``add``: scanning adds to what this person has counted of the line in this round; typing
    replaces it. Other people's counts of the same line are never touched.
    """

    product_id: int
    quantity: Decimal
    unit_id: int | None = None
    add: bool = False


def _check_warehouse(actor: Any, warehouse_id: int, permission: str) -> None:
    if not actor.has_perm(permission):
        raise PermissionDenied(_("You do not have permission to do this."))
    scope = warehouse_scope_ids(actor)
    if scope is not None and warehouse_id not in scope:
        raise PermissionDenied(_("This warehouse is outside your data scope."))


def _on_hand(warehouse_id: int, product: str = "product_id") -> Any:
    balance = StockBalance.objects.filter(product_id=OuterRef(product), warehouse_id=warehouse_id)
    return Coalesce(Subquery(balance.values("on_hand")[:1]), Value(ZERO), output_field=QUANTITY)


def _last_movement(warehouse_id: int, product: str = "product_id") -> Subquery:
    movements = StockMovement.objects.filter(product_id=OuterRef(product), warehouse_id=warehouse_id)
    # The ledger's order per product × warehouse is both (posted_at, id): this walks its index backwards.
    return Subquery(movements.order_by("-posted_at", "-id").values("id")[:1])


def _scope_products(
    *,
    warehouse: Warehouse,
    scope: str,
    category: Category | None,
    abc_class: str,
    location_from: str,
    location_to: str,
    product_ids: Sequence[int],
):
    in_stock = StockBalance.objects.filter(warehouse=warehouse).exclude(on_hand=0).values("product_id")
    products = Product.objects.all()
    if scope == CountScope.PRODUCTS:
        return products.filter(pk__in=list(product_ids))
    if scope == CountScope.LOCATIONS:
        levels = StockLevel.objects.filter(
            warehouse=warehouse, location__code__gte=location_from.upper(), location__code__lte=location_to.upper()
        )
        return products.filter(pk__in=levels.values("product_id"))
    products = products.filter(pk__in=in_stock)
    if scope == CountScope.CATEGORY:
        return products.filter(category_id__in=category_descendant_ids(category))
    if scope == CountScope.ABC:
        classified = StockClassification.objects.filter(warehouse=warehouse, abc=abc_class)
        return products.filter(pk__in=classified.values("product_id"))
    return products


def _check_scope(scope: str, category, abc_class: str, location_from: str, location_to: str, product_ids) -> None:
    errors = {}
    if scope not in CountScope.values:
        errors["scope"] = _("Choose what to count.")
    elif scope == CountScope.CATEGORY and category is None:
        errors["category"] = _("Choose the product category to count.")
    elif scope == CountScope.ABC and abc_class not in ("A", "B", "C"):
        errors["abc_class"] = _("Choose the ABC class to count.")
    elif scope == CountScope.LOCATIONS and not (location_from.strip() and location_to.strip()):
        errors["location_from"] = _("Give the first and the last location of the range.")
    elif scope == CountScope.PRODUCTS and not product_ids:
        errors["products"] = _("Choose the products to count.")
    if errors:
        raise ValidationError(errors, code="invalid_scope")


@atomic_with_retry
def stock_count_open(
    *,
    actor: Any,
    warehouse: Warehouse,
    scope: str = CountScope.ALL,
    category: Category | None = None,
    abc_class: str = "",
    location_from: str = "",
    location_to: str = "",
    product_ids: Sequence[int] = (),
    blind: bool = False,
    remarks: str = "",
) -> StockCount:
    """Open a count (PDD…) of ``warehouse`` and record each line's book quantity and location now.

    Lines are numbered in storage-location order (then item code), the order of the count
    sheet. Refuses an empty scope. Three queries to read the scope, one bulk insert.
    """
    _check_warehouse(actor, warehouse.pk, "inventory.add_stockcount")
    _check_scope(scope, category, abc_class, location_from, location_to, product_ids)
    products = _scope_products(
        warehouse=warehouse,
        scope=scope,
        category=category,
        abc_class=abc_class,
        location_from=location_from,
        location_to=location_to,
        product_ids=product_ids,
    )
    count = StockCount(
        warehouse=warehouse,
        scope=scope,
        category=category if scope == CountScope.CATEGORY else None,
        abc_class=abc_class if scope == CountScope.ABC else "",
        location_from=location_from.upper() if scope == CountScope.LOCATIONS else "",
        location_to=location_to.upper() if scope == CountScope.LOCATIONS else "",
        blind=blind,
        remarks=remarks,
        created_by=actor,
        status=CountStatus.COUNTING,
    )
    count.number = document_number_next(prefix=COUNT_PREFIX, day=timezone.localdate())
    count.save()
    lines = _insert_lines(count, products)
    if not lines:
        raise ValidationError(_("Nothing to count in this scope."), code="empty")
    audit_record(actor=actor, action=AuditAction.CREATED, instance=count, changes={"lines": lines})
    return count


def _insert_lines(count: StockCount, products) -> int:
    """Insert the count's lines straight from the scope query (``INSERT … SELECT``): book quantity, average
    cost, last movement and default location read in the same statement, rows numbered in location order."""
    warehouse_id = count.warehouse_id
    level = StockLevel.objects.filter(product_id=OuterRef("pk"), warehouse_id=warehouse_id)
    balance = StockBalance.objects.filter(product_id=OuterRef("pk"), warehouse_id=warehouse_id)
    select = (
        products.annotate(
            book=_on_hand(warehouse_id, "pk"),
            cost=Coalesce(Subquery(balance.values("avg_cost")[:1]), Value(ZERO), output_field=QUANTITY),
            last_movement=_last_movement(warehouse_id, "pk"),
            location=Coalesce(Subquery(level.values("location__code")[:1]), Value("")),
            location_sort=Subquery(level.values("location__sort_order")[:1]),
        )
        .annotate(
            row=Window(
                RowNumber(),
                order_by=[F("location_sort").asc(nulls_last=True), F("location").asc(), F("code").asc()],
            )
        )
        .order_by()
        .values_list("id", "row", "book", "cost", "last_movement", "location")
    )
    sql, params = select.query.sql_with_params()
    table = StockCountLine._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (count_id, line_no, product_id, book_quantity, book_cost, snapshot_quantity, "  # noqa: S608
            "snapshot_movement_id, location_code, round, added) "
            f"SELECT %s, s.row, s.id, s.book, s.cost, s.book, s.last_movement, s.location, 1, %s FROM ({sql}) s",
            [count.pk, False, *params],
        )
        return cursor.rowcount


def _locked_counting(count: StockCount, actor: Any) -> StockCount:
    _check_warehouse(actor, count.warehouse_id, "inventory.change_stockcount")
    locked = lock(count)
    if locked.status != CountStatus.COUNTING:
        raise wrong_state(locked, gettext_lazy("counted"))
    return locked


def _base_quantities(entries: Sequence[CountEntryInput]) -> tuple[list[Decimal], list[str]]:
    """Each entry's quantity in the base unit (one query for the conversion ratios), and the errors."""
    pairs = {(e.product_id, e.unit_id) for e in entries if e.unit_id is not None}
    ratios = {}
    if pairs:
        condition = Q()
        for product_id, unit_id in pairs:
            condition |= Q(product_id=product_id, unit_id=unit_id)
        ratios = {
            (p, u): r for p, u, r in ProductUnit.objects.filter(condition).values_list("product", "unit", "ratio")
        }
        base_units = dict(Product.objects.filter(pk__in={p for p, _u in pairs}).values_list("pk", "base_unit_id"))
        for product_id, unit_id in pairs:
            if base_units.get(product_id) == unit_id:
                ratios[(product_id, unit_id)] = Decimal(1)
    quantities, errors = [], []
    for index, entry in enumerate(entries, start=1):
        ratio = Decimal(1) if entry.unit_id is None else ratios.get((entry.product_id, entry.unit_id))
        if entry.quantity < 0 or (entry.add and entry.quantity == 0):
            errors.append(_("Entry %(row)s: the counted quantity cannot be negative.") % {"row": index})
        if ratio is None:
            errors.append(_("Entry %(row)s: the product has no such unit.") % {"row": index})
            ratio = Decimal(1)
        quantities.append(entry.quantity * ratio)
    return quantities, errors


@atomic_with_retry
def stock_count_record(*, actor: Any, count: StockCount, entries: Sequence[CountEntryInput]) -> int:
    """Record what ``actor`` counted; return the number of lines touched.

    A product not on the count is added as a line (found, not listed) with its book quantity
    now. Each line's counted quantity becomes the sum of everyone's entries of its current
    round, and the line keeps the on-hand of this moment (see the module docstring). Several
    people may record at once: each writes only their own entries, under the count's row lock.
    Refused when the count is no longer counting, for a negative quantity or an unknown unit.
    """
    if not entries:
        return 0
    locked = _locked_counting(count, actor)
    quantities, errors = _base_quantities(entries)
    product_ids = {entry.product_id for entry in entries}
    ordered = sorted(product_ids)
    known = {
        pk
        for start in range(0, len(ordered), 900)
        for pk in Product.objects.filter(pk__in=ordered[start : start + 900]).values_list("pk", flat=True)
    }
    errors += [
        _("Entry %(row)s: unknown product.") % {"row": index}
        for index, entry in enumerate(entries, start=1)
        if entry.product_id not in known
    ]
    if errors:
        raise ValidationError(errors, code="invalid_entry")
    lines, mine = _lines_of(locked, actor, product_ids)
    missing = sorted(product_ids - lines.keys())
    if missing:
        _add_found_lines(locked, missing)
        lines, mine = _lines_of(locked, actor, product_ids)
    rounds = dict(lines.values())
    lines = {product_id: line_id for product_id, (line_id, _round) in lines.items()}
    now = timezone.now()
    merged: dict[int, StockCountEntry] = {}
    for entry, base in zip(entries, quantities, strict=True):
        line_id = lines[entry.product_id]
        key = (line_id, rounds[line_id])
        previous = merged[line_id].quantity if line_id in merged else mine.get(key, ZERO)
        merged[line_id] = StockCountEntry(
            line_id=line_id,
            round=rounds[line_id],
            counted_by=actor,
            counted_at=now,
            quantity=previous + base if entry.add else base,
            unit_id=entry.unit_id,
            entered_quantity=entry.quantity,
        )
    StockCountEntry.objects.bulk_create(
        merged.values(),
        update_conflicts=True,
        unique_fields=["line", "round", "counted_by"],
        update_fields=["quantity", "counted_at", "unit", "entered_quantity"],
        batch_size=1000,
    )
    _refresh_lines(
        locked, StockCountLine.objects.filter(count=locked, entries__counted_by=actor, entries__counted_at=now)
    )
    return len(merged)


def _lines_of(count: StockCount, actor: Any, product_ids: set[int]) -> tuple[dict, dict]:
    """{product: (line, round)} of ``product_ids`` on the count, and {(line, round): quantity} of the
    actor's own entries on them; chunked so no statement exceeds SQLite's parameter limit."""
    lines, mine = {}, {}
    ordered = sorted(product_ids)
    for start in range(0, len(ordered), 900):
        chunk = ordered[start : start + 900]
        rows = StockCountLine.objects.filter(count=count, product_id__in=chunk).values_list("product_id", "pk", "round")
        lines.update({product_id: (pk, round_no) for product_id, pk, round_no in rows})
        entries = StockCountEntry.objects.filter(line__count=count, counted_by=actor, line__product_id__in=chunk)
        mine.update({(line, round_no): q for line, round_no, q in entries.values_list("line_id", "round", "quantity")})
    return lines, mine


def _refresh_lines(count: StockCount, lines) -> None:
    """Counted quantity = the sum of the current round's entries; snapshot = on-hand now, in one UPDATE."""
    total = (
        StockCountEntry.objects.filter(line_id=OuterRef("pk"), round=OuterRef("round"))
        .order_by()
        .values("line_id")
        .annotate(total=Sum("quantity"))
        .values("total")
    )
    lines.update(
        counted_quantity=Subquery(total, output_field=QUANTITY),
        counted_at=timezone.now(),
        snapshot_quantity=_on_hand(count.warehouse_id),
        snapshot_movement_id=_last_movement(count.warehouse_id),
    )


def _add_found_lines(count: StockCount, product_ids: list[int]) -> None:
    start = StockCountLine.objects.filter(count=count).order_by("-line_no").values_list("line_no", flat=True).first()
    rows = list(
        Product.objects.filter(pk__in=product_ids)
        .annotate(book=_on_hand(count.warehouse_id, "pk"), last_movement=_last_movement(count.warehouse_id, "pk"))
        .order_by("code")
        .values_list("pk", "book", "last_movement")
    )
    StockCountLine.objects.bulk_create(
        [
            StockCountLine(
                count=count,
                line_no=(start or 0) + index,
                product_id=product_id,
                book_quantity=book,
                snapshot_quantity=book,
                snapshot_movement_id=last_movement,
                added=True,
            )
            for index, (product_id, book, last_movement) in enumerate(rows, start=1)
        ]
    )


def _variance_values(count: StockCount) -> dict[str, Decimal]:
    """Surplus and shortage value of the counted lines at today's average cost, in one aggregate."""
    avg_cost = Subquery(
        StockBalance.objects.filter(product_id=OuterRef("product_id"), warehouse_id=count.warehouse_id).values(
            "avg_cost"
        )[:1]
    )
    lines = StockCountLine.objects.filter(count=count, counted_quantity__isnull=False).annotate(
        delta=ExpressionWrapper(F("counted_quantity") - F("snapshot_quantity"), output_field=QUANTITY),
        cost=Coalesce(avg_cost, F("book_cost")),
    )
    value = ExpressionWrapper(F("delta") * F("cost"), output_field=MONEY)
    totals = lines.aggregate(
        gain=Coalesce(Sum(Case(When(delta__gt=0, then=value), default=Value(ZERO), output_field=MONEY)), Value(ZERO)),
        loss=Coalesce(Sum(Case(When(delta__lt=0, then=-value), default=Value(ZERO), output_field=MONEY)), Value(ZERO)),
    )
    return {name: Decimal(total).quantize(MONEY_QUANT) for name, total in totals.items()}


@atomic_with_retry
def stock_count_submit(*, actor: Any, count: StockCount, reason: str = "") -> StockCount:
    """Finish counting: the count waits for review, with its surplus and shortage values."""
    _check_warehouse(actor, count.warehouse_id, "inventory.change_stockcount")

    def stamp(locked: StockCount) -> list[str]:
        values = _variance_values(locked)
        locked.gain_value, locked.loss_value = values["gain"], values["loss"]
        return ["gain_value", "loss_value"]

    submitted = document_transition(pipeline=COUNT_PIPELINE, document=count, action="submit", actor=actor, stamp=stamp)
    _tell_reviewed(submitted, "submit")
    return submitted


def _tell_reviewed(count: StockCount, action: str) -> None:
    event = hooks.CountReviewed(count_id=count.pk, action=action)
    transaction.on_commit(lambda: hooks.stock_count_reviewed(event))


@atomic_with_retry
def stock_count_recount(
    *, actor: Any, count: StockCount, line_ids: Sequence[int] | None = None, reason: str = ""
) -> StockCount:
    """Send lines back for a recount (复盘): the chosen ones, else every line with a variance.

    The first count stays beside the recount; the line's counted quantity starts again empty.
    """
    _check_warehouse(actor, count.warehouse_id, "inventory.change_stockcount")

    def stamp(locked: StockCount) -> list[str]:
        lines = StockCountLine.objects.filter(count=locked)
        if line_ids:
            lines = lines.filter(pk__in=list(line_ids))
        else:
            lines = lines.filter(counted_quantity__isnull=False).exclude(counted_quantity=F("snapshot_quantity"))
        changed = lines.update(
            first_count_quantity=Coalesce(F("first_count_quantity"), F("counted_quantity")),
            round=F("round") + 1,
            counted_quantity=None,
            counted_at=None,
        )
        if not changed:
            raise ValidationError(_("No line to recount: choose lines with a variance."), code="nothing_to_recount")
        locked.gain_value = locked.loss_value = ZERO
        return ["gain_value", "loss_value"]

    return document_transition(pipeline=COUNT_PIPELINE, document=count, action="recount", actor=actor, stamp=stamp)


@atomic_with_retry
def stock_count_post(*, actor: Any, count: StockCount, reason: str = "") -> StockCount:
    """Post every surplus and shortage in one posting at the moving average cost (盘盈 / 盘亏).

    Each counted line moves by ``counted − snapshot``; uncounted lines and lines without a
    variance post nothing. Above the settings' threshold only a manager who did not open the
    count may post (the pipeline's rule). ``InsufficientStock`` if a shortage meets stock that
    has left since; then nothing is written.
    """
    _check_warehouse(actor, count.warehouse_id, "inventory.change_stockcount")
    locked = lock(count)
    COUNT_PIPELINE.check(locked, "post", actor)
    lines = [
        _PostedLine(*row)
        for row in StockCountLine.objects.filter(count=locked, counted_quantity__isnull=False)
        .exclude(counted_quantity=F("snapshot_quantity"))
        .annotate(
            avg_cost=Subquery(
                StockBalance.objects.filter(product_id=OuterRef("product_id"), warehouse_id=locked.warehouse_id).values(
                    "avg_cost"
                )[:1]
            ),
            purchase_price=F("product__purchase_price"),
        )
        .order_by("line_no")
        .values_list(
            "pk", "line_no", "product_id", "counted_quantity", "snapshot_quantity", "avg_cost", "book_cost",
            "purchase_price",
        )
    ]  # fmt: skip
    stock_lines = []
    for line in lines:
        delta = line.counted_quantity - line.snapshot_quantity
        gain_cost = None if line.avg_cost else (line.book_cost or line.purchase_price)
        stock_lines.append(
            StockLine(
                product_id=line.product_id,
                warehouse_id=locked.warehouse_id,
                quantity=delta,
                movement_type=MovementType.COUNT_GAIN if delta > 0 else MovementType.COUNT_LOSS,
                unit_cost=gain_cost if delta > 0 else None,
                line_no=line.line_no,
            )
        )

    def finish(posting) -> list[str]:
        movements = posting.movement_list if posting else []
        stock_lines_link(lines=lines, movements=movements, model=StockCountLine)
        values = [movement.value for movement in movements]
        locked.gain_value = sum((v for v in values if v > 0), ZERO)
        locked.loss_value = -sum((v for v in values if v < 0), ZERO)
        return ["gain_value", "loss_value"]

    document_post(
        pipeline=COUNT_PIPELINE,
        document=locked,
        stock_lines=stock_lines,
        lines=None,
        actor=actor,
        memo=_("Stock count %(number)s") % {"number": locked.number},
        finish=finish,
        changes={"lines": len(stock_lines)},
    )
    _tell_reviewed(locked, "post")
    return locked


@atomic_with_retry
def stock_count_cancel(*, actor: Any, count: StockCount, reason: str = "") -> StockCount:
    """Void a count that is not posted; nothing reaches the ledger."""
    _check_warehouse(actor, count.warehouse_id, "inventory.change_stockcount")
    return document_transition(pipeline=COUNT_PIPELINE, document=count, action="cancel", actor=actor)
