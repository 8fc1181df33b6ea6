"""In real headless Chromium: the counter's status board shows a bumped order's number as "now serving"."""

from __future__ import annotations

import uuid

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


def test_a_bumped_order_appears_on_the_board_as_now_serving(node, chromium_path):
    with chromium(chromium_path) as browser:
        board = browser.new_page()
        board.goto(f"{node.url}/board/")
        board.wait_for_selector('[data-testid="connection"][data-state="online"]', timeout=10_000)
        expect(board.locator("h2").first).to_contain_text("準備中")

        kitchen = browser.new_page()
        kitchen.goto(f"{node.url}/kitchen/")
        kitchen.wait_for_selector('[data-testid="connection"][data-state="online"]', timeout=10_000)

        status, order = node.post("/api/orders", order_body(id=str(uuid.uuid4())))
        assert status == 201
        number = str(order["number"])
        preparing = board.get_by_test_id("board-preparing").locator(f'li[data-number="{number}"]')
        preparing.wait_for(timeout=5_000)
        expect(board.get_by_test_id("board-ready").locator("li")).to_have_count(0)

        tickets = kitchen.locator(f'[data-testid="ticket"][data-order-id="{order["id"]}"]')
        tickets.first.wait_for(timeout=5_000)
        for left in range(tickets.count(), 0, -1):  # one per station; bumping one removes its card
            tickets.first.get_by_test_id("bump").click()
            expect(tickets).to_have_count(left - 1, timeout=5_000)
        board.get_by_test_id("board-ready").locator(f'li[data-number="{number}"]').wait_for(timeout=5_000)
        expect(preparing).to_have_count(0)

        # Handed over: it leaves the board.
        node_order = node.get(f"/api/orders/{order['id']}")
        assert node_order["status"] == "ready"
        kitchen.get_by_test_id("ready-orders").get_by_role("button").first.click()
        expect(board.get_by_test_id("board-ready").locator(f'li[data-number="{number}"]')).to_have_count(0, timeout=5_000)


def test_a_board_opened_late_shows_what_is_already_ready(node, chromium_path):
    status, order = node.post("/api/orders", order_body(id=str(uuid.uuid4())))
    with chromium(chromium_path) as browser:
        board = browser.new_page()
        board.goto(f"{node.url}/board/")
        board.get_by_test_id("board-preparing").locator(f'li[data-number="{order["number"]}"]').wait_for(timeout=10_000)
