"""In real headless Chromium: a cashier adds kitchen notes in the cart and the
kitchen screen shows them large on the ticket."""

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


def test_a_cashiers_notes_reach_the_kitchen_ticket_in_large_type(node, chromium_path, tmp_path):
    with chromium(chromium_path) as browser:
        kitchen = browser.new_page(viewport={"width": 1280, "height": 800})
        kitchen.goto(f"{node.url}/kitchen/")
        kitchen.wait_for_selector('[data-testid="connection"][data-state="online"]', timeout=10_000)

        register = register_opens(browser, node.url)
        register.locator('[data-sku="KARAAGE"]').click()
        answers = iter(["ご飯少なめ", "卵アレルギー"])
        register.on("dialog", lambda dialog: dialog.accept(next(answers)))
        register.get_by_test_id("line-note").first.click()
        expect(register.get_by_test_id("cart-lines")).to_contain_text("★ ご飯少なめ")
        register.get_by_test_id("order-note").click()
        expect(register.get_by_test_id("order-note")).to_have_text("★ 卵アレルギー")
        register.screenshot(path="/tmp/depth-register-notes.png")
        register.get_by_test_id("pay-cash").click()
        register.wait_for_selector('[data-testid="message"][data-kind="ok"]', timeout=10_000)
        expect(register.get_by_test_id("outbox-count")).to_have_text("0", timeout=10_000)

        [order] = node.get("/api/orders")["items"]
        assert order["note"] == "卵アレルギー" and order["lines"][0]["note"] == "ご飯少なめ"
        ticket = kitchen.locator(f'[data-testid="ticket"][data-order-id="{order["id"]}"]')
        ticket.wait_for(timeout=5_000)
        expect(ticket.get_by_test_id("ticket-note")).to_have_text("★ 卵アレルギー")
        expect(ticket.get_by_test_id("item-note")).to_have_text("★ ご飯少なめ")
        size = ticket.get_by_test_id("ticket-note").evaluate("el => parseFloat(getComputedStyle(el).fontSize)")
        assert size >= 28  # as large as the items: read from across the kitchen
        box, card = ticket.get_by_test_id("ticket-note").bounding_box(), ticket.bounding_box()
        assert box and card and box["x"] + box["width"] <= card["x"] + card["width"] + 1
        kitchen.screenshot(path="/tmp/depth-kitchen-notes.png")
        # The next sale starts without the last one's note.
        expect(register.get_by_test_id("order-note")).to_have_text("注文メモ（アレルギー等）")
