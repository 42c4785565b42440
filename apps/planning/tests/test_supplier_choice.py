"""The proposed supplier: cheapest landed price among suppliers that meet the scorecard; preferred wins ties."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from apps.masterdata.tests.factories import ProductFactory, SupplierFactory, WarehouseFactory
from apps.planning.replenishment import suggestions_for
from apps.planning.suppliers import supplier_choices
from apps.procurement.selectors import supplier_scorecards
from apps.procurement.tests.factories import SupplierPriceFactory, approved_order, receive

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 6, 1)


def card(deliveries=10, on_time="100.0", acceptance="100.0", variance=None):
    return {
        "deliveries": deliveries,
        "on_time_rate": Decimal(on_time),
        "acceptance_rate": Decimal(acceptance),
        "price_variance": None if variance is None else Decimal(variance),
    }


@pytest.fixture
def cards(monkeypatch):
    """Scorecards by supplier, set by the test (hand-built, instead of a year of receipts)."""
    values: dict = {}
    monkeypatch.setattr("apps.planning.suppliers.supplier_scorecards", lambda supplier_ids, **kwargs: dict(values))
    return values


def offer(product, code, price, **kwargs):
    return SupplierPriceFactory(product=product, supplier=SupplierFactory(code=code), price=Decimal(price), **kwargs)


def test_a_cheaper_supplier_below_the_on_time_threshold_is_passed_over(cards):
    product = ProductFactory()
    late = offer(product, "S1", "5.00")
    good = offer(product, "S2", "6.00")
    cards[late.supplier_id] = card(on_time="60.0")
    cards[good.supplier_id] = card(on_time="95.0")

    choice = supplier_choices(product_ids=[product.pk], on_date=DAY)[product.pk]

    assert choice.row == good
    assert choice.reason.startswith("Cheapest landed price (¥6.00) among suppliers meeting the scorecard")
    excluded = next(c for c in choice.candidates if c.row == late)
    assert excluded.standing == "below"
    assert excluded.notes == ["On time 60.0 % is below 90 %."]


def test_poor_acceptance_excludes_too(cards):
    product = ProductFactory()
    rejects = offer(product, "S1", "5.00")
    good = offer(product, "S2", "7.00")
    cards[rejects.supplier_id] = card(acceptance="80.0")
    cards[good.supplier_id] = card()

    choice = supplier_choices(product_ids=[product.pk], on_date=DAY)[product.pk]

    assert choice.row == good
    assert next(c for c in choice.candidates if c.row == rejects).notes == ["Accepted 80.0 % is below 95 %."]


def test_landed_price_counts_what_receipts_actually_cost(cards):
    product = ProductFactory()
    surcharging = offer(product, "S1", "5.00")
    honest = offer(product, "S2", "5.40")
    cards[surcharging.supplier_id] = card(variance="10.0")  # receipts cost 10 % above its list
    cards[honest.supplier_id] = card()

    choice = supplier_choices(product_ids=[product.pk], on_date=DAY)[product.pk]

    assert choice.row == honest
    assert [c.landed for c in choice.candidates] == [Decimal("5.4000"), Decimal("5.5000")]


def test_preferred_supplier_wins_a_tie_within_two_percent_but_not_more(cards):
    product, other = ProductFactory(), ProductFactory()
    offer(product, "S1", "10.00")
    preferred = offer(product, "S2", "10.15", is_preferred=True)
    cheap = offer(other, "S3", "10.00")
    offer(other, "S4", "10.50", is_preferred=True)

    choices = supplier_choices(product_ids=[product.pk, other.pk], on_date=DAY)

    assert choices[product.pk].row == preferred
    assert choices[product.pk].reason.startswith("Preferred supplier: within 2 % of the cheapest landed price (¥10.00)")
    assert choices[other.pk].row == cheap  # 5 % dearer: the preferred flag does not buy that


def test_a_supplier_without_a_record_is_not_held_back(cards):
    product = ProductFactory()
    new = offer(product, "S1", "4.00")
    rated = offer(product, "S2", "5.00")
    cards[new.supplier_id] = card(deliveries=2, on_time="0.0")
    cards[rated.supplier_id] = card()

    choice = supplier_choices(product_ids=[product.pk], on_date=DAY)[product.pk]

    assert choice.row == new
    assert choice.candidates[0].standing == "unrated"
    assert choice.candidates[0].notes == ["Fewer than 3 deliveries in the last year: not rated yet."]


def test_when_no_supplier_meets_the_scorecard_the_cheapest_is_proposed_and_says_so(cards):
    product = ProductFactory()
    cheap = offer(product, "S1", "5.00")
    dear = offer(product, "S2", "6.00")
    cards[cheap.supplier_id] = card(on_time="50.0")
    cards[dear.supplier_id] = card(acceptance="50.0")

    choice = supplier_choices(product_ids=[product.pk], on_date=DAY)[product.pk]

    assert choice.row == cheap
    assert choice.reason == "No supplier meets the scorecard; the cheapest landed price (¥5.00) is proposed."


def test_scorecards_come_from_posted_receipts():
    product = ProductFactory()
    warehouse = WarehouseFactory()
    late = SupplierFactory(code="LATE")
    on_time = SupplierFactory(code="ONTIME")
    expected = datetime.date(2026, 3, 10)
    for supplier, received_on, rejected in ((late, expected + datetime.timedelta(days=5), 2), (on_time, expected, 0)):
        order = approved_order(
            supplier=supplier, warehouse=warehouse, lines=[(product, 10, "5")], expected_date=expected
        )
        receive(order, receipt_date=received_on, rejected=[rejected])

    cards = supplier_scorecards(supplier_ids=[late.pk, on_time.pk], date_from=datetime.date(2026, 1, 1))

    assert (cards[late.pk]["deliveries"], cards[late.pk]["on_time_rate"]) == (1, Decimal("0.0"))
    assert cards[late.pk]["acceptance_rate"] == Decimal("80.0")
    assert (cards[on_time.pk]["on_time_rate"], cards[on_time.pk]["acceptance_rate"]) == (
        Decimal("100.0"),
        Decimal("100.0"),
    )


def test_the_explain_page_shows_the_reason_and_every_candidate(client_for, cards):
    from apps.planning.tests.test_app import _stored_item

    product, warehouse = ProductFactory(), WarehouseFactory()
    late = offer(product, "S1", "5.00", valid_from=datetime.date(2020, 1, 1))
    good = offer(product, "S2", "6.00", valid_from=datetime.date(2020, 1, 1))
    cards[late.supplier_id] = card(on_time="60.0")
    cards[good.supplier_id] = card()
    item = _stored_item(product, warehouse)
    [suggestion] = suggestions_for([item], period="week")
    assert suggestion.supplier == good.supplier

    page = client_for("buyer").get(reverse("planning:replenishment_explain", args=[item.pk])).content.decode()

    assert "Cheapest landed price (¥6.00) among suppliers meeting the scorecard" in page
    assert "On time 60.0 % is below 90 %." in page
    assert page.count("table-success") == 1
