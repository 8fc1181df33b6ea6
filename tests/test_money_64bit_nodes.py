"""One huge order no longer stalls HQ (issue 21, finding 2), through real processes:
a store node and HQ on PostgreSQL.

100 lines x 99 with price overrides, and an item HQ prices past 2^31 yen, make
orders past 2^31 yen: the store takes them, HQ stores them to the yen, and the
store's later sales keep reaching HQ. An order past MAX_YEN is refused at the
store with a 422 naming the limit, so it never reaches HQ to be refused there.
"""

from __future__ import annotations

import pytest

from sync.events import MAX_YEN
from tests.money import MANAGER_PIN
from tests.nodes import Node
from tests.personas import order_body
from tests.test_replication_hq import hq_database_url, hq_orders  # noqa: F401  (hq_database_url: a fixture)
from tests.test_replication_nodes import KEY, place, wait_for

pytestmark = pytest.mark.nodes

PAST_32_BIT_PRICE = 3_000_000_000
OVERRIDE = 1_000_000  # the most a price override may set (the API's cap)


@pytest.fixture
def store_and_hq(tmp_path, hq_database_url):  # noqa: F811
    hq = Node(tmp_path / "hq", name="hq1", POS_ROLE="hq", POS_STORE="S001", POS_SYNC_KEY=KEY, DATABASE_URL=hq_database_url)
    node = Node(tmp_path / "n1", name="node1", POS_STORE="S001", POS_SYNC_KEY=KEY, POS_HQ_URL=hq.url)
    try:
        yield hq.setup().start(), node.setup().start()
    finally:
        for each in (node, hq):
            each.stop()


def open_order(node: Node, lines: list[dict]) -> tuple[int, dict]:
    return node.post("/api/orders", order_body(dining="eat_in", lines=lines, payments=[]))


def hq_price(hq: Node, sku: str, price: int) -> None:
    hq.manage(
        "shell", "-c",
        "from menu.models import MenuItem; from sync.master import master_publish; from django.db import transaction\n"
        "with transaction.atomic():\n"
        f"    item = MenuItem.objects.get(sku='{sku}'); item.price = {price}; item.full_clean(); item.save()\n"
        "    master_publish(instance=item)\n",
    )


def menu_price(node: Node, sku: str) -> int:
    return next(item["price"] for item in node.get("/api/menu")["items"] if item["sku"] == sku)


def test_orders_past_2_31_yen_reach_hq_and_later_sales_keep_flowing(store_and_hq):
    hq, node = store_and_hq
    status, big = open_order(node, [{"sku": "FRIES", "qty": 99}] * 100)
    assert status == 201, big
    for position in range(22):  # 22 lines x 99 x 1,000,000 yen: past 2^31 on their own
        status, big = node.post(f"/api/orders/{big['id']}/price-override", {
            "manager_pin": MANAGER_PIN, "reason": "banquet", "position": position, "unit_price": OVERRIDE,
        })
        assert status == 200, big
    assert big["total"] == 22 * 99 * OVERRIDE + 78 * 99 * 250 > 2**31

    hq_price(hq, "KARAAGE", PAST_32_BIT_PRICE)
    wait_for("HQ's price on the store", lambda: menu_price(node, "KARAAGE") == PAST_32_BIT_PRICE)
    status, priced = open_order(node, [{"sku": "KARAAGE", "qty": 99}] * 3)
    assert status == 201 and priced["total"] == 3 * 99 * PAST_32_BIT_PRICE, priced

    status, refused = open_order(node, [{"sku": "KARAAGE", "qty": 99}] * 4)
    assert status == 422 and f"{MAX_YEN:,} yen" in refused["detail"], refused

    later = [place(node) for _ in range(3)]
    sold = [big["id"], priced["id"], *later]
    wait_for("every sale at HQ", lambda: set(sold) <= set(hq_orders(hq)), timeout=60)
    for order in (big, priced):
        assert hq.get(f"/api/orders/{order['id']}")["total"] == order["total"]
    assert len(hq_orders(hq)) == len(sold)  # the refused order never left the store
    health = wait_for("the backlog drained", lambda: (h := node.get("/api/health")["hq"])["upstream_backlog"] == 0 and h)
    assert health["state"] == "up"
