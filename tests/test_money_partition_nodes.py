"""Two siblings of store S001 and HQ (PostgreSQL), all real processes. The link
between the siblings is cut while managers and cashiers on both sides touch the
same orders: one open order paid in cash on node1 and by card on node2, one sale
refunded in full on both, one sale voided on node1 and refunded on node2. Once
the link is back, both nodes and HQ agree on every order (paid, refunded,
status, conflicts) and on the day's report, and every clash is flagged."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.nodes import Node, free_port
from tests.personas import order_body
from tests.test_partition_chaos import Link
from tests.test_replication_hq import hq_database_url  # noqa: F401  (fixture)
from tests.test_replication_nodes import KEY, wait_for

pytestmark = pytest.mark.nodes

MANAGER = "9999"
FIELDS = ("number", "total", "paid", "refunded", "status", "conflicts", "payments")


@pytest.fixture
def cut_siblings(tmp_path, hq_database_url):  # noqa: F811  (fixture)
    hq = Node(tmp_path / "hq", name="hq1", POS_ROLE="hq", POS_STORE="S001", POS_SYNC_KEY=KEY, DATABASE_URL=hq_database_url)
    p1, p2 = free_port(), free_port()
    # Link: a proxy that outlives its target being down (node2 starts after node1 calls it).
    with Link(p2) as to2, Link(p1) as to1:
        common = {"POS_STORE": "S001", "POS_SYNC_KEY": KEY, "POS_HQ_URL": hq.url}
        n1 = Node(tmp_path / "n1", name="node1", port=p1, POS_PEERS=to2.url, **common)
        n2 = Node(tmp_path / "n2", name="node2", port=p2, POS_PEERS=to1.url, **common)
        try:
            yield hq.setup().start(), n1.setup().start(), n2.setup().start(), (to1, to2)
        finally:
            for node in (n1, n2, hq):
                node.stop()


def _ok(result: tuple[int, Any], *codes: int) -> Any:
    status, body = result
    assert status in (codes or (200, 201)), (status, body)
    return body


def _order(node: Node, order_id: str) -> dict[str, Any] | None:
    status, body = node.request("GET", f"/api/orders/{order_id}")
    return {k: body[k] for k in FIELDS} if status == 200 else None


def _sales(node: Node, day: str) -> dict[str, Any]:
    return node.get(f"/api/reports/sales?business_date={day}" + ("&store=S001" if node.name == "hq1" else ""))


def test_money_done_twice_in_a_partition_is_kept_flagged_and_the_same_everywhere(cut_siblings):
    hq, n1, n2, links = cut_siblings
    open_order = _ok(n1.post("/api/orders", order_body(dining="eat_in", payments=[])))
    twice_refunded = _ok(n1.post("/api/orders", order_body()))
    voided_and_refunded = _ok(n2.post("/api/orders", order_body()))
    ids = [open_order["id"], twice_refunded["id"], voided_and_refunded["id"]]
    for node in (n1, n2):
        wait_for(f"every sale on {node.name}", lambda node=node: all(_order(node, i) for i in ids), timeout=30)

    for link in links:
        link.cut()
    due = open_order["total"]
    _ok(n1.post(f"/api/orders/{ids[0]}/payments", {"id": str(uuid.uuid4()), "payments": [{"method": "cash", "amount": 10_000}]}))
    _ok(n2.post(f"/api/orders/{ids[0]}/payments", {"id": str(uuid.uuid4()), "payments": [{"method": "card", "amount": due}]}))
    for node in (n1, n2):
        _ok(node.post(f"/api/orders/{ids[1]}/refunds",
                      {"id": str(uuid.uuid4()), "manager_pin": MANAGER, "reason": "返品", "register": "register-1"}))
    _ok(n1.post(f"/api/orders/{ids[2]}/void", {"manager_pin": MANAGER, "reason": "誤打"}), 200)
    _ok(n2.post(f"/api/orders/{ids[2]}/refunds",
                {"id": str(uuid.uuid4()), "manager_pin": MANAGER, "reason": "返品", "register": "register-2"}))
    # Cut off, each side sees only what it did itself.
    assert _order(n1, ids[0])["paid"] == due and _order(n1, ids[0])["conflicts"] == []
    assert _order(n2, ids[1])["refunded"] == twice_refunded["total"]

    for link in links:
        link.restore()

    def agreed() -> list[dict[str, Any]] | None:
        seen = [[_order(node, i) for i in ids] for node in (hq, n1, n2)]
        return seen[0] if seen[0] == seen[1] == seen[2] and all(o and o["conflicts"] for o in seen[0]) else None

    paid_twice, refunded_twice, void_and_refund = wait_for("the siblings and HQ to agree", agreed, timeout=90)

    assert paid_twice["paid"] == 2 * due
    assert sorted(p["method"] for p in paid_twice["payments"]) == ["card", "cash"]
    assert [(c["kind"], c["nodes"]) for c in paid_twice["conflicts"]] == [("double_payment", ["node1", "node2"])]
    assert refunded_twice["refunded"] == 2 * twice_refunded["total"] and refunded_twice["status"] != "voided"
    assert [(c["kind"], c["nodes"]) for c in refunded_twice["conflicts"]] == [("over_refund", ["node1", "node2"])]
    assert void_and_refund["status"] == "voided" and void_and_refund["refunded"] == voided_and_refunded["total"]
    assert [(c["kind"], c["nodes"]) for c in void_and_refund["conflicts"]] == [("void_and_refund", ["node1", "node2"])]

    day = n1.get(f"/api/orders/{ids[0]}")["business_date"]
    reports = [_sales(node, day) for node in (hq, n1, n2)]
    assert reports[0] == reports[1] == reports[2]
    assert sorted(c["kind"] for c in reports[0]["conflicts"]) == ["double_payment", "over_refund", "void_and_refund"]
    assert reports[0]["refunds"]["amount"] == 2 * twice_refunded["total"] + voided_and_refunded["total"]
    for node in (n1, n2):
        listed = node.get(f"/api/conflicts?business_date={day}")
        assert sorted((c["number"], c["kind"]) for c in listed) == sorted(
            (o["number"], o["conflicts"][0]["kind"]) for o in (paid_twice, refunded_twice, void_and_refund))
