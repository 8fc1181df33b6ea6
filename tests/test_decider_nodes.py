"""Two sibling nodes of S001 as real processes: money on one order and the PIN
budget are decided once for the store while they are connected; with the
decider stopped, the other node decides for itself."""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

import pytest

from tests.nodes import Node
from tests.personas import order_body
from tests.test_replication_nodes import siblings as make_siblings
from tests.test_replication_nodes import wait_for

pytestmark = pytest.mark.nodes

MANAGER_PIN = "9999"
CASHIER_PIN = "1234"


@pytest.fixture
def pair(tmp_path):
    n1, n2 = make_siblings(tmp_path)  # node1 < node2: node1 decides while it answers
    try:
        n1.setup().start()
        n2.setup().start()
        connected(n1, n2)
        yield n1, n2
    finally:
        n1.stop()
        n2.stop()


def connected(*nodes: Node) -> None:
    for node in nodes:
        wait_for(f"{node.name} to reach its sibling",
                 lambda node=node: all(p["state"] == "up" for p in node.get("/api/health")["peers"]))


def at_once(calls: list) -> list[tuple[int, Any]]:
    """Fire every call at the same instant from its own thread; their (status, body) in order."""
    results: list = [None] * len(calls)
    start = threading.Barrier(len(calls))

    def run(i: int) -> None:
        start.wait()
        results[i] = calls[i]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not any(thread.is_alive() for thread in threads), "a request never came back"
    return results


def sold_on(node: Node, *others: Node) -> dict:
    status, order = node.post("/api/orders", order_body())
    assert status == 201, order
    for other in others:
        wait_for(f"the sale on {other.name}", lambda other=other: other.request("GET", f"/api/orders/{order['id']}")[0] == 200)
    return order


def full_refund(node: Node, order_id: str) -> tuple[int, Any]:
    body = {"id": str(uuid.uuid4()), "manager_pin": MANAGER_PIN, "reason": "wrong order"}
    return node.post(f"/api/orders/{order_id}/refunds", body)


def refunded(node: Node) -> dict:
    return node.get("/api/reports/sales")["refunds"]


def test_two_full_refunds_of_one_sale_at_the_same_instant_on_both_siblings_succeed_once(pair):
    n1, n2 = pair
    sale = sold_on(n1, n2)
    answers = at_once([lambda: full_refund(n1, sale["id"]), lambda: full_refund(n2, sale["id"])])
    statuses = sorted(status for status, _ in answers)
    assert statuses == [201, 409], answers
    refund = next(body for status, body in answers if status == 201)
    assert refund["amount"] == sale["total"]
    refused = next(body for status, body in answers if status == 409)
    assert "already fully refunded" in refused["detail"]
    for node in pair:
        wait_for(f"the refund on {node.name}", lambda node=node: refunded(node)["count"] == 1)
        assert refunded(node)["amount"] == sale["total"]
    time.sleep(1.5)  # a second refund, had one slipped through, would have replicated by now
    assert [refunded(node)["count"] for node in pair] == [1, 1]


def test_a_retried_refund_on_the_other_sibling_is_the_same_refund(pair):
    n1, n2 = pair
    sale = sold_on(n1, n2)
    body = {"id": str(uuid.uuid4()), "manager_pin": MANAGER_PIN, "reason": "wrong order"}
    first = n2.post(f"/api/orders/{sale['id']}/refunds", body)
    again = n1.post(f"/api/orders/{sale['id']}/refunds", body)  # the outbox resending to another node
    assert first[0] == 201 and again == (200, first[1]), (first, again)


def test_forty_parallel_wrong_pins_over_both_siblings_get_ten_checks_and_the_lockout_survives_restarts(pair):
    n1, n2 = pair
    answers = at_once([lambda node=node: node.post("/api/staff/login", {"pin": "0000"})
                       for node in (n1, n2) * 20])
    statuses = [status for status, _ in answers]
    assert statuses.count(403) <= 10 and statuses.count(403) + statuses.count(429) == 40, statuses
    for node in pair:
        assert node.post("/api/staff/login", {"pin": CASHIER_PIN})[0] == 429

    n2.stop()  # the node that forwarded its guesses: after a restart it asks the decider again
    n2.start()
    assert n2.post("/api/staff/login", {"pin": CASHIER_PIN})[0] == 429
    n1.stop()  # the decider, which holds the count
    n1.start()
    connected(n1, n2)
    for node in pair:
        status, answer = node.post("/api/staff/login", {"pin": CASHIER_PIN})
        assert status == 429 and "wait" in answer["detail"], answer


def test_with_the_decider_stopped_the_other_sibling_still_takes_refunds(pair):
    n1, n2 = pair
    sale = sold_on(n1, n2)
    n1.stop()
    started = time.monotonic()
    status, refund = full_refund(n2, sale["id"])
    assert status == 201 and refund["amount"] == sale["total"], refund
    assert time.monotonic() - started < 10
    status, again = full_refund(n2, sale["id"])
    assert status == 409, again  # node2 now decides alone, and still only once
