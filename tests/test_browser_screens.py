"""In real headless Chromium: every tablet is its own register, and the kitchen,
the status board and the manager page lay out cleanly at their screens' sizes
(tests/layout.py measures with the DOM; the PNGs land in var/screenshots/)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import chromium, register_opens, wait_for_js
from tests.layout import assert_layout_ok
from tests.nodes import Node
from tests.personas import order_body

pytestmark = [pytest.mark.browser, pytest.mark.nodes]


@pytest.fixture(scope="module")
def node(tmp_path_factory):
    node = Node(tmp_path_factory.mktemp("screens") / "store", name="node1").setup().start()
    yield node
    node.stop()


def _tablet(browser, url: str):
    """A fresh browser (its own storage), logged in as the cashier."""
    return register_opens(browser, url, {"width": 1180, "height": 820})  # new_page: a context of its own


def _ring_up(page, sku: str) -> None:
    page.locator(f'[data-sku="{sku}"]').click()
    page.get_by_test_id("pay-cash").click()


def test_two_fresh_tablets_sell_at_once_and_no_ticket_number_repeats(node, chromium_path):
    with chromium(chromium_path) as browser:
        kitchen = browser.new_page(viewport={"width": 1920, "height": 1080})
        kitchen.goto(f"{node.url}/kitchen/")
        kitchen.wait_for_selector('[data-testid="connection"][data-state="online"]', timeout=10_000)
        a, b = _tablet(browser, node.url), _tablet(browser, node.url)
        names = [page.get_by_test_id("register-name").inner_text() for page in (a, b)]
        assert names[0] != names[1] and all(names), names

        before = {o["id"] for o in node.get("/api/orders?limit=100")["items"]}
        for _ in range(2):
            # Both tablets ring up before either hears back from the node.
            _ring_up(a, "FRIES")
            _ring_up(b, "FRIES")
        for page in (a, b):
            wait_for_js(page, '() => document.querySelector(\'[data-testid="outbox-count"]\').textContent === "0"', timeout=15_000)

        orders = [o for o in node.get("/api/orders?limit=100")["items"] if o["id"] not in before]
        assert len(orders) == 4
        numbers = [o["number"] for o in orders]
        assert len(set(numbers)) == 4, numbers
        assert {o["register"] for o in orders} == set(names)

        cards = kitchen.get_by_test_id("ticket")
        for order in orders:
            card = kitchen.locator(f'[data-testid="ticket"][data-order-id="{order["id"]}"]')
            card.wait_for(timeout=10_000)
            expect(card.get_by_test_id("ticket-number")).to_contain_text(str(order["number"]))
        shown = kitchen.get_by_test_id("ticket-number").all_inner_texts()
        assert len(shown) == cards.count() and len(set(shown)) == len(shown), shown

        # A reload keeps the tablet's identity (and so its block).
        a.reload()
        a.wait_for_selector("body[data-ready=true]")
        expect(a.get_by_test_id("register-name")).to_have_text(names[0])


def _busy_lunch(node: Node) -> None:
    """Take-out and eat-in orders with modifiers, from a register's block (five digits)."""
    for i in range(6):
        lines = [{"sku": "GYUDON", "qty": 2, "modifiers": ["size_oomori", "top_egg"]}, {"sku": "FRIES", "qty": 1}]
        body = order_body(dining="take_out" if i % 2 == 0 else "eat_in", lines=lines, payments=[],
                          register="register-3", number=12001 + i + 900)
        status, order = node.post("/api/orders", body)
        assert status == 201, order


@pytest.mark.parametrize("size", [(1280, 800), (1920, 1080)])
def test_the_kitchen_lays_out_cleanly(node, chromium_path, size):
    _busy_lunch(node)
    with chromium(chromium_path) as browser:
        page = browser.new_page(viewport={"width": size[0], "height": size[1]})
        page.goto(f"{node.url}/kitchen/")
        page.wait_for_selector('[data-testid="connection"][data-state="online"]', timeout=10_000)
        page.get_by_test_id("ticket").first.wait_for(timeout=10_000)
        # Until the first tap, the screen asks for one to turn the sound on; then it is on.
        expect(page.get_by_test_id("sound-prompt")).to_be_visible()
        assert_layout_ok(page, "kitchen-prompt")
        page.get_by_test_id("sound-prompt").click()
        expect(page.get_by_test_id("sound-prompt")).to_be_hidden()
        take_out = page.locator('[data-testid="ticket"] .dining[data-dining="take_out"]').first
        expect(take_out).to_have_text("持ち帰り")
        age = page.get_by_test_id("ticket-age").first
        expect(age).to_have_text(__import__("re").compile(r"^\d+:\d\d$"))
        expect(page.get_by_test_id("bump").first).to_have_text("調理完了にする")
        assert_layout_ok(page, "kitchen")


def test_the_board_and_the_expediters_rail_lay_out_cleanly(node, chromium_path):
    _busy_lunch(node)
    with chromium(chromium_path) as browser:
        board = browser.new_page(viewport={"width": 1920, "height": 1080})
        board.goto(f"{node.url}/board/")
        board.get_by_test_id("board-preparing").locator("li").first.wait_for(timeout=10_000)
        assert_layout_ok(board, "board")


def test_the_manager_confirms_sees_refunds_in_store_time_and_closes_with_counted_cash(tmp_path, chromium_path):
    node = Node(tmp_path / "store", name="node1").setup().start()
    try:
        _manager_day(node, chromium_path)
    finally:
        node.stop()


def _manager_day(node: Node, chromium_path: str) -> None:
    import datetime as dt
    from zoneinfo import ZoneInfo

    status, sale = node.post("/api/orders", order_body())  # 2116 in cash
    assert status == 201
    # A tablet reports two sales still in its outbox, and then sends them.
    assert node.post("/api/registers/outbox", {"register": "register-11", "waiting": 2})[0] == 204
    with chromium(chromium_path) as browser:
        page = browser.new_page(viewport={"width": 1180, "height": 820})
        page.goto(f"{node.url}/register/manager/")
        row = page.locator(f'[data-testid="manager-order"][data-order-id="{sale["id"]}"]')
        row.wait_for(timeout=10_000)
        tokyo = dt.datetime.fromisoformat(sale["placed_at"]).astimezone(ZoneInfo("Asia/Tokyo")).strftime("%H:%M")
        expect(row).to_contain_text(tokyo)
        expect(page.get_by_test_id("z-queued")).to_have_text("2")

        # A refund asks first; cancelled, nothing happens.
        page.get_by_test_id("manager-pin").fill("9999")
        page.get_by_test_id("reason").fill("返品")
        row.get_by_test_id("refund").click()
        expect(page.get_by_test_id("confirm-text")).to_contain_text("¥2,116")
        assert_layout_ok(page, "manager-confirm")
        page.get_by_test_id("confirm-cancel").click()
        assert node.get(f"/api/orders/{sale['id']}")["refunded"] == 0
        row.get_by_test_id("refund").click()
        page.get_by_test_id("confirm-ok").click()
        expect(row.get_by_test_id("order-state")).to_have_text("返金済 ¥2,116", timeout=10_000)
        assert node.get(f"/api/orders/{sale['id']}")["refunded"] == 2116

        # Z: refused while a tablet still holds sales; it needs the counted cash.
        page.get_by_test_id("z-close").click()
        expect(page.get_by_test_id("manager-message")).to_have_text("数えた現金の額を入力してください")
        page.get_by_test_id("z-counted").fill("1000")
        page.get_by_test_id("z-close").click()
        page.get_by_test_id("confirm-ok").click()
        expect(page.get_by_test_id("manager-message")).to_have_text("この操作はできません")  # Japanese only
        assert node.get("/api/reports/z") == []
        assert node.post("/api/registers/outbox", {"register": "register-11", "waiting": 0})[0] == 204
        page.reload()
        expect(page.get_by_test_id("z-queued")).to_have_text("0")
        page.get_by_test_id("manager-pin").fill("9999")
        page.get_by_test_id("z-counted").fill("1000")
        page.get_by_test_id("z-close").click()
        # Cash sold 2116, refunded 2116: the drawers should hold nothing; 1000 counted is 1000 over.
        expect(page.get_by_test_id("confirm-text")).to_contain_text("¥1,000")
        page.get_by_test_id("confirm-ok").click()
        expect(page.get_by_test_id("report-cash-count")).to_have_text("¥1,000 / ¥0 / +¥1,000")
        z = node.get("/api/reports/z")[0]
        assert z["report"]["cash_count"] == {"counted": 1000, "expected": 0, "over_short": 1000}
        assert z["report"]["queued_at_close"] == 0
        assert_layout_ok(page, "manager")
