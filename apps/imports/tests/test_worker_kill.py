"""Real worker processes on a SQLite file: a kill -9 mid-import, and a second user meanwhile."""

import json
import signal
import sqlite3
import subprocess
import time

from apps.imports.tests import corpus

ROWS = 100_000  # the size; the write then holds SQLite's lock for about a second

SETUP = """
from django.core.files import File
from apps.accounts.models import User
from apps.masterdata.models import Category, Unit
from apps.imports.services import batch_create
from django.contrib.auth.models import Group
admin = User.objects.create_superuser("boss", password="pw-12345678")
Category.objects.create(code="DRINK", name="饮料")
Unit.objects.create(code="PCS", name="个")
with open("{path}", "rb") as handle:
    upload = File(handle, name="products.xlsx")
    upload.size = {size}
    print(batch_create(user=admin, kind="products", upload=upload).pk)
"""


def _products(count: int) -> bytes:
    rows = [[f"P{n:06d}", f"商品{n}", "DRINK", "PCS", 1, 2, f"69{n:011d}"] for n in range(count)]
    return corpus.xlsx([corpus.PRODUCT_HEADER, *rows])


def _query(sandbox, sql: str, *args):
    with sqlite3.connect(sandbox.database, timeout=30) as connection:
        return connection.execute(sql, args).fetchone()


def _writing(sandbox) -> bool:
    """The import job has said "Writing" and holds SQLite's write lock: its one transaction is open."""
    row = _query(sandbox, "SELECT message FROM jobs_job WHERE kind = 'imports.commit' AND status = 'running'")
    return row is not None and row[0] == "Writing" and _writer_busy(sandbox)


def _writer_busy(sandbox) -> bool:
    """True while another process holds SQLite's write lock (the import's one transaction)."""
    connection = sqlite3.connect(sandbox.database, timeout=0, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        connection.close()


def _checked_batch(sandbox, tmp_path, rows: int = ROWS) -> str:
    content = _products(rows)
    path = tmp_path / "products.xlsx"
    path.write_bytes(content)
    batch_id = sandbox.shell(SETUP.format(path=path, size=len(content))).splitlines()[-1]
    sandbox.manage("jobs_worker", "--batch", "--interval", "0", timeout=300)
    status, errors = _query(sandbox, "SELECT status, error_count FROM imports_importbatch")
    assert (status, errors) == ("checked", 0)
    sandbox.shell(
        "from apps.imports.models import ImportBatch; from apps.imports.services import batch_confirm; "
        f"b = ImportBatch.objects.get(pk='{batch_id}'); batch_confirm(user=b.user, batch=b)"
    )
    return batch_id


def _wait(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def test_worker_killed_during_the_import_leaves_nothing_then_the_retry_imports_everything(sandbox, tmp_path):
    _checked_batch(sandbox, tmp_path)
    worker = sandbox.popen("jobs_worker", "--interval", "0.2")
    try:
        assert _wait(lambda: _writing(sandbox), 400), "the import never started writing"
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    finally:
        if worker.poll() is None:
            worker.kill()

    assert _query(sandbox, "SELECT COUNT(*) FROM masterdata_product") == (0,)
    assert _query(sandbox, "SELECT status FROM imports_importbatch") == ("importing",)

    second = sandbox.popen("jobs_worker", "--interval", "0.2")
    try:
        assert _wait(lambda: _query(sandbox, "SELECT status FROM imports_importbatch") == ("imported",), 300)
    finally:
        second.terminate()
        second.wait(timeout=60)
    assert _query(sandbox, "SELECT COUNT(*), COUNT(DISTINCT code) FROM masterdata_product") == (ROWS, ROWS)
    assert _query(sandbox, "SELECT COUNT(*) FROM masterdata_productbarcode") == (ROWS,)
    assert _query(sandbox, "SELECT attempts, status FROM jobs_job WHERE kind = 'imports.commit'") == (2, "succeeded")


SECOND_USER = """
import datetime, json, time
from django.test import Client
from apps.accounts.models import User
from apps.masterdata.models import Product, Warehouse
from apps.inventory.models import AdjustmentKind
from apps.inventory.services import AdjustmentLineInput, stock_adjustment_create, stock_adjustment_post
from apps.imports.models import ImportBatch
clerk = User.objects.create_superuser("clerk", password="pw-12345678")  # posting checks permissions
warehouse = Warehouse.objects.create(code="W1", name="一号仓")
other = Product.objects.create(code="OTHER", name="x", category_id=1, base_unit_id=1)
waits, done = [], False
while not done:
    done = ImportBatch.objects.get().status == "imported"
    started = time.monotonic()
    client = Client()
    # Through the login page, as a person signs in (django-axes needs the request).
    signed_in = client.post("/accounts/login/", {"username": "clerk", "password": "pw-12345678"})
    assert signed_in.status_code == 302, signed_in.status_code
    line = AdjustmentLineInput(product_id=other.pk, quantity=1, unit_cost=1)
    document = stock_adjustment_create(
        actor=clerk, kind=AdjustmentKind.OTHER_RECEIPT, warehouse=warehouse, date=datetime.date.today(), lines=[line]
    )
    stock_adjustment_post(actor=clerk, document=document)
    waits.append(time.monotonic() - started)
print(json.dumps(waits))
"""


def test_a_second_user_logs_in_and_posts_while_a_large_import_commits(sandbox, tmp_path):
    _checked_batch(sandbox, tmp_path)
    worker = sandbox.popen("jobs_worker", "--interval", "0.2")
    try:
        assert _wait(
            lambda: _query(sandbox, "SELECT status FROM jobs_job WHERE kind = 'imports.commit'") == ("running",), 400
        )
        waits = json.loads(sandbox.shell(SECOND_USER, timeout=300).splitlines()[-1])
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            worker.kill()

    assert _query(sandbox, "SELECT status FROM imports_importbatch") == ("imported",)
    assert len(waits) >= 1
    # Every login and posting succeeded (the script raises on "database is locked"). Measured on
    # 2026-11-30 at load average 3 on 2 cores, 100,000 rows: the login + posting that met the
    # import's write waited 1.2 s, the others 0.25-0.75 s; 7.4 s before the import compiled its
    # INSERTs outside the transaction. The bound leaves room for a loaded machine.
    assert max(waits) < 15, waits
