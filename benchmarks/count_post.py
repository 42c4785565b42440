"""Posting a 5,000-line stock count: wall time, statements and, optionally, a profile.

Runs on PostgreSQL (its own database, created if missing) or on SQLite (a fresh file):

    .venv/bin/python benchmarks/count_post.py                      # PostgreSQL, jxc_bench_count
    BENCH_COUNT_DATABASE_URL=sqlite:////tmp/count.sqlite3 .venv/bin/python benchmarks/count_post.py
    BENCH_PROFILE=1 ...                                            # + the 25 costliest functions

Each run opens a fresh count of a warehouse stocked with ``BENCH_COUNT_LINES`` products (default
5,000), records every line (one in seven with a variance either way) through
``stock_count_record``, submits it and then times ``stock_count_post`` (the whole unit of work:
the document lock, the variance read, the ledger posting, the line links, status and audit) and,
for comparison with the earlier page timing, the same through the post view on a second count.
"""

import cProfile
import io
import os
import pstats
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE_URL = os.environ.get("BENCH_COUNT_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/jxc_bench_count")
LINES = int(os.environ.get("BENCH_COUNT_LINES", "5000"))
PROFILE = os.environ.get("BENCH_PROFILE") == "1"


def ensure_database() -> None:
    if DATABASE_URL.startswith("sqlite"):
        return
    import run  # the ledger benchmark's helper

    run.ensure_database(DATABASE_URL)


def setup_django() -> None:
    os.environ["DATABASE_URL"] = DATABASE_URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def stocked_warehouse(user):
    """A warehouse holding ``LINES`` products (made once, with one opening posting)."""
    from apps.inventory.models import MovementType, StockBalance
    from apps.inventory.services import StockLine, stock_post
    from apps.masterdata.models import Category, Product, Unit, Warehouse

    warehouse, _created = Warehouse.objects.get_or_create(code="BCOUNT", defaults={"name": "Bench count"})
    if StockBalance.objects.filter(warehouse=warehouse, on_hand__gt=0).count() >= LINES:
        return warehouse
    category, _created = Category.objects.get_or_create(code="BENCH", defaults={"name": "Bench"})
    unit, _created = Unit.objects.get_or_create(code="PCS", defaults={"name": "个"})
    have = set(Product.objects.filter(code__startswith="C").values_list("code", flat=True))
    Product.objects.bulk_create(
        [
            Product(code=code, name=f"盘点商品 {n}", category=category, base_unit=unit, purchase_price=Decimal(3))
            for n in range(LINES)
            if (code := f"C{n:06d}") not in have
        ],
        batch_size=2000,
    )
    ids = list(Product.objects.filter(code__startswith="C").order_by("code").values_list("pk", flat=True)[:LINES])
    for start in range(0, len(ids), 1000):
        stock_post(
            document_type="test",
            document_number="BENCH-COUNT-OPEN",
            lines=[
                StockLine(pk, warehouse.pk, Decimal(50), MovementType.OPENING, unit_cost=Decimal(3))
                for pk in ids[start : start + 1000]
            ],
            actor=user,
            idempotency_key=f"bench-count-open:{warehouse.pk}:{start}",
        )
    return warehouse


def counted(user, warehouse):
    """A fresh, submitted count of ``warehouse`` with every line counted."""
    from apps.inventory.models import StockCount
    from apps.inventory.services.counts import (
        CountEntryInput,
        stock_count_open,
        stock_count_record,
        stock_count_submit,
    )

    StockCount.objects.filter(warehouse=warehouse, status__in=["counting", "review"]).update(status="cancelled")
    count = stock_count_open(actor=user, warehouse=warehouse)
    lines = list(count.lines.values_list("product_id", "book_quantity"))
    entries = [CountEntryInput(pk, max(book + (pk % 7) - 3, Decimal(0))) for pk, book in lines]
    stock_count_record(actor=user, count=count, entries=entries)
    return stock_count_submit(actor=user, count=count), len(lines)


def main() -> None:
    ensure_database()
    setup_django()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from apps.accounts.models import User
    from apps.inventory.services.counts import stock_count_post

    user, _created = User.objects.get_or_create(
        username="bench-count", defaults={"is_superuser": True, "is_staff": True, "first_name": "Bench"}
    )
    approver, _created = User.objects.get_or_create(
        username="bench-count-approver", defaults={"is_superuser": True, "is_staff": True, "first_name": "Approver"}
    )
    warehouse = stocked_warehouse(user)
    print(f"{connection.vendor}: {DATABASE_URL.rsplit('@', 1)[-1]}", flush=True)

    from apps.inventory.services import hooks

    committed: list[float] = []
    listeners = hooks.stock_posted

    def on_commit(event) -> None:
        committed.append(time.perf_counter())
        listeners(event)

    hooks.stock_posted = on_commit

    count, lines = counted(user, warehouse)
    profiler = cProfile.Profile() if PROFILE else None
    with CaptureQueriesContext(connection) as queries:
        begun = time.perf_counter()
        if profiler:
            profiler.enable()
        stock_count_post(actor=approver, count=count)
        if profiler:
            profiler.disable()
        service_s = time.perf_counter() - begun
    count.refresh_from_db()
    if count.status != "posted":
        raise RuntimeError(f"the count was not posted: {count.status}")
    slowest = sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:5]
    write_s = committed[-1] - begun
    print(
        f"service: {lines} lines posted in {service_s:.2f} s, {len(queries)} statements; "
        f"the write transaction {write_s:.2f} s (begin to commit), after-commit listeners {service_s - write_s:.2f} s",
        flush=True,
    )
    for query in slowest:
        print(f"  {float(query['time']):7.3f} s  {query['sql'][:110]}")
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(os.environ.get("BENCH_SORT", "cumulative")).print_stats(
            int(os.environ.get("BENCH_TOP", "25"))
        )
        print(out.getvalue())

    count, lines = counted(user, warehouse)
    client = Client()
    client.force_login(approver)
    client.get(reverse("inventory:count_list"))  # warm up: URL conf, middleware, templates
    with CaptureQueriesContext(connection) as queries:
        begun = time.perf_counter()
        response = client.post(reverse("inventory:count_post", args=[count.pk]))
        view_s = time.perf_counter() - begun
    count.refresh_from_db()
    if response.status_code != 302 or count.status != "posted":
        raise RuntimeError(f"the view did not post the count: HTTP {response.status_code}, {count.status}")
    print(f"view:    {lines} lines posted in {view_s:.2f} s, {len(queries)} statements", flush=True)
    for query in sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:5]:
        print(f"  {float(query['time']):7.3f} s  {query['sql'][:110]}")


if __name__ == "__main__":
    main()
