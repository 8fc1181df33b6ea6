"""A chain upgrades in place to signed master data and store-bound origins:
HQ (PostgreSQL) and two sibling nodes of S001 run the previous release, sell
and take a price; then each is restarted on this code with its own database.
Their old logs (origins without a store code, HQ's unsigned master changes)
still replicate, HQ's next price reaches both siblings, every sale reaches
HQ once, and a new sibling that joins afterwards gets the whole history,
HQ's old changes included (HQ signs them as it ships them).
"""

from __future__ import annotations

import pytest

from tests.nodes import ROOT, Node, free_port
from tests.personas import order_body
from tests.test_replication_hq import hq_database_url, hq_orders  # noqa: F401  (fixture)
from tests.test_replication_nodes import KEY, wait_for
from tests.test_replication_previous_release import PRICE_CHANGE, previous_release  # noqa: F401  (fixture)

pytestmark = pytest.mark.nodes


def sell(node: Node) -> str:
    status, answer = node.post("/api/orders", order_body())
    assert status == 201, (node.name, answer)
    return answer["id"]


def fries(node: Node) -> int:
    return next(i["price"] for i in node.get("/api/menu")["items"] if i["sku"] == "FRIES")


def orders(node: Node) -> set[str]:
    return {o["id"] for o in node.get("/api/orders?limit=500")["items"]}


@pytest.fixture
def old_chain(tmp_path, previous_release, hq_database_url):  # noqa: F811
    hq = Node(tmp_path / "hq", name="hq1", root=previous_release, POS_ROLE="hq", POS_STORE="S001", POS_SYNC_KEY=KEY,
              DATABASE_URL=hq_database_url)
    p1, p2 = free_port(), free_port()
    common = {"POS_STORE": "S001", "POS_SYNC_KEY": KEY, "POS_HQ_URL": hq.url}
    n1 = Node(tmp_path / "n1", name="node1", port=p1, root=previous_release, POS_PEERS=f"http://127.0.0.1:{p2}", **common)
    n2 = Node(tmp_path / "n2", name="node2", port=p2, root=previous_release, POS_PEERS=f"http://127.0.0.1:{p1}", **common)
    n3 = Node(tmp_path / "n3", name="node3", POS_PEERS=f"http://127.0.0.1:{p1}", **common)
    try:
        yield hq.setup().start(), n1.setup().start(), n2.setup().start(), n3
    finally:
        for node in (n3, n1, n2, hq):
            node.stop()


def upgrade(node: Node) -> Node:
    node.stop()
    node.root = ROOT
    node.manage("migrate", "--noinput")
    return node.start()


def test_an_old_chain_upgraded_in_place_keeps_replicating_and_a_new_sibling_gets_all_of_it(old_chain):
    hq, n1, n2, n3 = old_chain
    before = {sell(n1), sell(n2)}
    hq.manage("shell", "-c", PRICE_CHANGE)
    wait_for("the old price change on both old siblings", lambda: fries(n1) == fries(n2) == 280, timeout=40)
    wait_for("the old sales at the old HQ", lambda: before <= set(hq_orders(hq)), timeout=40)
    legacy = n1.get("/api/health")["origin"]
    assert ":" not in legacy, "the previous release names origins without their store"

    for node in (hq, n1, n2):
        upgrade(node)
    # Every process life issues under a fresh origin (sync/restore.py), now store-coded;
    # the legacy one stays an ordinary origin the node holds, bound to its store.
    upgraded = n1.get("/api/health")
    assert upgraded["origin"].startswith("S001:node1."), upgraded["origin"]
    assert upgraded["version_vector"].get(legacy, 0) >= 1, "the legacy origin's changes are still held"
    after = {sell(n1), sell(n2)}
    hq.manage("shell", "-c", PRICE_CHANGE.replace("280", "300"))
    wait_for("HQ's signed price on both upgraded siblings", lambda: fries(n1) == fries(n2) == 300, timeout=60)
    everything = before | after
    wait_for("every sale at HQ once", lambda: sorted(hq_orders(hq)) == sorted(everything), timeout=60)

    n3.setup().start()  # a new sibling: the old unsigned master changes reach it only as HQ signs them
    wait_for("the new sibling to hold every sale and HQ's latest price",
             lambda: everything <= orders(n3) and fries(n3) == 300, timeout=60)
    wait_for("the old siblings to hold every sale", lambda: everything <= orders(n1) and everything <= orders(n2))
    for node in (n1, n2, n3):
        reasons = [r for r in node.get("/api/health")["reasons"] if r["code"] == "changes_refused"]
        assert not reasons, (node.name, reasons)
