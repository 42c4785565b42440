import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from apps.demo.seeders import masterdata
from apps.masterdata.models import Customer, Product, ProductBarcode, ProductUnit, Supplier, Warehouse
from apps.masterdata.selectors import warehouses_for_user

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def test_check_digits_are_valid():
    assert masterdata.ean13("690123456789") == "6901234567892"
    assert masterdata.gtin14("1690123456789") == "16901234567899"


def test_seed_demo_is_idempotent_and_prints_the_logins():
    first = run("--scale", "30")
    counts = (Product.objects.count(), ProductBarcode.objects.count(), Supplier.objects.count())

    second = run("--scale", "30")

    assert counts == (30, ProductBarcode.objects.count(), 20)
    assert (Product.objects.count(), ProductBarcode.objects.count(), Supplier.objects.count()) == counts
    assert Customer.objects.count() == 40
    assert Warehouse.objects.count() == 4
    assert "30 products" in first
    assert "0 products, 0 suppliers, 0 customers" in second
    assert "http://127.0.0.1:8000" in second
    assert "jxc-demo-2026" in second


def test_seed_demo_users_log_in_with_the_demo_password():
    run("--scale", "5")

    users = get_user_model().objects.in_bulk(["warehouse", "buyer", "sales", "manager", "admin"], field_name="username")

    assert len(users) == 5
    assert all(user.check_password("jxc-demo-2026") for user in users.values())
    assert users["admin"].is_superuser
    assert users["admin"].is_staff
    assert not users["buyer"].is_staff
    assert list(users["sales"].groups.values_list("name", flat=True)) == ["sales"]
    assert [w.code for w in warehouses_for_user(users["warehouse"])] == ["WH01"]
    assert warehouses_for_user(users["buyer"]).count() == 4


def test_seeded_products_are_valid_records():
    run("--scale", "40")

    for product in Product.objects.select_related("category", "base_unit"):
        product.full_clean()
        assert product.mnemonic
        assert product.min_sale_price <= product.sale_price
    for barcode in ProductBarcode.objects.all():
        body, check = barcode.barcode[:-1], barcode.barcode[-1]
        assert len(barcode.barcode) in (13, 14)
        assert masterdata._check_digit(body) == check
    assert ProductUnit.objects.filter(ratio__lte=0).count() == 0
    assert ProductUnit.objects.exists()


def test_seed_products_is_deterministic():
    first = list(masterdata.product_rows(12))
    second = list(masterdata.product_rows(12))

    assert first == second


def test_seed_falls_back_without_the_dataset(monkeypatch, settings, tmp_path):
    monkeypatch.delenv("JXC_DATASETS_DIR", raising=False)
    settings.BASE_DIR = tmp_path / "repo"

    rows = list(masterdata.product_rows(10))

    assert masterdata.dataset_path() is None
    assert [row["code"] for row in rows if row["category"] == "PARTS-SPARE"] == ["MFG00005", "MFG00010"]


def test_scale_must_be_positive():
    err = io.StringIO()
    call_command("seed_demo", "--scale", "0", stdout=io.StringIO(), stderr=err)

    assert "positive" in err.getvalue()
    assert Product.objects.count() == 0


def test_seed_demo_prints_the_given_address_and_logins_in_english_and_chinese():
    out = run("--scale", "5", "--url", "http://127.0.0.1:8123/")

    lines = out.splitlines()
    assert "Open http://127.0.0.1:8123/ and sign in as:" in lines
    assert "打开 http://127.0.0.1:8123/，使用以下账号登录：" in lines
    assert "8000" not in out
    assert "  warehouse       jxc-demo-2026     Warehouse staff / 仓管员" in lines


def test_scaled_data_set_with_warehouses_and_movements_keeps_the_ledger_consistent():
    from apps.inventory.models import StockMovement

    run("--scale", "20", "--warehouses", "6", "--movements", "500")

    assert Warehouse.objects.count() == 6
    assert 450 <= StockMovement.objects.count() <= 550
    verify = io.StringIO()
    call_command("verify_ledger", stdout=verify)
    assert "Stock ledger OK" in verify.getvalue()


def test_movements_without_scale_is_refused():
    err = io.StringIO()
    call_command("seed_demo", "--movements", "10", stdout=io.StringIO(), stderr=err)

    assert "--warehouses and --movements go with --scale" in err.getvalue()
    assert not Product.objects.exists()
