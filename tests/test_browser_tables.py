"""In real headless Chromium, as a waiter and a guest would: open T12 for 4 and send
round 1; a phone on the table's QR code (?table=12) adds round 2 and the kitchen
shows only round 2's items; move the check to T14; split it in two and pay the
parts in cash and by QR with the waiter's node killed in between; both parts
arrive once and the day report counts 4 guests."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser import chromium, waiter_opens
from tests.nodes import Node, free_port
from tests.test_replication_nodes import KEY, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.nodes]

SHOTS = Path(__file__).parent.parent / "var" / "screenshots"


@pytest.fixture
def siblings(tmp_path):
    p1, p2 = free_port(), free_port()
    common = {"POS_STORE": "S001", "POS_SYNC_KEY": KEY}
    n1 = Node(tmp_path / "n1", name="node1", port=p1, POS_PEERS=f"http://127.0.0.1:{p2}", **common)
    n2 = Node(tmp_path / "n2", name="node2", port=p2, POS_PEERS=f"http://127.0.0.1:{p1}", **common)
    try:
        yield n1.setup().start(), n2.setup().start()
    finally:
        for node in (n1, n2):
            node.stop()


def _check(node: Node) -> dict:
    [check] = node.get("/api/checks")
    return check


def test_a_waiter_and_a_guest_serve_a_table_through_a_dead_node(siblings, chromium_path):
    n1, n2 = siblings
    SHOTS.mkdir(parents=True, exist_ok=True)
    with chromium(chromium_path) as browser:
        kitchen = browser.new_page()
        kitchen.goto(f"{n1.url}/kitchen/")
        kitchen.wait_for_selector('[data-testid="connection"][data-state="online"]', timeout=10_000)

        # On a 360 px phone the waiter's page fits its width (nothing runs off to the side).
        small = browser.new_page(viewport={"width": 360, "height": 780}, is_mobile=True, has_touch=True)
        small.goto(f"{n1.url}/tables/")
        small.wait_for_selector("body[data-ready=true]", timeout=15_000)
        small.locator('[data-testid="table"][data-table="T3"]').click()
        assert small.evaluate("document.documentElement.scrollWidth <= innerWidth")
        small.screenshot(path=str(SHOTS / "tables-phone.png"), full_page=True)
        small.close()

        waiter = waiter_opens(browser, n1.url, "T12", 4)
        number = int(waiter.get_by_test_id("check-number").inner_text().split()[-1])

        waiter.locator('[data-sku="KARAAGE"]').click()
        waiter.locator('[data-sku="KARAAGE"]').click()
        waiter.locator('[data-sku="BEER"]').click()
        waiter.get_by_test_id("send-round").click()
        expect(waiter.get_by_test_id("check-round")).to_have_count(1, timeout=10_000)
        round_one = _check(n1)["rounds"][0]["order"]

        phone = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
        phone.goto(f"{n1.url}/order/?table=12")
        phone.get_by_test_id("categories").get_by_role("button", name="サイド").click()
        phone.locator('[data-sku="FRIES"]').click()
        phone.get_by_test_id("categories").get_by_role("button", name="デザート").click()
        phone.locator('[data-sku="PUDDING"]').click()
        phone.get_by_test_id("place-order").click()
        expect(phone.get_by_test_id("order-number")).to_have_text(str(number), timeout=10_000)

        expect(waiter.get_by_test_id("check-round")).to_have_count(2, timeout=10_000)
        round_two = next(r["order"] for r in _check(n1)["rounds"] if r["order"] != round_one)
        ticket = kitchen.locator(f'[data-testid="ticket"][data-order-id="{round_two}"]')
        ticket.first.wait_for(timeout=10_000)
        shown = " ".join(ticket.all_inner_texts())
        assert "フライドポテト" in shown and "プリン" in shown
        assert "唐揚げ" not in shown and "生ビール" not in shown
        kitchen.screenshot(path=str(SHOTS / "tables-kitchen.png"))

        waiter.get_by_test_id("move-table").select_option("T14")
        waiter.get_by_test_id("move-check").click()
        expect(waiter.locator('[data-testid="table"][data-table="T14"]')).to_have_class("table busy", timeout=10_000)
        expect(waiter.locator('[data-testid="table"][data-table="T12"]')).to_have_class("table", timeout=10_000)
        expect(waiter.get_by_test_id("check-title")).to_contain_text("T14")

        check = _check(n1)
        total = check["total"]
        waiter.get_by_test_id("split-count").fill("2")
        first_part = (total + 1) // 2
        expect(waiter.get_by_test_id("part-amount")).to_have_text(f"¥{first_part:,}")
        waiter.screenshot(path=str(SHOTS / "tables-waiter.png"))
        waiter.get_by_test_id("pay-part-cash").click()
        expect(waiter.get_by_test_id("check-due")).to_have_text(f"¥{total - first_part:,}", timeout=10_000)
        wait_for("node2 to hold the first part", lambda: n2.get(f"/api/checks/{check['id']}")["paid"] == first_part, timeout=30)

        n1.kill9()
        waiter.get_by_test_id("pay-part-qr").click()
        expect(waiter.get_by_test_id("tables-queued")).to_have_text("0", timeout=20_000)
        expect(waiter.get_by_test_id("open-check-row")).to_have_count(0, timeout=20_000)
        expect(waiter.get_by_test_id("connection")).to_have_attribute("data-node", n2.url)

    on2 = n2.get(f"/api/checks/{check['id']}")
    assert on2["paid"] == total and on2["due"] == 0 and on2["open"] is False
    n1.start()
    wait_for("node1 to learn the second part", lambda: n1.get(f"/api/checks/{check['id']}")["paid"] == total, timeout=60)
    for node in (n1, n2):
        orders = [node.get(f"/api/orders/{r['order']}") for r in on2["rounds"]]
        payments = sorted(p["method"] for o in orders for p in o["payments"])
        # Each part once: cash on the oldest round, QR on what it left.
        assert sum(p["amount"] for o in orders for p in o["payments"]) == total
        assert set(payments) == {"cash", "qr"} and len(payments) <= 3
        assert all(not o["conflicts"] for o in orders)
        report = node.get(f"/api/reports/sales?business_date={on2['business_date']}")
        assert report["tables"]["guests"] == 4 and report["tables"]["checks"] == 1
        assert report["total"] == total and report["unpaid"]["count"] == 0
