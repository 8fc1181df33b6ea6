"""In real headless Chromium: a manager voids a sale with their PIN, reads the X report, closes the day."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import chromium
from tests.nodes import Node
from tests.personas import order_body

pytestmark = [pytest.mark.browser, pytest.mark.nodes]


@pytest.fixture
def node(tmp_path):
    node = Node(tmp_path / "store", name="node1").setup().start()
    yield node
    node.stop()


def test_a_manager_voids_a_sale_and_closes_the_day(node, chromium_path):
    status, kept = node.post("/api/orders", order_body())  # 2116, cash
    assert status == 201
    status, wrong = node.post("/api/orders", order_body(dining="eat_in", lines=[{"sku": "BEER", "qty": 1}], payments=[]))
    assert status == 201
    with chromium(chromium_path) as browser:
        page = browser.new_page()
        page.goto(f"{node.url}/register/manager/")
        row = page.locator(f'[data-testid="manager-order"][data-order-id="{wrong["id"]}"]')
        row.wait_for(timeout=10_000)

        page.get_by_test_id("manager-pin").fill("1234")  # a cashier's PIN
        page.get_by_test_id("reason").fill("打ち間違い")
        row.get_by_test_id("void").click()
        page.get_by_test_id("confirm-ok").click()
        expect(page.get_by_test_id("manager-message")).to_have_text("責任者のPINが必要です")
        assert node.get(f"/api/orders/{wrong['id']}")["status"] != "voided"

        page.get_by_test_id("manager-pin").fill("9999")
        row.get_by_test_id("void").click()
        page.get_by_test_id("confirm-ok").click()
        page.wait_for_selector(f'[data-testid="manager-order"][data-order-id="{wrong["id"]}"][data-status="voided"]', timeout=10_000)
        assert node.get(f"/api/orders/{wrong['id']}")["status"] == "voided"

        status, open_order = node.post("/api/orders", order_body(dining="eat_in", lines=[{"sku": "FRIES", "qty": 1}], payments=[]))
        page.reload()
        open_row = page.locator(f'[data-testid="manager-order"][data-order-id="{open_order["id"]}"]')
        page.get_by_test_id("manager-pin").fill("9999")
        page.get_by_test_id("reason").fill("常連")
        page.get_by_test_id("discount-amount").fill("50")
        open_row.get_by_test_id("discount").click()
        expect(open_row).to_contain_text("¥200")
        assert node.get(f"/api/orders/{open_order['id']}")["total"] == 200

        page.get_by_test_id("x-report").click()
        expect(page.get_by_test_id("report-total")).to_have_text("¥2,316")  # 2116 + fries 250 - 50
        expect(page.get_by_test_id("report-discounts")).to_have_text("1 / ¥50")
        expect(page.get_by_test_id("report-voids")).to_have_text("1 / ¥550")

        page.get_by_test_id("z-counted").fill("5000")
        page.get_by_test_id("z-close").click()
        page.get_by_test_id("confirm-ok").click()
        expect(page.get_by_test_id("report")).to_contain_text("Z No. 1")
        assert node.get("/api/reports/z")[0]["report"]["total"] == 2316

        # The receipt needs the device's token, so the page fetches it with the header and shows it.
        kept_row = page.locator(f'[data-testid="manager-order"][data-order-id="{kept["id"]}"]')
        kept_row.get_by_test_id("reprint").click()
        dialog = page.get_by_test_id("receipt-dialog")
        expect(dialog.get_by_test_id("receipt-copy")).to_be_visible()
        expect(dialog.get_by_test_id("receipt-tax-8")).to_have_text("¥116")
        page.screenshot(path=str(node.data_dir / "manager-receipt.png"))
        dialog.get_by_test_id("receipt-close").click()
        expect(dialog).to_be_hidden()
        # Opened without the token (a link, a bookmark), the receipt is refused.
        bare = browser.new_page()
        assert bare.goto(f"{node.url}/register/receipt/{kept['id']}/").status == 401
    node.manage("verify_journal")
