"""In real headless Chromium: a guest's phone opens the QR order page HQ serves for store S001
(/order/S001/?table=12), orders, and the page says the kitchen has it only after the store's
kitchen screen acknowledged the ticket HQ relayed to it."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from tests.browser import chromium
from tests.relay_clients import Screen
from tests.test_relay_nodes import chain, wait_until  # noqa: F401 - chain is the fixture

pytestmark = [pytest.mark.browser, pytest.mark.nodes]

IN_KITCHEN = "キッチンに届きました"


def test_a_guest_orders_on_the_page_hq_serves_and_sees_the_kitchen_has_it_only_after_the_ack(
    chain, chromium_path, tmp_path,  # noqa: F811 - chain is the imported fixture
):
    screen = Screen(chain.n2)
    wait_until("HQ accepts orders for S001", lambda: chain.accepting()["accepting"])
    with chromium(chromium_path) as browser:
        phone = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
        phone.goto(f"{chain.hq.url}/order/S001/?table=12")
        phone.get_by_test_id("categories").get_by_role("button", name="サイド").click()
        phone.locator('[data-sku="KARAAGE"]').click()
        # The page asks HQ whether the store takes orders every 15 s; a loaded store's pulls may lag.
        expect(phone.get_by_test_id("place-order")).to_be_enabled(timeout=60_000)
        phone.get_by_test_id("place-order").click()
        status = phone.get_by_test_id("order-status")
        expect(status).to_have_attribute("data-status", "accepted", timeout=10_000)

        ticket = next_ticket_any(screen)
        expect(phone.get_by_test_id("order-number")).to_have_text(str(ticket["number"]), timeout=10_000)
        phone.wait_for_timeout(2000)  # the page keeps asking HQ: still only accepted
        expect(status).to_have_attribute("data-status", "accepted")
        expect(status).not_to_have_text(IN_KITCHEN)

        screen.ack(ticket["id"])
        expect(status).to_have_text(IN_KITCHEN, timeout=15_000)
        expect(status).to_have_attribute("data-status", "in_kitchen")
        phone.screenshot(path=str(tmp_path / "relay-guest.png"))
    order = chain.n2.get(f"/api/orders/{ticket['order']}")
    assert order["register"].startswith("qr:") and order["dining"] == "eat_in"
    screen.close()


def next_ticket_any(screen: Screen) -> dict:
    for _ in range(100):
        message = json.loads(screen.socket.recv(timeout=20))
        if message["type"] == "ticket" and message["event"] == "new":
            return message["ticket"]
    raise AssertionError("no new ticket on the screen")
