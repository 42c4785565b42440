import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from apps.core.models import AuditAction, AuditLog
from apps.masterdata.models import Customer, Product, Supplier
from apps.masterdata.tests.factories import (
    BrandFactory,
    CategoryFactory,
    ProductBarcodeFactory,
    ProductFactory,
    SupplierFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_upload(rows, name="products.xlsx", content_type=XLSX):
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=content_type)


def read_xlsx(content):
    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.fixture
def refs():
    return {
        "category": CategoryFactory(code="DRINK", name="饮料"),
        "unit": UnitFactory(code="PCS", name="个"),
        "brand": BrandFactory(name="农夫山泉"),
    }


PRODUCT_HEADER = ["code", "name", "category", "base_unit", "brand", "purchase_price", "sale_price", "barcodes"]


def test_template_download_has_the_columns(client_for):
    response = client_for("buyer").get(reverse("masterdata:product_import_template"))

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert read_xlsx(response.content)[0][:4] == ["code", "name", "mnemonic", "specification"]


def test_product_import_preview_then_confirm(client_for, refs):
    client = client_for("buyer")
    upload = xlsx_upload(
        [
            PRODUCT_HEADER,
            ["W001", "农夫山泉 550ml", "DRINK", "个", "农夫山泉", "1.2", "2", "6921168509256"],
            ["W002", "Green tea", "饮料", "pcs", "", "2.5", "4", ""],
        ]
    )

    preview = client.post(reverse("masterdata:product_import"), {"file": upload})

    assert preview.status_code == 200
    assert preview.context["errors"] == []
    assert preview.context["totals"]["new"] == 2
    assert Product.objects.count() == 0

    confirm = client.post(reverse("masterdata:product_import_confirm"), {"token": preview.context["token"]})

    assert confirm.status_code == 302
    first = Product.objects.get(code="W001")
    assert first.mnemonic == "NFSQ550ML"
    assert first.brand == refs["brand"]
    assert first.purchase_price == Decimal("1.2")
    assert list(first.barcodes.values_list("barcode", flat=True)) == ["6921168509256"]
    assert Product.objects.get(code="W002").tax_rate == Decimal("13.00")
    summary = AuditLog.objects.get(action=AuditAction.IMPORTED, content_type__model="contenttype")
    assert summary.changes["file"] == [None, "products.xlsx"]
    assert summary.changes["new"] == [None, 2]
    assert AuditLog.objects.filter(action=AuditAction.IMPORTED, object_id=str(first.pk)).count() == 1


def test_product_import_lists_every_row_error_and_imports_nothing(client_for, refs):
    ProductBarcodeFactory(barcode="6900000000002")
    CategoryFactory(code="OLD", is_active=False)
    client = client_for("buyer")
    upload = xlsx_upload(
        [
            PRODUCT_HEADER,
            ["W001", "ok", "DRINK", "个", "", "1", "2", ""],
            ["W002", "bad category", "NOPE", "个", "", "1", "2", ""],
            ["W003", "inactive category", "OLD", "个", "", "1", "2", ""],
            ["W004", "bad unit", "DRINK", "桶", "", "1", "2", ""],
            ["W005", "negative", "DRINK", "个", "", "-1", "abc", ""],
            ["W001", "duplicate code", "DRINK", "个", "", "1", "2", "6900000000002"],
            ["W007", "min above sale", "DRINK", "个", "", "1", "2", ""],
        ]
    )

    preview = client.post(reverse("masterdata:product_import"), {"file": upload})

    errors = [(e["row"], e["field"], e["message"]) for e in preview.context["errors"]]
    assert (3, "category", "Unknown or deactivated product category: NOPE.") in errors
    assert (4, "category", "Unknown or deactivated product category: OLD.") in errors
    assert (5, "base_unit", "Unknown or deactivated unit: 桶.") in errors
    assert (6, "purchase_price", "Ensure this value is greater than or equal to 0.") in errors
    assert (6, "sale_price", "abc is not a number.") in errors
    assert (7, "code", "Code W001 also appears on row 2.") in errors
    assert any(row == 7 and field == "barcodes" and "6900000000002" in msg for row, field, msg in errors)
    assert preview.context["token"] == ""
    assert b"import-errors" in preview.content
    assert Product.objects.count() == 1


def test_confirm_is_all_or_nothing_when_data_changed_since_the_preview(client_for, refs):
    client = client_for("buyer")
    upload = xlsx_upload(
        [PRODUCT_HEADER, ["W001", "a", "DRINK", "个", "", "1", "2", ""], ["W002", "b", "DRINK", "个", "", "1", "2", ""]]
    )
    preview = client.post(reverse("masterdata:product_import"), {"file": upload})
    refs["category"].is_active = False
    refs["category"].save()

    response = client.post(
        reverse("masterdata:product_import_confirm"), {"token": preview.context["token"]}, follow=True
    )

    assert [str(m) for m in response.context["messages"]] == ["Nothing was imported: the file has 2 error(s)."]
    assert Product.objects.count() == 0
    assert not AuditLog.objects.filter(action=AuditAction.IMPORTED).exists()


def test_confirm_refuses_a_forged_token_back_on_the_upload_page_with_a_message(client_for):
    client = client_for("buyer")

    response = client.post(reverse("masterdata:product_import_confirm"), {"token": "forged"}, follow=True)

    assert response.redirect_chain == [(reverse("masterdata:product_import"), 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "The import has expired or is invalid; upload the file again."
    ]
    assert Product.objects.count() == 0


def test_confirm_refuses_another_users_token(client_for, make_user, refs, client):
    buyer = make_user("buyer")
    client.force_login(buyer)
    upload = xlsx_upload([PRODUCT_HEADER, ["W001", "a", "DRINK", "个", "", "1", "2", ""]])
    token = client.post(reverse("masterdata:product_import"), {"file": upload}).context["token"]
    client.force_login(make_user("buyer"))

    response = client.post(reverse("masterdata:product_import_confirm"), {"token": token})

    assert response.status_code == 302
    assert response.url == reverse("masterdata:product_import")
    assert Product.objects.count() == 0


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("data.txt", b"code,name\n", content_type="text/plain"), "is not a spreadsheet"),
        (SimpleUploadedFile("data.xlsx", b"not a zip", content_type=XLSX), "is not a readable Excel workbook"),
        (SimpleUploadedFile("data.xlsx", b"PK\x03\x04garbage", content_type="image/png"), "content type image/png"),
        (SimpleUploadedFile("data.csv", "code,name\n".encode("utf-16"), content_type="text/csv"), "is not UTF-8"),
        (SimpleUploadedFile("data.csv", b"code,name\n", content_type="text/csv"), "no data rows"),
    ],
)
def test_upload_validation(client_for, upload, message):
    response = client_for("buyer").post(reverse("masterdata:supplier_import"), {"file": upload})

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["file"])
    assert Supplier.objects.count() == 0


def test_upload_over_the_size_limit_is_refused(client_for, settings):
    settings.IMPORT_MAX_FILE_SIZE = 1024
    upload = SimpleUploadedFile("big.csv", b"code,name\n" + b"S1,x\n" * 400, content_type="text/csv")

    response = client_for("buyer").post(reverse("masterdata:supplier_import"), {"file": upload})

    assert response.context["form"].errors["file"] == ["big.csv is too large (1 KB); the limit is 1 KB."]


def test_broken_xlsx_is_refused_as_unreadable(client_for):
    upload = SimpleUploadedFile("data.xlsx", b"PK\x03\x04" + b"\x00" * 100, content_type=XLSX)

    response = client_for("buyer").post(reverse("masterdata:supplier_import"), {"file": upload})

    assert "readable" in " ".join(response.context["form"].errors["file"])


def test_supplier_csv_import_updates_by_code(client_for):
    SupplierFactory(code="S1", name="Old name")
    client = client_for("buyer")
    csv = "编码,名称,联系人,credit term (days)\nS1,New name,王经理,45\nS2,Second,,\n".encode()
    upload = SimpleUploadedFile("suppliers.csv", csv, content_type="text/csv")

    preview = client.post(reverse("masterdata:supplier_import"), {"file": upload})
    client.post(reverse("masterdata:supplier_import_confirm"), {"token": preview.context["token"]})

    assert list(Supplier.objects.order_by("code").values_list("code", "name", "contact", "payment_terms_days")) == [
        ("S1", "New name", "王经理", 45),
        ("S2", "Second", "", 30),
    ]


def test_customer_import_resolves_salesperson_and_reports_unknown_user(client_for, make_user):
    make_user("sales", username="li")
    client = client_for("sales")
    upload = xlsx_upload(
        [
            ["code", "name", "credit_limit", "price_level", "salesperson"],
            ["K1", "A", "5000", "retail", "li"],
            ["K2", "B", "", "", "nobody"],
        ],
        name="customers.xlsx",
    )

    preview = client.post(reverse("masterdata:customer_import"), {"file": upload})

    assert [(e["row"], e["field"], e["message"]) for e in preview.context["errors"]] == [
        (3, "salesperson", "Unknown user: nobody.")
    ]
    assert Customer.objects.count() == 0


@pytest.mark.parametrize(("role", "status"), [("warehouse", 403), ("sales", 403), ("buyer", 200), ("admin", 200)])
def test_supplier_import_needs_add_permission(client_for, role, status):
    assert client_for(role).get(reverse("masterdata:supplier_import")).status_code == status


def test_export_respects_the_list_filters(client_for):
    ProductFactory(code="TEA-01", name="Green tea")
    ProductFactory(code="COF-01", name="Coffee")
    ProductFactory(code="TEA-02", name="Old tea", is_active=False)

    response = client_for("sales").get(reverse("masterdata:product_export"), {"q": "tea", "active": "1"})

    assert response.status_code == 200
    rows = read_xlsx(b"".join(response.streaming_content))
    assert rows[0][:2] == ["code", "name"]
    assert [row[0] for row in rows[1:]] == ["TEA-01"]


def test_exported_workbook_imports_back_unchanged(client_for, refs):
    product = ProductFactory(code="X1", category=refs["category"], base_unit=refs["unit"], brand=refs["brand"])
    ProductBarcodeFactory(product=product, barcode="6921168509256")
    client = client_for("admin")
    exported = b"".join(client.get(reverse("masterdata:product_export")).streaming_content)

    preview = client.post(
        reverse("masterdata:product_import"), {"file": SimpleUploadedFile("back.xlsx", exported, content_type=XLSX)}
    )

    assert preview.context["errors"] == []
    assert preview.context["totals"]["update"] == 1


def test_import_errors_name_the_column_in_the_users_language(client_for, refs):
    client = client_for("buyer")
    upload = xlsx_upload([["商品编码", "名称", "商品类别", "基本单位", "采购价"], ["W1", "a", "DRINK", "个", "-1"]])

    preview = client.post(reverse("masterdata:product_import"), {"file": upload}, HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert [(e["row"], e["field"], e["label"]) for e in preview.context["errors"]] == [(2, "purchase_price", "采购价")]
    assert "<td>采购价</td>" in preview.content.decode()
    assert Product.objects.count() == 0


def test_confirming_twice_imports_once_and_explains_the_second_click(client_for, refs):
    client = client_for("buyer")
    upload = xlsx_upload([PRODUCT_HEADER, ["W001", "a", "DRINK", "个", "", "1", "2", ""]])
    token = client.post(reverse("masterdata:product_import"), {"file": upload}).context["token"]
    client.post(reverse("masterdata:product_import_confirm"), {"token": token})

    again = client.post(reverse("masterdata:product_import_confirm"), {"token": token})

    assert again.status_code == 302
    assert again.url == reverse("masterdata:product_import")
    assert Product.objects.count() == 1
