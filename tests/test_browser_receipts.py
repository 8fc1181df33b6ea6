"""In real headless Chromium: after a sale the register shows the e-receipt link, the link
opens the receipt alone on a phone-sized screen, and the staff receipt page's print button works
under the page's Content-Security-Policy."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from tests.browser import chromium, register_opens, wait_for_js
from tests.nodes import DEMO_TOKEN, Node

pytestmark = [pytest.mark.browser, pytest.mark.nodes]
SHOTS = os.environ.get("POS_TEST_SCREENSHOTS")


@pytest.fixture
def node(tmp_path):
    node = Node(tmp_path / "store", name="node1").setup().start()
    yield node
    node.stop()


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_the_done_screen_links_the_e_receipt_and_the_receipt_prints(node, chromium_path):
    with chromium(chromium_path) as browser:
        register = register_opens(browser, node.url)
        register.locator('[data-sku="BEER"]').click()
        register.get_by_test_id("age-confirm").click()  # 年齢確認 before the first alcoholic item
        register.get_by_test_id("pay-cash").click()
        link = register.get_by_test_id("e-receipt-link")
        link.wait_for(timeout=15_000)
        shot(register, "register-done")
        [order] = node.get("/api/orders")["items"]
        href = link.get_attribute("href")
        assert href.startswith(f"{node.url}/r/S001.")

        phone = browser.new_page(viewport={"width": 360, "height": 740})
        phone.goto(href)
        expect(phone.get_by_test_id("receipt-total")).to_have_text(f"¥{order['total']:,}")
        assert phone.get_by_test_id("receipt").get_attribute("data-order-id") == order["id"]
        assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "nothing overflows a phone"
        shot(phone, "e-receipt-phone")

        staff = browser.new_page()
        staff.set_extra_http_headers({"Authorization": f"Bearer {DEMO_TOKEN}"})
        errors: list[str] = []
        staff.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        staff.goto(f"{node.url}/register/receipt/{order['id']}/")
        staff.evaluate("window.print = () => { window.__printed = true; }")
        wait_for_js(staff, "document.readyState === 'complete'")
        staff.get_by_test_id("receipt-print").click()
        wait_for_js(staff, "window.__printed === true", timeout=5_000)
        assert not [e for e in errors if "Content Security Policy" in e], errors
        shot(staff, "receipt-page")
