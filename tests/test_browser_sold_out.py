"""In real Chromium with two sibling store nodes: a manager marks an item sold
out on node1's manager page and a register served by node2 stops offering it
without a reload (the mark replicates and node2 rings its registers)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import chromium, register_opens
from tests.test_replication_nodes import pair  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.nodes]


def test_a_sold_out_mark_on_one_node_reaches_a_register_on_its_sibling(pair, chromium_path):  # noqa: F811
    n1, n2 = pair
    with chromium(chromium_path) as browser:
        register = register_opens(browser, n2.url)
        fries = register.locator('[data-sku="FRIES"]')
        expect(fries).to_be_enabled()

        manager = browser.new_page()
        manager.goto(f"{n1.url}/register/manager/")
        manager.wait_for_selector('[data-testid="sold-out-sku"] option[value="FRIES"]', state="attached")
        manager.get_by_test_id("sold-out-sku").select_option("FRIES")
        manager.get_by_test_id("manager-pin").fill("9999")
        manager.get_by_test_id("sold-out-mark").click()
        expect(manager.get_by_test_id("sold-out-status")).to_have_text("記録しました")

        expect(fries).to_be_disabled(timeout=10_000)
        expect(fries).to_contain_text("品切れ")
        status, answer = n2.post("/api/orders", {"id": "8d3c6a7e-0000-4000-8000-000000000001", "register": "r",
                                                 "dining": "eat_in", "lines": [{"sku": "FRIES", "qty": 1}]})
        assert status == 422 and "sold out" in answer["detail"]

        manager.get_by_test_id("sold-out-back").click()
        expect(fries).to_be_enabled(timeout=10_000)
