"""Report and dashboard benchmarks on PostgreSQL (``make bench`` runs it after ``run.py``).

With 10,000 products × 10 warehouses and about 1,000,000 movements (``seed_demo --scale 10000
--warehouses 10 --movements 1000000``, seeded here when the database has fewer), the server time
of each stock report page and each role's dashboard (uncached): Django test client against the
real views, median of RUNS runs. The historical reports (a period or a day in the past) are timed
three times: the selector as it ran before the monthly snapshots (whole ledger, PostgreSQL's JIT
on), the page reading the whole ledger (no snapshots; one run each, they are slow), and the page
after ``stock_snapshots_update()`` built the month ends (its time is reported too). Prints a table and
writes ``benchmarks/results/analytics.json``.

Environment: BENCH_ANALYTICS_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/jxc_analytics_bench;
BENCH_DATABASE_URL when only that is set), BENCH_RUNS (default 5), BENCH_FULL_RUNS (runs of the
whole-ledger reading, default 1).
"""

import datetime
import json
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE_URL = os.environ.get(
    "BENCH_ANALYTICS_DATABASE_URL",
    os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/jxc_analytics_bench"),
)
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
FULL_RUNS = int(os.environ.get("BENCH_FULL_RUNS", "1"))


def main() -> None:
    import run  # the ledger benchmark's helper creates the database when it is missing

    run.DATABASE_URL = DATABASE_URL
    run.ensure_database()
    os.environ["DATABASE_URL"] = DATABASE_URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from apps.accounts.tests.factories import UserFactory
    from apps.analytics.stock_forms import StockSummaryForm, TurnoverForm, ValuationForm
    from apps.analytics.stock_selectors import stock_summary
    from apps.inventory.models import StockMonthEnd, StockMonthTotal, StockMovement, StockSnapshotMonth
    from apps.inventory.services.snapshots import stock_snapshots_update

    call_command("migrate", verbosity=0)
    if StockMovement.objects.count() < 900_000:
        call_command("seed_demo", scale=10_000, warehouses=10, movements=1_000_000)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    movements = StockMovement.objects.count()
    today = timezone.localdate()
    month_start = today.replace(day=1)
    year_ago = today - datetime.timedelta(days=364)
    middle = today - datetime.timedelta(days=180)

    def timed(client: Client, url: str, *, clear_cache: bool = False, runs: int = RUNS) -> float:
        samples = []
        for _ in range(runs):
            if clear_cache:
                cache.clear()
            started = time.perf_counter()
            response = client.get(url)
            response.content  # noqa: B018  (render fully)
            samples.append(time.perf_counter() - started)
            assert response.status_code == 200, (url, response.status_code)
        return statistics.median(samples) * 1000

    clients, users = {}, {}
    for role in ("manager", "buyer", "warehouse", "sales"):
        client = Client()
        users[role] = UserFactory(role=role, username=f"bench-{role}-{time.time_ns()}")  # a rerun adds new users
        client.force_login(users[role])
        clients[role] = client
    summary = reverse("analytics:stock_summary")
    pages = {
        "summary, this month, by product": f"{summary}?date_from={month_start}&date_to={today}",
        "summary, last 12 months, by product × warehouse": f"{summary}?date_from={year_ago}&date_to={today}"
        "&grouping=product_warehouse",
        "summary, last 12 months, by product": f"{summary}?date_from={year_ago}&date_to={today}&grouping=product",
        "summary, last 12 months, by category": f"{summary}?date_from={year_ago}&date_to={today}&grouping=category",
        "summary, middle of the year (a month), by category": f"{summary}?date_from={middle}"
        f"&date_to={middle + datetime.timedelta(days=30)}&grouping=category",
        "valuation today by warehouse": reverse("analytics:stock_valuation"),
        "valuation mid-year by category × warehouse": reverse("analytics:stock_valuation")
        + f"?day={middle}&grouping=category_warehouse",
        "turnover, 90 days, by category": reverse("analytics:stock_turnover"),
        "turnover, 90 days, by product, slowest first": reverse("analytics:stock_turnover")
        + "?grouping=product&ordering=days",
        "ageing by product × warehouse": reverse("analytics:stock_ageing"),
        "ageing by category": reverse("analytics:stock_ageing") + "?grouping=category",
        "dead stock, 90 days": reverse("analytics:dead_stock"),
    }
    month_later = middle + datetime.timedelta(days=30)
    quarter_before = middle - datetime.timedelta(days=89)
    history_forms = {
        "summary, middle of the year (a month), by category": (
            "analytics:stock_summary",
            StockSummaryForm,
            {"date_from": middle, "date_to": month_later, "grouping": "category"},
        ),
        "summary, a past month, by product": (
            "analytics:stock_summary",
            StockSummaryForm,
            {"date_from": middle, "date_to": month_later, "grouping": "product"},
        ),
        "valuation mid-year by category × warehouse": (
            "analytics:stock_valuation",
            ValuationForm,
            {"day": middle, "grouping": "category_warehouse"},
        ),
        "valuation mid-year by product × warehouse": (
            "analytics:stock_valuation",
            ValuationForm,
            {"day": middle, "grouping": "product_warehouse"},
        ),
        "turnover, a past quarter, by category": (
            "analytics:stock_turnover",
            TurnoverForm,
            {"date_from": quarter_before, "date_to": middle, "grouping": "category"},
        ),
    }
    history = {
        name: reverse(url_name) + "?" + urlencode({key: str(value) for key, value in params.items()})
        for name, (url_name, _form, params) in history_forms.items()
    }
    results = {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"TRUNCATE {StockMonthEnd._meta.db_table}, {StockMonthTotal._meta.db_table}, "
            f"{StockSnapshotMonth._meta.db_table}"
        )
    manager = users["manager"]
    for name, (_url_name, form_class, params) in history_forms.items():  # before snapshots: whole ledger, JIT on
        form = form_class.bound({key: str(value) for key, value in params.items()}, user=manager)
        assert form.is_valid(), form.errors
        criteria = form.criteria()
        samples = []
        for _ in range(FULL_RUNS):
            started = time.perf_counter()
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    cursor.execute("SET LOCAL jit = on")
                stock_summary(criteria, user=manager, limit=50, snapshots=False)
            samples.append(time.perf_counter() - started)
        results[f"[before: whole ledger, JIT on, selector] {name}"] = statistics.median(samples) * 1000
    for name, url in history.items():
        results[f"[whole ledger] {name}"] = timed(clients["manager"], url, runs=FULL_RUNS)
    started = time.perf_counter()
    months = stock_snapshots_update()
    results[f"stock_snapshots_update: {len(months)} months built"] = (time.perf_counter() - started) * 1000
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    for name, url in history.items():
        results[f"[snapshots] {name}"] = timed(clients["manager"], url)
    results.update({name: timed(clients["manager"], url) for name, url in pages.items()})
    for role in ("manager", "buyer", "warehouse", "sales"):
        results[f"dashboard: {role} (uncached)"] = timed(clients[role], reverse("core:home"), clear_cache=True)
        results[f"dashboard: {role} (cached)"] = timed(clients[role], reverse("core:home"))
    width = max(len(name) for name in results)
    print(f"{movements:,} movements; median of {RUNS} runs, server time")
    for name, ms in results.items():
        print(f"  {name:<{width}}  {ms:8.0f} ms")
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / "analytics.json").write_text(
        json.dumps({"movements": movements, "runs": RUNS, "ms": results}, indent=2), encoding="utf-8"
    )


if __name__ == "__main__":
    main()
