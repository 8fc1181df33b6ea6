"""Sibling store nodes as real daphne processes on loopback: live replication,
catch-up after a crash, and a node with the wrong key kept out."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from tests.nodes import Node, free_port
from tests.personas import order_body

pytestmark = pytest.mark.nodes

KEY = "store-key-S001"


def wait_for(what: str, check: Callable[[], Any], timeout: float = 20) -> Any:
    """Poll ``check`` until it returns something truthy; bounded in time."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what} (last: {last!r})")


def siblings(tmp_path, *, key2: str = KEY) -> tuple[Node, Node]:
    p1, p2 = free_port(), free_port()
    n1 = Node(tmp_path / "n1", name="node1", port=p1, POS_STORE="S001", POS_SYNC_KEY=KEY, POS_PEERS=f"http://127.0.0.1:{p2}")
    n2 = Node(tmp_path / "n2", name="node2", port=p2, POS_STORE="S001", POS_SYNC_KEY=key2, POS_PEERS=f"http://127.0.0.1:{p1}")
    return n1, n2


@pytest.fixture
def pair(tmp_path):
    n1, n2 = siblings(tmp_path)
    try:
        yield n1.setup().start(), n2.setup().start()
    finally:
        n1.stop()
        n2.stop()


def place(node: Node) -> str:
    body = order_body()
    status, answer = node.post("/api/orders", body)
    assert status == 201, answer
    return body["id"]


def has_order(node: Node, order_id: str) -> bool:
    return node.request("GET", f"/api/orders/{order_id}")[0] == 200


def order_ids(node: Node) -> list[str]:
    return [o["id"] for o in node.get("/api/orders?limit=500")["items"]]


def test_orders_placed_alternately_on_two_siblings_appear_on_the_other(pair):
    n1, n2 = pair
    for i in range(10):
        source, other = (n1, n2) if i % 2 == 0 else (n2, n1)
        order_id = place(source)
        wait_for(f"order {i} on {other.name}", lambda: has_order(other, order_id))
    numbers_1 = {o["id"]: o["number"] for o in n1.get("/api/orders?limit=50")["items"]}
    numbers_2 = {o["id"]: o["number"] for o in n2.get("/api/orders?limit=50")["items"]}
    assert numbers_1 == numbers_2 and len(numbers_1) == 10
    health = wait_for("both peers up", lambda: (h := n1.get("/api/health"))["peers"][0]["state"] == "up" and h)
    assert health["peers"][0]["node"] == "node2" and health["peers"][0]["last_contact"]


def test_a_killed_sibling_catches_up_without_duplicates(pair):
    n1, n2 = pair
    before = place(n1)
    wait_for("the first order on node2", lambda: has_order(n2, before))
    n2.kill9()
    placed = [place(n1) for _ in range(50)]
    wait_for("node2 reported down", lambda: n1.get("/api/health")["peers"][0]["state"] == "down")
    n2.start()
    wait_for("node2 to catch up", lambda: len(order_ids(n2)) == 51, timeout=60)
    ids = order_ids(n2)
    assert sorted(ids) == sorted(order_ids(n1)) and len(set(ids)) == 51 and set(placed) <= set(ids)
    wait_for("node1 to see node2 caught up", lambda: n1.get("/api/health")["peers"][0]["behind"] == 0)


def test_a_node_with_the_wrong_key_neither_receives_nor_injects(tmp_path):
    n1, n2 = siblings(tmp_path, key2="a-wrong-key")
    try:
        n1.setup().start()
        n2.setup().start()
        from_1, from_2 = place(n1), place(n2)
        wait_for("node1 to call node2 unauthorized", lambda: n1.get("/api/health")["peers"][0]["state"] == "unauthorized")
        wait_for("node2 to call node1 unauthorized", lambda: n2.get("/api/health")["peers"][0]["state"] == "unauthorized")
        # Both have tried push and pull (anti-entropy runs every second) by now.
        time.sleep(1.5)
        assert order_ids(n1) == [from_1] and order_ids(n2) == [from_2]
    finally:
        n1.stop()
        n2.stop()
