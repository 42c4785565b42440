"""Stock ledger benchmarks on PostgreSQL (``make bench``).

1. Posting throughput at 1, 4 and 8 concurrent worker processes, single-line documents, the
   posting service side by side with the raw-SQL equivalent (psycopg2: lock the balance, insert
   the posting and the movement, update the balance, in one transaction).
2. A 100-line document: latency (median) and query count, for ``stock_post``, for the whole
   document service ``stock_adjustment_post``, and for a 100-line purchase receipt
   (``goods_receipt_post``) and a 100-line sales delivery (``shipment_post``).
3. With 10,000 products × 10 warehouses and 1,000,000 movements (``seed_scale``): server time
   of the stock on hand page, the ledger page of one product and the stock-as-of report
   (Django test client against the real views, median of several runs), and the two ways to
   compute stock as of a date.

Prints a table and writes ``benchmarks/results/latest.json``. Environment:
BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/jxc_bench), BENCH_SECONDS
(seconds per throughput run, default 8), BENCH_MOVEMENTS (default 1000000), BENCH_SKIP (comma
list of: throughput, document, pages, count).
"""

import datetime
import json
import multiprocessing
import os
import platform
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/jxc_bench")
SECONDS = float(os.environ.get("BENCH_SECONDS", "8"))
MOVEMENTS = int(os.environ.get("BENCH_MOVEMENTS", "1000000"))
SKIP = set(filter(None, os.environ.get("BENCH_SKIP", "").split(",")))
PRODUCTS, WAREHOUSES = 10_000, 10
HOT_PRODUCTS = 1000  # throughput runs spread over these products × 2 warehouses
WORKER_COUNTS = (1, 4, 8)
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2"))  # service/raw pairs per worker count
RUNS = 7


def setup_django() -> None:
    os.environ["DATABASE_URL"] = DATABASE_URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()


def ensure_database(database_url: str | None = None) -> None:
    """Create the PostgreSQL database of ``database_url`` (this benchmark's by default) if missing."""
    import psycopg2

    url = urlparse(database_url or DATABASE_URL)
    name = url.path.lstrip("/")
    admin = psycopg2.connect(
        host=url.hostname, port=url.port or 5432, user=url.username, password=url.password, dbname="postgres"
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cursor.fetchone():
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


# --- Master data -----------------------------------------------------------------------------


def ensure_master_data():
    """10,000 products and 10 warehouses made with bulk_create (the master data seeder is not used)."""
    from apps.accounts.models import User
    from apps.masterdata.models import Category, Product, Unit, Warehouse

    user, _created = User.objects.get_or_create(
        username="bench", defaults={"is_superuser": True, "is_staff": True, "first_name": "Bench"}
    )
    unit, _created = Unit.objects.get_or_create(code="PCS", defaults={"name": "个"})
    root, _created = Category.objects.get_or_create(code="BENCH", defaults={"name": "Benchmark"})
    categories = [
        Category.objects.get_or_create(code=f"BENCH{i:02d}", defaults={"name": f"Bench {i}", "parent": root})[0]
        for i in range(20)
    ]
    have = Product.objects.filter(code__startswith="B").count()
    if have < PRODUCTS:
        Product.objects.bulk_create(
            [
                Product(
                    code=f"B{i:05d}",
                    name=f"Bench product {i}",
                    category=categories[i % len(categories)],
                    base_unit=unit,
                    purchase_price=Decimal(10 + i % 90),
                )
                for i in range(have, PRODUCTS)
            ],
            batch_size=2000,
        )
    for i in range(WAREHOUSES):
        Warehouse.objects.get_or_create(code=f"BW{i:02d}", defaults={"name": f"Bench warehouse {i}"})
    products = list(Product.objects.filter(code__startswith="B").order_by("code").values_list("pk", flat=True))
    warehouses = list(Warehouse.objects.filter(code__startswith="BW").order_by("code").values_list("pk", flat=True))
    return user, products[:PRODUCTS], warehouses[:WAREHOUSES]


# --- 1. Throughput -----------------------------------------------------------------------------


def _worker(kind: str, hot_keys, user_id: int, barrier, seconds: float, seed: int, results) -> None:
    rng = random.Random(seed)
    run_id = f"{time.time():.0f}"
    if kind in ("service", "service_own_tx"):
        setup_django()
        from django.db import connection

        from apps.accounts.models import User
        from apps.core.db import atomic_with_retry
        from apps.inventory.models import MovementType
        from apps.inventory.services import StockLine, stock_post

        actor = User.objects.get(pk=user_id)

        def post_direct(product_id, warehouse_id, quantity, key):
            return stock_post(
                document_type="test",
                document_number="BENCH",
                lines=[
                    StockLine(
                        product_id,
                        warehouse_id,
                        Decimal(quantity),
                        MovementType.OTHER_RECEIPT if quantity > 0 else MovementType.OTHER_ISSUE,
                        unit_cost=Decimal("12.5") if quantity > 0 else None,
                    )
                ],
                actor=actor,
                idempotency_key=key,
            )

        # "service": as document services call it, inside atomic_with_retry (stock_post then runs in
        # a savepoint); "service_own_tx": stock_post as its own transaction, like the raw baseline.
        post = atomic_with_retry(post_direct) if kind == "service" else post_direct
        connection.ensure_connection()
    else:
        import psycopg2

        url = urlparse(DATABASE_URL)
        raw = psycopg2.connect(
            host=url.hostname, port=url.port or 5432, user=url.username, password=url.password,
            dbname=url.path.lstrip("/"),
        )  # fmt: skip

        def post(product_id, warehouse_id, quantity, key):
            with raw, raw.cursor() as cursor:  # one transaction: commit on success
                cursor.execute(
                    "SELECT on_hand, value, avg_cost FROM inventory_stockbalance "
                    "WHERE product_id = %s AND warehouse_id = %s FOR UPDATE",
                    [product_id, warehouse_id],
                )
                on_hand, value, avg_cost = cursor.fetchone()
                cost = Decimal("12.5") if quantity > 0 else avg_cost
                amount = (Decimal(quantity) * cost).quantize(Decimal("0.01"))
                now = datetime.datetime.now(datetime.UTC)
                cursor.execute(
                    "INSERT INTO inventory_stockposting (document_type, document_number, idempotency_key, posted_at, "
                    "posted_by_id, memo) VALUES ('test', 'BENCH-RAW', %s, %s, %s, '') RETURNING id",
                    [key, now, user_id],
                )
                (posting_id,) = cursor.fetchone()
                cursor.execute(
                    "INSERT INTO inventory_stockmovement (posting_id, line_no, product_id, warehouse_id, "
                    "movement_type, quantity, unit_cost, value, quantity_after, value_after, posted_at) "
                    "VALUES (%s, 1, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    [posting_id, product_id, warehouse_id, "other_receipt" if quantity > 0 else "other_issue",
                     quantity, cost, amount, on_hand + quantity, value + amount, now],
                )  # fmt: skip
                new_on_hand, new_value = on_hand + quantity, value + amount
                new_avg = (new_value / new_on_hand).quantize(Decimal("0.000001")) if new_on_hand > 0 else avg_cost
                cursor.execute(
                    "UPDATE inventory_stockbalance SET on_hand = %s, value = %s, avg_cost = %s, updated_at = %s "
                    "WHERE product_id = %s AND warehouse_id = %s",
                    [new_on_hand, new_value, new_avg, now, product_id, warehouse_id],
                )

    barrier.wait()  # every worker has set up Django and connected: start together
    done, errors, latencies = 0, 0, []
    deadline = time.time() + seconds
    while time.time() < deadline:
        product_id, warehouse_id = rng.choice(hot_keys)
        quantity = rng.randint(1, 5) if rng.random() < 0.6 else -rng.randint(1, 3)
        begun = time.perf_counter()
        try:
            post(product_id, warehouse_id, quantity, f"{kind}:{run_id}:{seed}:{done}:{errors}")
        except Exception:  # counted and reported, the run goes on
            errors += 1
            continue
        latencies.append(time.perf_counter() - begun)
        done += 1
    results.put((done, errors, statistics.median(latencies) if latencies else 0.0))


def bench_throughput(user, products, warehouses) -> list[dict]:
    from apps.inventory.models import MovementType
    from apps.inventory.services import StockLine, stock_post

    hot_keys = [(p, w) for p in products[:HOT_PRODUCTS] for w in warehouses[:2]]
    # Enough stock that no issue of the run is short.
    stock_post(
        document_type="test",
        document_number="BENCH-OPEN",
        lines=[StockLine(p, w, Decimal(100_000), MovementType.OPENING, unit_cost=Decimal(10)) for p, w in hot_keys],
        actor=user,
    )
    context = multiprocessing.get_context("spawn")
    rows = []
    for workers in WORKER_COUNTS:
        row = {"workers": workers}
        samples = {"service": [], "service_own_tx": [], "raw": []}
        # Alternate service and raw runs so both see the same (shared, noisy) machine.
        for kind in ("service", "service_own_tx", "raw") * ROUNDS:
            results = context.Queue()
            barrier = context.Barrier(workers)
            processes = [
                context.Process(
                    target=_worker,
                    args=(
                        kind,
                        hot_keys,
                        user.pk,
                        barrier,
                        SECONDS,
                        workers * 1000 + i + len(samples[kind]) * 100,
                        results,
                    ),
                )
                for i in range(workers)
            ]
            for process in processes:
                process.start()
            outcomes = [results.get() for _ in processes]
            for process in processes:
                process.join()
            samples[kind].append(
                (
                    sum(o[0] for o in outcomes) / SECONDS,
                    sum(o[1] for o in outcomes),
                    statistics.median(o[2] for o in outcomes),
                )
            )
        for kind, runs in samples.items():
            row[f"{kind}_per_s"] = round(statistics.mean(r[0] for r in runs), 1)
            row[f"{kind}_runs_per_s"] = [round(r[0], 1) for r in runs]
            row[f"{kind}_errors"] = sum(r[1] for r in runs)
            row[f"{kind}_median_ms"] = round(statistics.median(r[2] for r in runs) * 1000, 2)
        for kind in ("service", "service_own_tx"):
            row[f"{kind}_vs_raw"] = round(row[f"{kind}_per_s"] / row["raw_per_s"], 3) if row["raw_per_s"] else None
        print(f"  throughput {workers} worker(s): {row}", flush=True)
        rows.append(row)
    return rows


# --- 2. A 100-line document ----------------------------------------------------------------------


def bench_document(user, products, warehouses) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from apps.inventory.models import AdjustmentKind, MovementType
    from apps.inventory.services import (
        AdjustmentLineInput,
        StockLine,
        stock_adjustment_create,
        stock_adjustment_post,
        stock_post,
    )
    from apps.masterdata.models import Warehouse

    chosen = products[HOT_PRODUCTS : HOT_PRODUCTS + 100]
    warehouse_id = warehouses[3]
    post_ms, post_queries, doc_ms, doc_queries = [], [], [], []
    for run in range(RUNS + 1):
        lines = [
            StockLine(p, warehouse_id, Decimal(5), MovementType.OTHER_RECEIPT, unit_cost=Decimal("9.5"), line_no=i)
            for i, p in enumerate(chosen, start=1)
        ]
        with CaptureQueriesContext(connection) as captured:
            begun = time.perf_counter()
            stock_post(document_type="test", document_number=f"BENCH100-{run}", lines=lines, actor=user)
            elapsed = time.perf_counter() - begun
        if run:  # the first run warms caches
            post_ms.append(elapsed * 1000)
            post_queries.append(len(captured))
        document = stock_adjustment_create(
            actor=user,
            kind=AdjustmentKind.OTHER_RECEIPT,
            warehouse=Warehouse.objects.get(pk=warehouse_id),
            date=timezone.localdate(),
            lines=[AdjustmentLineInput(p, Decimal(3), Decimal("8.25")) for p in chosen],
        )
        with CaptureQueriesContext(connection) as captured:
            begun = time.perf_counter()
            stock_adjustment_post(actor=user, document=document)
            elapsed = time.perf_counter() - begun
        if run:
            doc_ms.append(elapsed * 1000)
            doc_queries.append(len(captured))
    result = {
        "stock_post_100_lines_median_ms": round(statistics.median(post_ms), 2),
        "stock_post_100_lines_queries": max(post_queries),
        "document_post_100_lines_median_ms": round(statistics.median(doc_ms), 2),
        "document_post_100_lines_queries": max(doc_queries),
    }
    print(f"  100-line document: {result}", flush=True)
    return result


def bench_purchase_and_sales(user, products, warehouses) -> dict:
    """A whole 100-line purchase receipt and a 100-line sales delivery, posted through their document services.

    Each run creates the draft outside the timing (a receipt without an order; a delivery of a
    confirmed sales order, its stock reserved) and times only the post: document lock, checks,
    ``stock_post``, line links, order / payable / receivable updates, audit.
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from apps.masterdata.models import Customer, Product, Supplier, Warehouse
    from apps.procurement.services import ReceiptLineInput, goods_receipt_create, goods_receipt_post
    from apps.sales.services import (
        OrderLineInput,
        ShipmentLineInput,
        sales_order_confirm,
        sales_order_create,
        sales_order_submit,
        shipment_create,
        shipment_post,
    )

    supplier, _created = Supplier.objects.get_or_create(code="BENCHS", defaults={"name": "Bench supplier"})
    customer, _created = Customer.objects.get_or_create(code="BENCHC", defaults={"name": "Bench customer"})
    chosen = list(Product.objects.filter(pk__in=products[HOT_PRODUCTS + 100 : HOT_PRODUCTS + 200]).order_by("pk"))
    warehouse = Warehouse.objects.get(pk=warehouses[4])
    today = timezone.localdate()
    receipt_ms, receipt_queries, delivery_ms, delivery_queries = [], [], [], []
    for run in range(RUNS + 1):
        receipt = goods_receipt_create(
            actor=user,
            supplier=supplier,
            warehouse=warehouse,
            receipt_date=today,
            reason="Benchmark",
            lines=[
                ReceiptLineInput(received_quantity=Decimal(6), product=p, unit_price=Decimal("9.5")) for p in chosen
            ],
        )
        with CaptureQueriesContext(connection) as captured:
            begun = time.perf_counter()
            goods_receipt_post(actor=user, receipt=receipt)
            elapsed = time.perf_counter() - begun
        if run:
            receipt_ms.append(elapsed * 1000)
            receipt_queries.append(len(captured))

        order = sales_order_create(
            customer=customer,
            warehouse=warehouse,
            order_date=today,
            lines=[OrderLineInput(product=p, quantity=Decimal(2), unit_price=Decimal(20)) for p in chosen],
            actor=user,
        )
        order = sales_order_confirm(order=sales_order_submit(order=order, actor=user), actor=user)
        shipment = shipment_create(
            customer=customer,
            warehouse=warehouse,
            ship_date=today,
            lines=[ShipmentLineInput(order_line=line, quantity=line.quantity) for line in order.lines.order_by("pk")],
            actor=user,
        )
        with CaptureQueriesContext(connection) as captured:
            begun = time.perf_counter()
            shipment_post(shipment=shipment, actor=user)
            elapsed = time.perf_counter() - begun
        if run:
            delivery_ms.append(elapsed * 1000)
            delivery_queries.append(len(captured))
    result = {
        "purchase_receipt_100_lines_median_ms": round(statistics.median(receipt_ms), 2),
        "purchase_receipt_100_lines_queries": max(receipt_queries),
        "sales_delivery_100_lines_median_ms": round(statistics.median(delivery_ms), 2),
        "sales_delivery_100_lines_queries": max(delivery_queries),
    }
    print(f"  100-line receipt and delivery: {result}", flush=True)
    return result


# --- 3. Pages at a million movements -------------------------------------------------------------


def ensure_scale(user, products, warehouses) -> dict:
    from apps.demo.seeders.inventory import seed_scale
    from apps.inventory.models import StockMovement

    existing = StockMovement.objects.count()
    if existing >= MOVEMENTS:
        return {"seeded_now": 0, "movements": existing, "seed_seconds": None}
    begun = time.perf_counter()
    counts = seed_scale(movements=MOVEMENTS - existing, actor=user, product_ids=products, warehouse_ids=warehouses)
    seconds = time.perf_counter() - begun
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # what autovacuum does after a bulk load
    print(f"  seeded {counts['movements']} movements in {seconds:.1f} s", flush=True)
    return {
        "seeded_now": counts["movements"],
        "movements": StockMovement.objects.count(),
        "seed_seconds": round(seconds, 1),
    }


def _time(function, runs: int = RUNS) -> float:
    function()  # warm-up
    samples = []
    for _ in range(runs):
        begun = time.perf_counter()
        function()
        samples.append(time.perf_counter() - begun)
    return round(statistics.median(samples) * 1000, 1)


def bench_pages(user, products, warehouses) -> dict:
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Max, Min
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from apps.inventory.models import StockMovement
    from apps.inventory.selectors import stock_as_of, stock_as_of_totals, stock_on_hand
    from apps.masterdata.models import Product

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # the throughput runs left dead balance rows behind
    client = Client()
    client.force_login(user)
    # The busiest product of the seeded ledger (not one of the throughput products).
    product_id = products[HOT_PRODUCTS + 500]
    span = StockMovement.objects.aggregate(first=Min("posted_at"), last=Max("posted_at"))
    middle = timezone.localdate(span["first"] + (span["last"] - span["first"]) / 2)
    one_product = StockMovement.objects.filter(product_id=product_id).count()

    def get(url):
        def call():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            response.content  # noqa: B018  (render fully)

        return call

    pages = {
        "stock_on_hand": reverse("inventory:stock_list"),
        "stock_on_hand_one_warehouse": reverse("inventory:stock_list") + f"?warehouse={warehouses[0]}",
        "stock_on_hand_below_safety": reverse("inventory:stock_list") + "?below_safety=on",
        "ledger_one_product": reverse("inventory:movement_list") + f"?product={product_id}",
        "ledger_one_product_last_page": reverse("inventory:movement_list") + f"?product={product_id}&sort=-posted_at",
        "ledger_all": reverse("inventory:movement_list"),
        "as_of_report_middle_of_year": reverse("inventory:stock_as_of") + f"?day={middle:%Y-%m-%d}",
        "as_of_report_today": reverse("inventory:stock_as_of"),
    }
    results = {name: _time(get(url)) for name, url in pages.items()}
    results["ledger_one_product_movements"] = one_product

    # Stock as of a date, two shapes over every product × warehouse (the whole report, no paging).
    cutoff = datetime.datetime.combine(middle + datetime.timedelta(days=1), datetime.time.min)
    cutoff = timezone.make_aware(cutoff)
    balance_qs = stock_on_hand(user=user)

    def as_of_last_running_balance():
        rows = stock_as_of(user=user, day=middle).order_by().values_list("qty_as_of", "value_as_of")
        return sum(q for q, _v in rows)

    def as_of_balance_minus_later():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT SUM(b.on_hand - COALESCE(l.quantity, 0)) FROM inventory_stockbalance b LEFT JOIN "
                "(SELECT product_id, warehouse_id, SUM(quantity) AS quantity FROM inventory_stockmovement "
                "WHERE posted_at >= %s GROUP BY product_id, warehouse_id) l "
                "ON l.product_id = b.product_id AND l.warehouse_id = b.warehouse_id",
                [cutoff],
            )
            return cursor.fetchone()[0]

    def as_of_totals():
        return stock_as_of_totals(balances=balance_qs, movements=StockMovement.objects.all(), day=middle)

    results["as_of_all_rows_last_running_balance"] = _time(as_of_last_running_balance, 3)
    results["as_of_all_rows_balance_minus_later"] = _time(as_of_balance_minus_later, 3)
    results["as_of_totals_only"] = _time(as_of_totals, 3)
    results["as_of_day"] = middle.isoformat()
    begun = time.perf_counter()
    call_command("verify_ledger", stdout=open(os.devnull, "w"))  # noqa: SIM115
    results["verify_ledger_seconds"] = round(time.perf_counter() - begun, 1)
    results["products"] = Product.objects.count()
    print(f"  pages: {results}", flush=True)
    return results


# --- 4. A 5,000-line stock count ---------------------------------------------------------------

COUNT_LINES = 5000


def bench_count(user, products) -> dict:
    """Open a 5,000-line count, enter every quantity through the sheet's page saves, review and post it.

    Server time through Django's test client (no network), on a warehouse of its own stocked once
    with one 5,000-line opening posting. The posting is approved by a second user (above the
    approval threshold the opener may not post).
    """
    import time

    from django.test import Client
    from django.urls import reverse

    from apps.accounts.models import User
    from apps.inventory.models import MovementType, StockBalance, StockCount
    from apps.inventory.services import StockLine, stock_post
    from apps.inventory.views_counts import SHEET_PAGE_SIZE
    from apps.masterdata.models import Warehouse

    warehouse, _created = Warehouse.objects.get_or_create(code="BCOUNT", defaults={"name": "Bench count"})
    chosen = products[:COUNT_LINES]
    if StockBalance.objects.filter(warehouse=warehouse).count() < COUNT_LINES:
        stock_post(
            document_type="test",
            document_number="BENCH-COUNT-OPEN",
            lines=[
                StockLine(pk, warehouse.pk, Decimal(50), MovementType.OPENING, unit_cost=Decimal(3)) for pk in chosen
            ],
            actor=user,
            idempotency_key=f"bench-count-open:{warehouse.pk}",
        )
    approver, _created = User.objects.get_or_create(
        username="bench-approver", defaults={"is_superuser": True, "is_staff": True, "first_name": "Approver"}
    )
    client, second = Client(), Client()
    client.force_login(user)
    second.force_login(approver)
    timings: dict[str, float] = {}

    def timed(name, call):
        start = time.perf_counter()
        response = call()
        timings[name] = timings.get(name, 0.0) + time.perf_counter() - start
        if response.status_code not in (200, 302):
            raise RuntimeError(f"{name}: HTTP {response.status_code}")
        return response

    timed("open", lambda: client.post(reverse("inventory:count_create"), {"warehouse": warehouse.pk, "scope": "all"}))
    count = StockCount.objects.filter(warehouse=warehouse).latest("id")
    lines = list(count.lines.order_by("line_no").values_list("pk", "product__code"))
    # One page of the sheet typed in, the other 4,900 pasted from a handheld's export: the two bulk paths.
    sheet = reverse("inventory:count_scan", args=[count.pk])
    page = lines[:SHEET_PAGE_SIZE]
    data = {"line": [pk for pk, _code in page], **{f"qty-{pk}": str(50 + (pk % 7) - 3) for pk, _code in page}}
    timed("enter_sheet_page", lambda: client.post(sheet, data))
    rows = "\n".join(f"{code}\t{50 + (pk % 7) - 3}" for pk, code in lines[SHEET_PAGE_SIZE:])
    timed("enter_paste", lambda: client.post(reverse("inventory:count_paste", args=[count.pk]), {"rows": rows}))
    timed("submit", lambda: client.post(reverse("inventory:count_submit", args=[count.pk])))
    timed("review", lambda: client.get(reverse("inventory:count_detail", args=[count.pk])))
    timed("post", lambda: second.post(reverse("inventory:count_post", args=[count.pk])))
    count.refresh_from_db()
    if count.status != "posted":
        raise RuntimeError(f"the count was not posted: {count.status}")
    result = {key: round(value, 2) for key, value in timings.items()}
    result["lines"] = len(lines)
    result["total_s"] = round(sum(timings.values()), 2)
    return result


def machine() -> dict:
    from django.db import connection

    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kb / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
    return {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": memory,
        "python": platform.python_version(),
        "postgresql": server,
        "os": platform.platform(),
    }


def print_table(report: dict) -> None:
    print("\nStock ledger benchmarks —", report["machine"]["date"], "—", report["machine"]["cpu"],
          f"({report['machine']['cores']} cores), PostgreSQL {report['machine']['postgresql']}")  # fmt: skip
    if "throughput" in report:
        print(
            f"\n{'workers':>8} {'service/s':>10} {'own-tx/s':>10} {'raw/s':>10} {'ratio':>7} {'own-tx ratio':>13} "
            f"{'svc p50 ms':>11} {'raw p50 ms':>11}"
        )
        for row in report["throughput"]:
            print(
                f"{row['workers']:>8} {row['service_per_s']:>10} {row['service_own_tx_per_s']:>10} "
                f"{row['raw_per_s']:>10} {row['service_vs_raw']:>7} {row['service_own_tx_vs_raw']:>13} "
                f"{row['service_median_ms']:>11} {row['raw_median_ms']:>11}"
            )
    for section in ("document", "scale", "pages", "count"):
        if section in report:
            print(f"\n{section}:")
            for key, value in report[section].items():
                print(f"  {key:<40} {value}")


def main() -> None:
    ensure_database()
    setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    user, products, warehouses = ensure_master_data()
    report = {"machine": machine(), "database": DATABASE_URL.rsplit("@", 1)[-1]}
    print("benchmarking on", report["database"], flush=True)
    if "pages" not in SKIP:
        report["scale"] = ensure_scale(user, products, warehouses)
    if "throughput" not in SKIP:
        report["throughput"] = bench_throughput(user, products, warehouses)
    if "document" not in SKIP:
        report["document"] = bench_document(user, products, warehouses)
        report["document"].update(bench_purchase_and_sales(user, products, warehouses))
    if "pages" not in SKIP:
        report["pages"] = bench_pages(user, products, warehouses)
    if "count" not in SKIP:
        report["count"] = bench_count(user, products)
    print_table(report)
    out = ROOT / "benchmarks" / "results" / "latest.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, default=str) + "\n")
    print(f"\nwritten to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
