"""Two sibling store nodes and HQ (PostgreSQL), all real processes: node1 closes
the day (Z) while node2 is cut off; both keep selling, node2 voids a counted
sale without knowing of the close. After the links heal, every node and HQ
agree: the closed day's report equals the Z, the late sales are next day's,
and the late void is kept and flagged as after_close (issue 21, finding 5)."""

from __future__ import annotations

import datetime as dt
import itertools
import threading

import pytest

from tests.nodes import Node, free_port, start_all
from tests.personas import order_body
from tests.test_partition_chaos import Link
from tests.test_replication_hq import hq_database_url  # noqa: F401  (fixture)
from tests.test_replication_nodes import KEY, wait_for

pytestmark = pytest.mark.nodes

NAMES = ("node1", "node2", "hq")
Z_ONLY = ("kind", "number", "queued_at_close")


@pytest.fixture
def cluster(tmp_path, hq_database_url):  # noqa: F811
    ports = {name: free_port() for name in NAMES}
    links = {(a, b): Link(ports[b]) for a, b in itertools.permutations(NAMES, 2) if a != "hq"}
    for link in links.values():
        link.__enter__()
    hq = Node(tmp_path / "hq", name="hq1", port=ports["hq"], POS_ROLE="hq", POS_STORE="S001", POS_SYNC_KEY=KEY,
              DATABASE_URL=hq_database_url, LOG_LEVEL="WARNING")
    nodes = [
        Node(tmp_path / name, name=name, port=ports[name], POS_STORE="S001", POS_SYNC_KEY=KEY, LOG_LEVEL="WARNING",
             POS_HQ_URL=links[(name, "hq")].url, POS_PEERS=links[(name, other)].url)
        for name, other in (("node1", "node2"), ("node2", "node1"))
    ]
    everyone = [hq, *nodes]
    try:
        start_all(everyone)
        yield hq, nodes[0], nodes[1], links
    finally:
        for node in everyone:
            node.stop()
        for link in links.values():
            link.__exit__(None, None, None)


def sell(node: Node, **overrides) -> dict:
    status, order = node.post("/api/orders", order_body(**overrides))
    assert status == 201, order
    return order


def order_on(node: Node, order_id: str) -> dict | None:
    status, order = node.request("GET", f"/api/orders/{order_id}")
    return order if status == 200 else None


def sales(node: Node, day: str) -> dict:
    at_hq = "&store=S001" if node.name == "hq1" else ""
    return node.get(f"/api/reports/sales?business_date={day}{at_hq}")


def zs(node: Node) -> list[dict]:
    return node.get("/api/reports/z" + ("?store=S001" if node.name == "hq1" else ""))


def conflicts(node: Node, order_ids: list[str]) -> list[list[dict]]:
    """Each order's ``conflicts`` as GET /api/orders/{id} shows them."""
    return [order_on(node, order_id)["conflicts"] for order_id in order_ids]


def test_a_z_on_one_node_ends_the_day_on_every_node_and_at_hq(cluster):
    hq, n1, n2, links = cluster
    before = [sell(n1), sell(n2), sell(n1, payments=[]), sell(n1, dining="eat_in", lines=[{"sku": "BEER", "qty": 1}])]
    victim = before[3]
    ids = [o["id"] for o in before]
    wait_for("every node and HQ to hold the day's first sales",
             lambda: all(order_on(node, i) for node in (n1, n2, hq) for i in ids), timeout=60)
    day = before[0]["business_date"]
    following = (dt.date.fromisoformat(day) + dt.timedelta(days=1)).isoformat()

    for pair in (("node1", "node2"), ("node2", "node1"), ("node2", "hq")):
        links[pair].cut()
    status, z = n1.post("/api/reports/z", {"manager_pin": "9999"})
    assert status == 201, z
    assert (z["business_date"], z["number"], z["report"]["orders"]) == (day, 1, 4)

    after_on_1 = sell(n1)
    after_on_2 = sell(n2)
    assert after_on_1["business_date"] == following, "the node that closed sells into the next business day"
    assert after_on_2["business_date"] == day, "node2 has not heard of the Z yet"
    assert n2.post("/api/shifts/start", {"pin": "9999"})[0] == 200
    status, voided = n2.post(f"/api/orders/{victim['id']}/void", {"manager_pin": "9999", "reason": "打ち間違い"})
    assert status == 200, voided
    status, refused = n1.post(f"/api/orders/{before[0]['id']}/void", {"manager_pin": "9999", "reason": "x"})
    assert status == 409 and "closed" in refused["detail"], refused

    for link in links.values():
        link.restore()

    def healed(node: Node) -> bool:
        late = [order_on(node, o["id"]) for o in (after_on_1, after_on_2)]
        victim_now = order_on(node, victim["id"])
        return (all(o and o["business_date"] == following for o in late) and bool(zs(node))
                and bool(victim_now) and victim_now["status"] == "voided")

    wait_for("node1, node2 and HQ to hold the Z, the late sales and the late void", lambda: all(healed(n) for n in (n1, n2, hq)),
             timeout=120)

    z_day = {k: v for k, v in z["report"].items() if k not in Z_ONLY}
    for node in (n1, n2, hq):
        report = sales(node, day)
        assert {k: report[k] for k in z_day} == z_day, f"{node.name}: the closed day's report is not its Z"
        assert zs(node)[0]["report"] == z["report"]
        assert order_on(node, victim["id"])["business_date"] == day
    assert sales(n1, day) == sales(n2, day) == sales(hq, day)
    nexts = [sales(node, following) for node in (n1, n2, hq)]
    assert nexts[0] == nexts[1] == nexts[2]
    assert nexts[0]["orders"] == 2 and nexts[0]["total"] == after_on_1["total"] + after_on_2["total"]

    for node in (n1, n2, hq):
        flagged, late = conflicts(node, [victim["id"], after_on_2["id"]])
        assert [(c["kind"], c["nodes"]) for c in flagged] == [("after_close", ["node1", "node2"])], (node.name, flagged)
        assert "void" in flagged[0]["detail"]
        assert late == [], "a late sale is simply the next day's"
    status, refused = n2.post(f"/api/orders/{before[1]['id']}/void", {"manager_pin": "9999", "reason": "x"})
    assert status == 409 and "closed" in refused["detail"], "node2 now knows the day is closed"
