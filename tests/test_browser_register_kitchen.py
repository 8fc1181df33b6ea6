"""In real headless Chromium: a cashier logs in, rings up an order, and the kitchen page shows it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import chromium, register_opens
from tests.nodes import Node

pytestmark = [pytest.mark.browser, pytest.mark.nodes]


@pytest.fixture
def node(tmp_path):
    node = Node(tmp_path / "store", name="node1").setup().start()
    yield node
    node.stop()


def test_a_cashier_sells_and_the_kitchen_sees_the_ticket(node, chromium_path):
    with chromium(chromium_path) as browser:
        kitchen = browser.new_page()
        kitchen.goto(f"{node.url}/kitchen/")
        kitchen.wait_for_selector('[data-testid="connection"][data-state="online"]', timeout=10_000)

        register = register_opens(browser, node.url)
        register.locator('[data-sku="GYUDON"]').click()
        register.locator('[data-sku="GYUDON"]').click()
        register.get_by_test_id("dining-take-out").click()
        register.locator('button[data-testid="line-options"]').first.click()
        register.locator('input[value="size_oomori"]').check()
        register.get_by_test_id("modifier-ok").click()
        # 2 x (468 + 110) = 1156, take-out food at 8 %
        expect(register.get_by_test_id("cart-total")).to_have_text("¥1,156")
        # Items of every category are tappable at once, with no tab to open first.
        register.locator('[data-sku="BEER"]').click()
        register.get_by_test_id("age-confirm").click()  # 年齢確認 before the order's first alcohol
        expect(register.get_by_test_id("cart-total")).to_have_text("¥1,706")
        register.get_by_test_id("pay-cash").click()
        register.wait_for_selector('[data-testid="message"][data-kind="ok"]', timeout=10_000)
        expect(register.get_by_test_id("outbox-count")).to_have_text("0")

        orders = node.get("/api/orders")["items"]
        assert len(orders) == 1
        order = orders[0]
        assert order["total"] == 1706 and order["dining"] == "take_out"
        # Food taken out at 8 %, the beer at 10 %: floor(1156*8/108) = 85, floor(550*10/110) = 50
        assert order["taxes"] == [{"rate": 10, "taxable": 550, "tax": 50}, {"rate": 8, "taxable": 1156, "tax": 85}]
        assert order["lines"][0]["modifiers"][0]["code"] == "size_oomori"

        ticket = kitchen.locator(f'[data-testid="ticket"][data-order-id="{order["id"]}"]')
        ticket.wait_for(timeout=5_000)
        assert "大盛" in ticket.inner_text()

        register.wait_for_selector(f'[data-testid="recent-order"][data-order-id="{order["id"]}"][data-status="in_kitchen"]', timeout=10_000)
        ticket.get_by_test_id("bump").click()
        ticket.wait_for(state="detached", timeout=5_000)
        register.wait_for_selector(f'[data-testid="recent-order"][data-order-id="{order["id"]}"][data-status="ready"]', timeout=10_000)


# The live socket's (re)connect reloads the menu; an unchanged menu is not drawn
# anew, so a cashier's tap in that moment is not lost (its press and release
# landed on two different buttons).
def test_the_menu_buttons_outlive_the_sockets_hello_and_every_tap_counts(node, chromium_path):
    with chromium(chromium_path) as browser:
        register = register_opens(browser, node.url)
        button = register.locator('[data-sku="GYUDON"]').element_handle()
        register.wait_for_timeout(3000)  # the socket's hello and its menu reload come within this
        assert button.evaluate("b => b.isConnected"), "the same menu was drawn anew under the cashier's finger"
        for _ in range(3):
            register.locator('[data-sku="GYUDON"]').click()
        register.get_by_test_id("dining-take-out").click()
        expect(register.get_by_test_id("cart-total")).to_have_text("¥1,404")  # 3 x 468
