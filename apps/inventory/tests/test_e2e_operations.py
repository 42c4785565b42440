"""Counts and transfers in a real browser: scanning on a tablet, recount, approval and posting; a transfer
received in two parts; the camera path fed a barcode image through chromium's fake video capture."""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from apps.inventory.models import InventoryPolicy, StockBalance, StockCount, StockTransfer
from apps.inventory.services.counts import stock_count_open
from apps.inventory.services.transfers import TransferLineInput, stock_transfer_create
from apps.inventory.tests.factories import post_stock
from apps.masterdata.tests.factories import ProductBarcodeFactory, ProductFactory, WarehouseFactory

pytestmark = pytest.mark.e2e

TABLET = {"width": 768, "height": 1024}
BARCODE = "6901234567892"


def on_hand(product, warehouse):
    return StockBalance.objects.get(product=product, warehouse=warehouse).on_hand


def test_a_count_scanned_on_a_tablet_recounted_approved_and_posted(browser, page, live_server, login):
    InventoryPolicy.objects.update_or_create(pk=1, defaults={"count_approval_threshold": Decimal(1)})
    warehouse = WarehouseFactory(code="MAIN", name="Main")
    water, tea = ProductFactory(code="W001", name="Water"), ProductFactory(code="T001", name="Tea")
    ProductBarcodeFactory(product=water, barcode=BARCODE)
    post_stock(water, warehouse, 5, unit_cost="2")
    post_stock(tea, warehouse, 4, unit_cost="3")
    page.set_viewport_size(TABLET)
    clerk = login(page, live_server, "warehouse")
    count = stock_count_open(actor=clerk, warehouse=warehouse)

    page.goto(live_server.url + reverse("inventory:count_scan", args=[count.pk]))
    term = page.locator("#scan-term")
    for _ in range(3):  # a hardware scanner types the code and Enter
        term.fill(BARCODE)
        term.press("Enter")
        expect(page.locator(".scan-feedback")).to_contain_text("W001")
    water_row = page.locator("tr[data-code=W001]")
    expect(water_row.locator("[data-counted]")).to_have_text("3")
    page.locator("#scan-quantity").fill("4")
    term.fill("T001")
    term.press("Enter")
    expect(page.locator("tr[data-code=T001] [data-counted]")).to_have_text("4")

    page.goto(live_server.url + count.get_absolute_url())
    page.get_by_role("button", name="Finish counting").click()
    expect(page.locator("tr[data-row=W001]")).to_contain_text("-2")
    page.get_by_role("button", name="Recount the variances").click()
    expect(page).to_have_url(re.compile(reverse("inventory:count_scan", args=[count.pk]) + "$"))
    page.locator("#scan-quantity").fill("6")  # the recount finds one more than the book
    term.fill(BARCODE)
    term.press("Enter")
    expect(water_row.locator("[data-counted]")).to_have_text("6")
    page.goto(live_server.url + count.get_absolute_url())
    page.get_by_role("button", name="Finish counting").click()
    expect(page.locator("tr[data-row=W001] td").nth(7)).to_have_text("3")  # first count beside the recount
    expect(page.get_by_role("button", name="Approve and post")).to_have_count(0)  # the opener may not

    context = browser.new_context(viewport=TABLET, locale="en-US")
    manager_page = context.new_page()
    login(manager_page, live_server, "manager")
    manager_page.goto(live_server.url + count.get_absolute_url())
    manager_page.get_by_role("button", name="Approve and post").click()
    expect(manager_page.locator(".alert-success")).to_contain_text("Posted")
    context.close()

    count.refresh_from_db()
    assert count.status == "posted"
    assert (on_hand(water, warehouse), on_hand(tea, warehouse)) == (6, 4)


def test_a_transfer_dispatched_and_received_in_two_parts(page, live_server, login):
    a, b = WarehouseFactory(code="A", name="Warehouse A"), WarehouseFactory(code="B", name="Warehouse B")
    tea = ProductFactory(code="T001", name="Tea")
    post_stock(tea, a, 10, unit_cost="3")
    page.set_viewport_size(TABLET)
    clerk = login(page, live_server, "warehouse")
    transfer = stock_transfer_create(
        actor=clerk, source=a, destination=b, date=a.created_at.date(), lines=[TransferLineInput(tea.pk, Decimal(6))]
    )

    page.goto(live_server.url + transfer.get_absolute_url())
    page.get_by_role("button", name="Dispatch").click()
    expect(page.locator("[data-in-transit]")).to_have_text("6")
    page.get_by_role("link", name="Receive in part").click()
    page.get_by_label("Received T001").fill("4")
    page.get_by_role("button", name="Post the receipt").click()
    expect(page.locator("[data-in-transit]")).to_have_text("2")
    assert on_hand(tea, b) == 4
    page.get_by_role("button", name="Receive everything in transit").click()
    expect(page.locator("[data-in-transit]")).to_have_text("0")

    transfer = StockTransfer.objects.get()
    assert transfer.status == "received"
    assert (on_hand(tea, a), on_hand(tea, b)) == (4, 6)
    assert StockBalance.objects.get(product=tea, warehouse=b).value == Decimal("18.00")


# --- The camera path ---------------------------------------------------------------------------

_L = ["0001101", "0011001", "0010011", "0111101", "0100011", "0110001", "0101111", "0111011", "0110111", "0001011"]
_G = ["".join("1" if bit == "0" else "0" for bit in reversed(code)) for code in _L]
_R = ["".join("1" if bit == "0" else "0" for bit in code) for code in _L]
_PARITY = ["LLLLLL", "LLGLGG", "LLGGLG", "LLGGGL", "LGLLGG", "LGGLLG", "LGGGLL", "LGLGLG", "LGLGGL", "LGGLGL"]


def ean13_modules(code: str) -> str:
    """The 95 bars (1 = black) of an EAN-13 code."""
    digits = [int(c) for c in code]
    left = "".join((_L if p == "L" else _G)[d] for p, d in zip(_PARITY[digits[0]], digits[1:7], strict=True))
    right = "".join(_R[d] for d in digits[7:])
    return "101" + left + "01010" + right + "101"


def write_barcode_video(path: Path, code: str, width: int = 640, height: int = 480, module: int = 4) -> None:
    """A Y4M video (what chromium's fake capture reads) of one EAN-13 barcode, black on white."""
    bars = ean13_modules(code)
    left = (width - len(bars) * module) // 2
    row = bytearray([235] * width)
    for index, bit in enumerate(bars):
        if bit == "1":
            row[left + index * module : left + (index + 1) * module] = bytes([16]) * module
    top, bottom = height // 4, height * 3 // 4
    luma = b"".join(bytes(row) if top <= y < bottom else bytes([235] * width) for y in range(height))
    chroma = bytes([128]) * (width // 2 * height // 2)
    frame = b"FRAME\n" + luma + chroma + chroma
    with path.open("wb") as video:
        video.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(10):
            video.write(frame)


def test_the_camera_reads_a_barcode_into_the_count(browser, live_server, login, tmp_path):
    from conftest import CHROMIUM, CHROMIUM_ARGS

    video = tmp_path / "barcode.y4m"
    write_barcode_video(video, BARCODE)
    warehouse = WarehouseFactory(code="MAIN", name="Main")
    water = ProductFactory(code="W001", name="Water")
    ProductBarcodeFactory(product=water, barcode=BARCODE)
    post_stock(water, warehouse, 5)
    args = [
        *CHROMIUM_ARGS,
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    ]
    # A second chromium of the same playwright session, with the fake camera (the session's has none).
    camera_browser = browser.browser_type.launch(executable_path=str(CHROMIUM), headless=True, args=args)
    try:
        context = camera_browser.new_context(viewport=TABLET, locale="en-US")
        context.grant_permissions(["camera"], origin=live_server.url)
        page = context.new_page()
        page.set_default_timeout(20_000)
        clerk = login(page, live_server, "warehouse")
        count = stock_count_open(actor=clerk, warehouse=warehouse)
        page.goto(live_server.url + reverse("inventory:count_scan", args=[count.pk]))
        page.get_by_role("button", name="Scan with the camera").click()
        counted = page.locator("tr[data-code=W001] [data-counted]")
        expect(counted).to_have_text("1")
        page.wait_for_timeout(2000)
        expect(counted).to_have_text("1")  # held in view: counted once
    finally:
        camera_browser.close()
    assert StockCount.objects.get().lines.get().counted_quantity == 1
