"""In real headless Chromium: a customer orders at the kiosk, the kitchen gets it, the kiosk follows it;
and a kiosk whose kitchen is unreachable says so instead of taking the order."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import chromium
from tests.nodes import Node

pytestmark = [pytest.mark.browser, pytest.mark.nodes]


@pytest.fixture
def node(tmp_path):
    node = Node(tmp_path / "store", name="node1").setup().start()
    yield node
    node.stop()


def test_a_customer_orders_at_the_kiosk_and_sees_the_number_and_status(node, chromium_path):
    with chromium(chromium_path) as browser:
        kitchen = browser.new_page()
        kitchen.goto(f"{node.url}/kitchen/")
        kitchen.wait_for_selector('[data-testid="connection"][data-state="online"]', timeout=10_000)

        kiosk = browser.new_page(viewport={"width": 1280, "height": 800})
        kiosk.goto(f"{node.url}/kiosk/")
        expect(kiosk.get_by_test_id("kiosk-title")).to_have_text("ご注文はこちら")
        # No staff functions on a customer's screen.
        for staff_only in ("pin-input", "pay-cash", "outbox-count", "logout"):
            expect(kiosk.get_by_test_id(staff_only)).to_have_count(0)
        kiosk.locator('[data-sku="GYUDON"]').click()
        expect(kiosk.get_by_test_id("options")).to_be_visible()
        kiosk.locator('input[value="size_oomori"]').check()
        kiosk.get_by_test_id("options-ok").click()
        kiosk.get_by_test_id("dining-take-out").click()
        expect(kiosk.get_by_test_id("cart-total")).to_have_text("¥578")  # 468 + large 110
        kiosk.get_by_test_id("place-order").click()
        number = kiosk.get_by_test_id("order-number")
        expect(number).not_to_be_empty(timeout=10_000)
        expect(kiosk.get_by_test_id("pay-hint")).to_contain_text("カウンター")

        order = node.get("/api/orders")["items"][0]
        assert str(order["number"]) == number.inner_text() and order["total"] == 578 and order["paid"] == 0
        assert order["register"].startswith("kiosk:")
        ticket = kitchen.locator(f'[data-testid="ticket"][data-order-id="{order["id"]}"]')
        ticket.wait_for(timeout=5_000)
        expect(kiosk.get_by_test_id("order-status")).to_have_attribute("data-status", "in_kitchen", timeout=10_000)
        ticket.get_by_test_id("bump").click()
        expect(kiosk.get_by_test_id("order-status")).to_have_attribute("data-status", "ready", timeout=10_000)
        expect(kiosk.get_by_test_id("order-status")).to_have_text("お受け取りください")


def test_with_no_kitchen_screen_the_kiosk_says_it_is_not_taking_orders_and_resumes_when_one_connects(node, chromium_path):
    with chromium(chromium_path) as browser:
        kiosk = browser.new_page()
        kiosk.goto(f"{node.url}/kiosk/")
        expect(kiosk.get_by_test_id("channel-paused")).to_be_visible(timeout=10_000)
        expect(kiosk.get_by_test_id("channel-paused")).to_have_attribute("data-code", "kitchen_unreachable")
        kiosk.get_by_test_id("categories").get_by_role("button", name="サイド").click()
        kiosk.locator('[data-sku="FRIES"]').click()
        expect(kiosk.get_by_test_id("place-order")).to_be_disabled()

        kitchen = browser.new_page()
        kitchen.goto(f"{node.url}/kitchen/")
        kitchen.wait_for_selector('[data-testid="connection"][data-state="online"]', timeout=10_000)
        kiosk.reload()
        expect(kiosk.get_by_test_id("channel-paused")).to_be_hidden(timeout=10_000)
        kiosk.get_by_test_id("categories").get_by_role("button", name="サイド").click()
        kiosk.locator('[data-sku="FRIES"]').click()
        kiosk.get_by_test_id("place-order").click()
        expect(kiosk.get_by_test_id("order-number")).not_to_be_empty(timeout=10_000)


def test_a_qr_order_from_a_phone_offers_the_ready_notification(node, chromium_path):
    with chromium(chromium_path) as browser:
        kitchen = browser.new_page()
        kitchen.goto(f"{node.url}/kitchen/")
        kitchen.wait_for_selector('[data-testid="connection"][data-state="online"]', timeout=10_000)
        phone = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
        phone.goto(f"{node.url}/order/?table=7")
        phone.get_by_test_id("categories").get_by_role("button", name="サイド").click()
        phone.locator('[data-sku="KARAAGE"]').click()
        phone.get_by_test_id("place-order").click()
        expect(phone.get_by_test_id("order-number")).not_to_be_empty(timeout=10_000)
        expect(phone.get_by_test_id("notify-me")).to_be_visible()
        order = node.get("/api/orders")["items"][0]
        assert order["register"].startswith("qr:") and order["dining"] == "eat_in"
