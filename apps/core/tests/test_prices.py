"""价格屏蔽: purchase price, cost and margin are shown only to the roles ADR 0007 names."""

import io
import json

import openpyxl
import pytest
from django.template import Context, Template
from django.urls import reverse

from apps.accounts.roles import Role, role_grants
from apps.core.prices import PriceKind, can_see, mask_fields, visible_columns
from apps.inventory.tests.factories import post_stock
from apps.masterdata.models import Product
from apps.masterdata.tests.factories import ProductFactory, WarehouseFactory

W, B, S, M, A = Role.WAREHOUSE, Role.BUYER, Role.SALES, Role.MANAGER, Role.ADMIN

SEES = {
    "core.view_purchase_price": {B, M, A},
    "core.view_cost": {B, M, A},
    "core.view_margin": {M, A},
}


@pytest.mark.parametrize(
    ("role", "permission", "granted"),
    [pytest.param(r, p, r in holders, id=f"{r}-{p}") for p, holders in SEES.items() for r in (W, B, S, M, A)],
)
def test_each_role_sees_the_prices_the_adr_gives_it(role, permission, granted):
    assert role_grants(role, permission) is granted


@pytest.mark.django_db
def test_the_helpers_drop_what_the_user_may_not_see(make_user):
    clerk, buyer = make_user("sales"), make_user("buyer")
    row = {"code": "A1", "sale_price": "2", "purchase_price": "1", "avg_cost": "1.1", "margin_amount": "0.9"}

    assert mask_fields(clerk, row) == {"code": "A1", "sale_price": "2"}
    assert mask_fields(buyer, row) == {"code": "A1", "sale_price": "2", "purchase_price": "1", "avg_cost": "1.1"}
    assert visible_columns(clerk, ["code", "unit_cost", "sale_price"]) == ["code", "sale_price"]
    assert can_see(buyer, PriceKind.COST)
    assert not can_see(buyer, PriceKind.MARGIN)
    assert not can_see(None, "cost")


@pytest.mark.django_db
@pytest.mark.parametrize(("visible", "shown"), [(True, "¥1,234.50"), (False, "***")])
def test_money_if_prints_the_amount_or_the_mask(visible, shown):
    template = Template("{% load prices %}{{ value|money_if:visible }}")

    assert template.render(Context({"value": "1234.5", "visible": visible})) == shown


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "sees"), [("sales", False), ("warehouse", False), ("buyer", True)])
def test_product_lookup_json_carries_the_purchase_price_only_for_those_who_see_it(client_for, role, sees):
    ProductFactory(code="A001")

    response = client_for(role).get(reverse("masterdata:product_lookup"), {"q": "A001"})

    result = json.loads(response.content)["results"][0]
    assert ("purchase_price" in result) is sees
    assert result["sale_price"] == "15.0000"


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "sees"), [("sales", False), ("manager", True)])
def test_product_pages_and_export_show_the_purchase_price_only_to_those_who_see_it(client_for, role, sees):
    product = ProductFactory(code="A001", purchase_price="7.25")
    client = client_for(role)

    listing = client.get(reverse("masterdata:product_list")).content.decode()
    detail = client.get(reverse("masterdata:product_detail", args=[product.pk])).content.decode()
    export = client.get(reverse("masterdata:product_export"))
    header = next(
        openpyxl.load_workbook(io.BytesIO(b"".join(export.streaming_content))).active.iter_rows(values_only=True)
    )

    assert ("¥7.25" in listing) is sees
    assert ("¥7.25" in detail) is sees
    assert ("purchase_price" in header) is sees


@pytest.mark.django_db
def test_a_keeper_edits_a_product_without_seeing_or_changing_its_purchase_price(client_for):
    product = ProductFactory(code="A001", purchase_price="7.25")
    client = client_for("warehouse")
    url = reverse("masterdata:product_update", args=[product.pk])

    form = client.get(url).context["form"]
    data = {name: "" if form[name].value() is None else form[name].value() for name in form.fields}
    data.update({"name": "Renamed", "purchase_price": "0.01"})
    for prefix in ("units", "barcodes"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    response = client.post(url, data)

    product = Product.objects.get(pk=product.pk)
    assert "purchase_price" not in form.fields
    assert response.status_code == 302, response.context["form"].errors
    assert (product.name, str(product.purchase_price)) == ("Renamed", "7.2500")


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "sees"), [("sales", False), ("warehouse", False), ("manager", True)])
def test_stock_on_hand_masks_average_cost_and_value(client_for, role, sees):
    product, warehouse = ProductFactory(code="A001"), WarehouseFactory()
    post_stock(product, warehouse, 4, unit_cost="2.50")

    content = client_for(role).get(reverse("inventory:stock_list")).content.decode()

    assert ("¥10.00" in content) is sees
    assert ("***" in content) is not sees
