import datetime

import pytest

from apps.accounts.tests.factories import UserFactory
from apps.demo.seeders import procurement
from apps.masterdata.tests.factories import ProductFactory, SupplierFactory, WarehouseFactory
from apps.procurement.models import GoodsReceipt, PurchaseOrder, PurchaseReturn, SupplierPayment
from apps.procurement.selectors import payables_report, supplier_scorecard

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _roles_synced():
    from apps.accounts.roles import sync_role_permissions

    sync_role_permissions()


def test_seed_creates_a_purchasing_history_with_real_figures():
    today = datetime.date(2026, 11, 20)
    for index in range(5):
        SupplierFactory(code=f"GYS{index}")
    for index in range(8):
        ProductFactory(code=f"SP{index:03d}")
    WarehouseFactory()
    UserFactory(role="buyer")
    UserFactory(role="manager")
    UserFactory(role="warehouse")

    counts = procurement.seed(today=today)

    statuses = set(PurchaseOrder.objects.values_list("status", flat=True))
    assert {"draft", "cancelled", "approved", "received"} <= statuses
    assert counts["receipts"] == GoodsReceipt.objects.filter(status="posted").count() > 10
    assert PurchaseReturn.objects.filter(status="posted").count() == counts["returns"] == 1
    assert SupplierPayment.objects.count() == counts["payments"] > 0
    figures = supplier_scorecard(supplier_id=PurchaseOrder.objects.first().supplier_id)
    assert figures["on_time_rate"] is not None
    assert payables_report(date_from=today.replace(day=1), date_to=today).exists()
    assert procurement.seed(today=today) == {"skipped": True}
