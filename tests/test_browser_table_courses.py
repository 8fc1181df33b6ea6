"""In real headless Chromium, as a waiter and a cook would: the waiter sends course 1
of T12 and holds course 2; the kitchen shows only course 1; the waiter fires
course 2 and the kitchen shows it as a card of its own, with its course."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser import chromium, waiter_opens
from tests.nodes import Node, free_port

pytestmark = [pytest.mark.browser, pytest.mark.nodes]

SHOTS = Path(__file__).parent.parent / "var" / "screenshots"


@pytest.fixture
def node(tmp_path):
    one = Node(tmp_path / "n1", name="node1", port=free_port(), POS_STORE="S001")
    try:
        yield one.setup().start()
    finally:
        one.stop()


def test_a_waiter_holds_course_two_and_fires_it_when_the_table_is_ready(node, chromium_path):
    SHOTS.mkdir(parents=True, exist_ok=True)
    with chromium(chromium_path) as browser:
        kitchen = browser.new_page(viewport={"width": 1920, "height": 1080})
        kitchen.goto(f"{node.url}/kitchen/")
        kitchen.wait_for_selector('[data-testid="connection"][data-state="online"]', timeout=10_000)

        waiter = waiter_opens(browser, node.url, "T12", 2)

        # Course 1 goes now; course 2 is ordered with it but held.
        waiter.get_by_test_id("round-course").select_option("1")
        waiter.locator('[data-sku="KARAAGE"]').click()
        waiter.get_by_test_id("send-round").click()
        expect(waiter.get_by_test_id("check-round")).to_have_count(1, timeout=10_000)
        waiter.get_by_test_id("round-course").select_option("2")
        waiter.get_by_test_id("round-hold").check()
        waiter.locator('[data-sku="SALAD"]').click()
        waiter.locator('[data-sku="SALAD"]').click()
        waiter.get_by_test_id("send-round").click()
        expect(waiter.get_by_test_id("check-round")).to_have_count(2, timeout=10_000)
        held = waiter.get_by_test_id("held-course")
        expect(held).to_have_count(1, timeout=10_000)
        expect(held).to_contain_text("保留中 2. メイン 2品")
        expect(held.get_by_test_id("fire-course")).to_have_text("調理開始")
        # The bill counts the held salads already.
        expect(waiter.get_by_test_id("check-total")).to_have_text(f"¥{320 + 2 * 150:,}")
        held.scroll_into_view_if_needed()
        waiter.screenshot(path=str(SHOTS / "courses-waiter-held.png"))
        assert held.evaluate("li => li.scrollWidth <= li.clientWidth")

        board = kitchen.get_by_test_id("ticket")
        expect(board.filter(has_text="唐揚げ")).to_have_count(1, timeout=10_000)
        kitchen.wait_for_timeout(1500)  # a held ticket that leaked would be on the board by now
        assert "サラダ" not in kitchen.locator("main").inner_text()
        expect(board).to_have_count(1)
        kitchen.screenshot(path=str(SHOTS / "courses-kitchen-held.png"))

        held.get_by_test_id("fire-course").click()
        expect(waiter.get_by_test_id("held-course")).to_have_count(0, timeout=10_000)
        fired = board.filter(has_text="サラダ")
        expect(fired).to_have_count(1, timeout=10_000)
        expect(fired.get_by_test_id("ticket-course")).to_have_text("2. メイン")
        assert "唐揚げ" not in fired.inner_text()
        expect(board).to_have_count(2)
        number = waiter.get_by_test_id("check-number").inner_text()
        expect(fired.get_by_test_id("ticket-number")).to_have_text(number)
        assert kitchen.evaluate(
            "[...document.querySelectorAll('[data-testid=ticket]')].every(t => t.scrollWidth <= t.clientWidth)"
        )
        kitchen.screenshot(path=str(SHOTS / "courses-kitchen-fired.png"))
