"""Import benchmarks on PostgreSQL (``make bench``, after the ledger benchmarks).

1. A 100,000-row product file (.xlsx, every product with a barcode): the check (preview) and the
   import (confirm) of the import page, run in-process exactly as the job worker runs them;
   beside it, openpyxl's bare read of the same file (the floor) and django-import-export's
   default path (``ProductResource.import_data``, the admin's and the old pages' way) on the
   first ``BENCH_IIE_ROWS`` rows of the same file (default 5,000; at its rate the whole file
   would take many minutes), compared by rows per second.
2. A 10,000-row opening-stock file posted through the ledger: check, import (documents above the
   approval threshold are submitted) and a second user's approval, which posts them.

Environment: BENCH_IMPORTS_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/jxc_bench_imports),
BENCH_PRODUCTS (default 100000), BENCH_IIE_ROWS (default 5000). Writes
``benchmarks/results/imports.json``.
"""

import io
import json
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE_URL = os.environ.get("BENCH_IMPORTS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/jxc_bench_imports")
PRODUCTS = int(os.environ.get("BENCH_PRODUCTS", "100000"))
IIE_ROWS = int(os.environ.get("BENCH_IIE_ROWS", "5000"))
OPENING_ROWS = 10_000
HEADER = ["code", "name", "category", "base_unit", "purchase_price", "sale_price", "specification", "barcodes"]


def ensure_database() -> None:
    import run  # the ledger benchmark's helper

    run.ensure_database(DATABASE_URL)


def setup_django() -> None:
    os.environ["DATABASE_URL"] = DATABASE_URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from django.conf import settings

    settings.IMPORT_UPLOAD_MAX_SIZE = 64 * 1024 * 1024


def product_file(count: int) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("products")
    sheet.append(HEADER)
    for n in range(count):
        sheet.append([f"B{n:07d}", f"测试商品 {n} 号", "BENCH", "PCS", 1.5, 2.5, "500ml", f"77{n:011d}"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def reset() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE masterdata_productbarcode, masterdata_productunit, inventory_stockmovement, "
            "inventory_stockbalance, inventory_stockposting, inventory_stockadjustmentline, "
            "inventory_stockadjustment, masterdata_product, imports_importbatch, jobs_job CASCADE"
        )


def references():
    from apps.accounts.models import User
    from apps.masterdata.models import Category, Unit, Warehouse

    user, _ = User.objects.get_or_create(username="bench-import", defaults={"is_superuser": True, "is_staff": True})
    Category.objects.get_or_create(code="BENCH", defaults={"name": "基准"})
    Unit.objects.get_or_create(code="PCS", defaults={"name": "个"})
    Warehouse.objects.get_or_create(code="WHB", defaults={"name": "基准仓"})
    return user


def timed(function):
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def run_import(user, kind: str, content: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from apps.imports.services import batch_confirm, batch_create

    check_s, batch = timed(lambda: batch_create(user=user, kind=kind, upload=SimpleUploadedFile(name, content)))
    assert batch.status == "checked", batch.status
    assert batch.error_count == 0, batch.errors[:5]

    def confirm():
        batch_confirm(user=user, batch=batch)
        batch.refresh_from_db()
        return batch

    import_s, batch = timed(confirm)
    assert batch.status == "imported", batch.status
    return check_s, import_s, batch.summary["written"]


def bench_products(user) -> dict:
    from openpyxl import load_workbook

    content = product_file(PRODUCTS)
    floor_s, _ = timed(
        lambda: sum(1 for _ in load_workbook(io.BytesIO(content), read_only=True).active.iter_rows(values_only=True))
    )
    reset()
    references()
    check_s, import_s, written = run_import(user, "products", content, "products.xlsx")
    again_check_s, again_import_s, again = run_import(user, "products", content, "products.xlsx")
    result = {
        "rows": PRODUCTS,
        "file_mb": round(len(content) / 1048576, 1),
        "openpyxl_read_s": round(floor_s, 2),
        "check_s": round(check_s, 2),
        "import_s": round(import_s, 2),
        "check_plus_import_s": round(check_s + import_s, 2),
        "rows_per_s": round(PRODUCTS / (check_s + import_s)),
        "written": written,
        "same_file_again_s": round(again_check_s + again_import_s, 2),
        "same_file_again_written": again,
    }
    result.update(bench_import_export(user, content))
    result["ratio_vs_import_export"] = round(result["rows_per_s"] / result["import_export_rows_per_s"], 1)
    return result


def bench_import_export(user, content: bytes) -> dict:
    import tablib
    from openpyxl import load_workbook

    from apps.masterdata.resources import ProductResource

    rows = load_workbook(io.BytesIO(content), read_only=True).active.iter_rows(values_only=True, max_row=IIE_ROWS + 1)
    rows = list(rows)
    dataset = tablib.Dataset(*rows[1:], headers=list(rows[0]))
    reset()
    references()
    resource = ProductResource()
    resource.actor = user
    dry_s, _ = timed(lambda: resource.import_data(dataset, dry_run=True, raise_errors=True, use_transactions=True))
    reset()
    references()
    resource = ProductResource()
    resource.actor = user
    real_s, _ = timed(lambda: resource.import_data(dataset, dry_run=False, raise_errors=True, use_transactions=True))
    return {
        "import_export_rows": IIE_ROWS,
        "import_export_preview_s": round(dry_s, 2),
        "import_export_import_s": round(real_s, 2),
        "import_export_rows_per_s": round(IIE_ROWS / (dry_s + real_s)),
    }


def bench_opening(user) -> dict:
    from openpyxl import Workbook

    from apps.masterdata.models import Category, Product, Unit

    reset()
    references()
    category, unit = Category.objects.get(code="BENCH"), Unit.objects.get(code="PCS")
    Product.objects.bulk_create(
        [Product(code=f"O{n:06d}", name=f"期初 {n}", category=category, base_unit=unit) for n in range(OPENING_ROWS)],
        batch_size=2000,
    )
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("opening")
    sheet.append(["warehouse", "item code", "quantity", "unit cost"])
    for n in range(OPENING_ROWS):
        sheet.append(["WHB", f"O{n:06d}", 10 + n % 7, Decimal("3.25")])
    buffer = io.BytesIO()
    workbook.save(buffer)
    check_s, import_s, written = run_import(user, "opening_stock", buffer.getvalue(), "opening.xlsx")
    approve_s, approved = timed(approve_pending)
    return {
        "rows": OPENING_ROWS,
        "check_s": round(check_s, 2),
        "import_s": round(import_s, 2),
        "approve_s": round(approve_s, 2),
        "approved_documents": approved,
        "check_import_approve_s": round(check_s + import_s + approve_s, 2),
        "written": written,
    }


def approve_pending() -> int:
    """The documents above the approval threshold, approved and posted by a second user, as a manager would."""
    from apps.accounts.models import User
    from apps.inventory.models import StockAdjustment
    from apps.inventory.services import stock_adjustment_approve

    approver, _ = User.objects.get_or_create(username="bench-approver", defaults={"is_superuser": True})
    pending = list(StockAdjustment.objects.filter(status="pending").order_by("pk"))
    for document in pending:
        stock_adjustment_approve(actor=approver, document=document)
    return len(pending)


def main() -> None:
    ensure_database()
    setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    user = references()
    report = {"database": DATABASE_URL.rsplit("@", 1)[-1], "cores": os.cpu_count()}
    print("import benchmarks on", report["database"], flush=True)
    report["products"] = bench_products(user)
    print(json.dumps(report["products"], indent=2), flush=True)
    report["opening_stock"] = bench_opening(user)
    print(json.dumps(report["opening_stock"], indent=2), flush=True)
    out = ROOT / "benchmarks" / "results" / "imports.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, default=str) + "\n")
    print(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
