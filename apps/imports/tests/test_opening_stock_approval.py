"""Opening stock above the approval threshold: the import submits it, someone else approves and posts it."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from apps.core.models import SystemSettings
from apps.imports.models import BatchStatus
from apps.imports.tests import corpus
from apps.imports.tests.test_services import confirm, upload
from apps.inventory.models import StockAdjustment, StockBalance, StockMovement
from apps.inventory.services import stock_adjustment_approve
from apps.masterdata.tests.factories import ProductFactory, WarehouseFactory

pytestmark = pytest.mark.django_db

ROWS = [["warehouse", "item code", "quantity", "unit cost"], ["WH1", "A1", "10", "60"], ["WH1", "A2", "5", "10"]]


@pytest.fixture
def threshold():
    settings_row = SystemSettings.load()
    settings_row.adjustment_approval_threshold = Decimal("500.00")
    settings_row.save()
    WarehouseFactory(code="WH1")
    for code in ("A1", "A2"):
        ProductFactory(code=code)


def test_the_check_says_the_documents_will_wait_for_approval(make_user, threshold):
    importer = make_user("admin")

    batch = upload(importer, "opening_stock", corpus.xlsx(ROWS))

    assert batch.status == BatchStatus.CHECKED
    assert batch.error_count == 0
    assert batch.summary["notes"] == [
        "1 opening-stock document(s) are worth more than the approval threshold 500.00: importing submits "
        "them for approval, and someone else approves and posts them."
    ]


def test_importing_submits_and_a_manager_approves_and_posts(make_user, threshold):
    importer, manager = make_user("admin"), make_user("manager")

    batch = confirm(importer, upload(importer, "opening_stock", corpus.xlsx(ROWS)))

    assert batch.status == BatchStatus.IMPORTED
    assert batch.summary["written"] == {"new": 2, "changed": 0, "unchanged": 0, "documents": 1, "submitted": 1}
    document = StockAdjustment.objects.get()
    assert (document.kind, document.status) == ("opening", "pending")
    assert StockMovement.objects.count() == 0
    with pytest.raises(ValidationError, match="is your own document; someone else must approve"):
        stock_adjustment_approve(actor=importer, document=document)

    stock_adjustment_approve(actor=manager, document=document)

    document.refresh_from_db()
    assert document.status == "posted"
    assert sorted(StockBalance.objects.values_list("product__code", "on_hand", "value")) == [
        ("A1", Decimal(10), Decimal("600.00")),
        ("A2", Decimal(5), Decimal("50.00")),
    ]


def test_below_the_threshold_the_import_posts_at_once(make_user, threshold):
    importer = make_user("admin")
    rows = [ROWS[0], ["WH1", "A1", "1", "60"]]

    batch = confirm(importer, upload(importer, "opening_stock", corpus.xlsx(rows)))

    assert batch.summary["notes"] == []
    assert batch.summary["written"]["submitted"] == 0
    assert StockAdjustment.objects.get().status == "posted"
    assert StockBalance.objects.get().on_hand == Decimal(1)


def test_the_result_page_links_to_the_documents_pending_approval(client, make_user, threshold):
    importer = make_user("admin")
    batch = confirm(importer, upload(importer, "opening_stock", corpus.xlsx(ROWS)))
    client.force_login(importer)

    page = client.get(batch.get_absolute_url()).content.decode()

    assert "1 document was submitted for approval." in page
    assert "/inventory/adjustments/?status=pending" in page
