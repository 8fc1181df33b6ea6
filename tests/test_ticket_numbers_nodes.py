"""Two siblings of one store, cut off from each other, each accept an order
with the same ticket number (two tablets that shared one register identity).
Once the link is back, the two orders hold distinct numbers, the same on both
nodes, and both nodes' status boards call the renumbered order by its new number."""

from __future__ import annotations

from typing import Any

import pytest

from tests.nodes import Node
from tests.personas import order_body
from tests.test_partition_chaos import cut_siblings  # noqa: F401  (fixture)
from tests.test_replication_nodes import wait_for

pytestmark = pytest.mark.nodes


def _numbers(node: Node, ids: list[str]) -> list[int] | None:
    found = []
    for order_id in ids:
        status, body = node.request("GET", f"/api/orders/{order_id}")
        if status != 200:
            return None
        found.append(body["number"])
    return found


def _placed(node: Node, number: int) -> dict[str, Any]:
    body = order_body(dining="eat_in", lines=[{"sku": "FRIES", "qty": 1}], payments=[], number=number)
    status, order = node.post("/api/orders", body)
    assert status == 201, order
    assert order["number"] == number  # cut off, each node sees no clash and keeps the register's number
    return order


def test_two_orders_with_one_number_end_with_distinct_numbers_on_every_node(cut_siblings):
    n1, n2, links = cut_siblings
    for link in links:
        link.cut()
    first = _placed(n1, 10001)
    second = _placed(n2, 10001)
    ids = [first["id"], second["id"]]

    for link in links:
        link.restore()

    def settled() -> list[int] | None:
        seen = [_numbers(node, ids) for node in (n1, n2)]
        if None in seen or seen[0] != seen[1] or len(set(seen[0] or [])) != 2:
            return None
        return seen[0]

    numbers = wait_for("distinct numbers, the same on both nodes", settled, timeout=40)
    # The order placed first keeps the number the customer already heard.
    assert numbers.count(10001) == 1
    renumbered = next(n for n in numbers if n != 10001)
    for node in (n1, n2):
        wait_for(f"{node.name}'s board calls both numbers",
                 lambda node=node: sorted(node.get("/api/integrations/board")["preparing"]) == sorted(numbers), timeout=20)
    # It stays that way: no further renumbering once the clash is resolved.
    assert _numbers(n1, ids) == _numbers(n2, ids) == numbers
    assert renumbered < 10000  # a node's own lane, never another register's block


def test_a_node_does_not_call_a_number_another_order_of_the_day_holds(tmp_path):
    node = Node(tmp_path / "store", name="node1").setup().start()
    try:
        first = _placed(node, 10001)
        status, again = node.post("/api/orders", order_body(dining="eat_in", lines=[{"sku": "FRIES", "qty": 1}],
                                                            payments=[], number=10001))
        assert status == 201
        assert again["number"] != 10001 and again["number"] != first["number"]
        board = node.get("/api/integrations/board")["preparing"]
        assert sorted(board) == sorted([10001, again["number"]])
    finally:
        node.stop()
