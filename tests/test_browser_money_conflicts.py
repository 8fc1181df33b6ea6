"""In real headless Chromium: a sale refunded in full here and again on a node that
was cut off shows on the manager page as refunded past what was paid, in the
orders, the day's list and the X report."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from tests.browser import chromium
from tests.nodes import Node
from tests.personas import order_body

pytestmark = [pytest.mark.browser, pytest.mark.nodes]

# The second refund, as node2 recorded it while cut off, arriving by replication.
SECOND_REFUND = """
from registers.models import Refund
from sync.replication import changes_apply
from tests.replication_fixtures import RemoteOrigin
r = Refund.objects.get()
payload = {"order": str(r.order_id), "refund": str(__import__("uuid").uuid4()), "business_date": r.business_date.isoformat(),
           "register": "register-2", "method": r.method, "amount": r.amount, "taxes": r.taxes, "lines": r.lines,
           "staff": {"id": 2, "name": "店長", "role": "manager"}, "reason": "返品", "at": r.at.isoformat()}
changes_apply(wires=[RemoteOrigin("node2.0badcafe").change("order.refunded", payload)], peer_store="S001")
"""


@pytest.fixture
def node(tmp_path):
    node = Node(tmp_path / "store", name="node1").setup().start()
    yield node
    node.stop()


def test_a_manager_sees_a_sale_refunded_twice(node, chromium_path):
    status, sale = node.post("/api/orders", order_body())
    assert status == 201
    status, _ = node.post(f"/api/orders/{sale['id']}/refunds", {"id": str(uuid.uuid4()), "manager_pin": "9999", "reason": "返品"})
    assert status == 201
    node.manage("shell", "-c", SECOND_REFUND)
    with chromium(chromium_path) as browser:
        page = browser.new_page()
        page.goto(f"{node.url}/register/manager/")
        row = page.locator(f'[data-testid="manager-order"][data-order-id="{sale["id"]}"]')
        badge = row.locator('[data-testid="order-conflict"][data-kind="over_refund"]')
        expect(badge).to_have_text("支払額を超える返金", timeout=10_000)
        assert "node1, node2" in badge.get_attribute("title")
        expect(page.get_by_test_id("conflict-alert")).to_contain_text(f"No. {sale['number']}")
        page.get_by_test_id("x-report").click()
        expect(page.get_by_test_id("report-conflicts")).to_have_text("1", timeout=10_000)
        expect(page.get_by_test_id("report-conflict")).to_contain_text("2 refunds")
