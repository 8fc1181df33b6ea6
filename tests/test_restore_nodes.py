"""A store node restored from a backup, as real processes (issue 21, finding 1).

The drill an operator runs: back up the running node's SQLite with the
sqlite3 backup API, sell more, stop it, restore the backup, start it while
its sibling and HQ are away, sell. Then everyone meets again: every sale
acknowledged anywhere is on every node and at HQ exactly once, ticket
numbers are unique for the day, and the day's sales reports agree.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from tests.nodes import Node, free_port
from tests.test_replication_hq import hq_database_url, hq_orders, store_and_hq  # noqa: F401  (fixtures)
from tests.test_replication_nodes import KEY, order_ids, place, wait_for

pytestmark = pytest.mark.nodes


def backup(node: Node, to: Path) -> None:
    """What an operator runs while the node serves: sqlite3's online backup."""
    src, dst = sqlite3.connect(node.db_file), sqlite3.connect(to)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


def restore(node: Node, source: Path) -> None:
    """With the node stopped: the backup written back through SQLite, so the
    live file's write-ahead log cannot be replayed over it."""
    src, dst = sqlite3.connect(source), sqlite3.connect(node.db_file)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


def reused_seqs(nodes: list[Node]) -> list[tuple[str, int]]:
    """(origin, seq) pairs that name two different changes across the nodes' files."""
    seen: dict[tuple[str, int], str] = {}
    reused = []
    for node in nodes:
        with sqlite3.connect(node.db_file) as conn:
            for origin, seq, change_id in conn.execute("SELECT origin, seq, id FROM sync_change"):
                if seen.setdefault((origin, seq), change_id) != change_id:
                    reused.append((origin, seq))
    return reused


def reasons(node: Node) -> dict[str, dict]:
    return {r["code"]: r for r in node.get("/api/health")["reasons"]}


def day_of(node: Node, order_id: str) -> str:
    return node.get(f"/api/orders/{order_id}")["business_date"]


def day_view(node: Node, day: str, *, hq: bool = False) -> tuple[list, dict]:
    store = "&store=S001" if hq else ""
    orders = node.get(f"/api/orders?business_date={day}&limit=500{store}")["items"]
    report = node.get(f"/api/reports/sales?business_date={day}{store}")
    return sorted((o["id"], o["number"], o["total"]) for o in orders), report


def test_a_node_restored_while_alone_loses_no_sale_and_reuses_no_number(store_and_hq, tmp_path):
    hq, n1, n2 = store_and_hq
    before = [place(n1) for _ in range(5)]
    wait_for("the first sales on node2 and at HQ", lambda: set(before) <= set(order_ids(n2)) and set(before) <= set(hq_orders(hq)))
    saved = tmp_path / "node1-backup.sqlite3"
    backup(n1, saved)
    lost = [place(n1) for _ in range(5)]  # after the backup: only node2 and HQ will still have these
    wait_for("node2 and HQ to hold every sale", lambda: len(order_ids(n2)) == 10 and len(hq_orders(hq)) == 10)
    for node in (n1, n2, hq):
        node.stop()
    restore(n1, saved)
    n1.start()
    assert len(order_ids(n1)) == 5  # the database really went back
    found = wait_for("health to say the node was restored", lambda: reasons(n1).get("restored_from_backup"))
    assert found["action"] and found["detail"]
    after = [place(n1) for _ in range(5)]
    numbers = [n1.get(f"/api/orders/{i}")["number"] for i in after]
    # The node cannot see the five lost sales, yet does not call their numbers again.
    assert numbers == [11, 12, 13, 14, 15]

    n2.start()
    hq.start()
    everything = before + lost + after
    wait_for("every sale on both nodes", lambda: sorted(order_ids(n1)) == sorted(order_ids(n2)) == sorted(everything), timeout=60)
    wait_for("every sale at HQ", lambda: sorted(hq_orders(hq)) == sorted(everything), timeout=60)
    assert reused_seqs([n1, n2]) == []
    day = day_of(n1, everything[0])
    views = [day_view(n1, day), day_view(n2, day), day_view(hq, day, hq=True)]
    assert views[0][0] == views[1][0] == views[2][0]
    assert len(views[0][0]) == 15
    numbers_of_day = Counter(number for _, number, _ in views[0][0])
    assert max(numbers_of_day.values()) == 1, numbers_of_day
    assert views[0][1]["orders"] == views[1][1]["orders"] == views[2][1]["orders"] == 15
    assert views[0][1]["total"] == views[1][1]["total"] == views[2][1]["total"]
    wait_for("the restored reason to go once nothing is missing", lambda: "restored_from_backup" not in reasons(n1))
    for node in (n1, n2):
        # Every origin's hash chain intact: the old one continues with the sales pulled back.
        assert "journal intact" in node.manage("verify_journal")
    wait_for("both nodes' backlog to HQ drained", lambda: all(
        node.get("/api/health")["hq"]["upstream_backlog"] == 0 for node in (n1, n2)), timeout=30)


@pytest.fixture
def store_of_one(tmp_path, hq_database_url):  # noqa: F811
    hq = Node(tmp_path / "hq", name="hq1", POS_ROLE="hq", POS_STORE="S001", POS_SYNC_KEY=KEY, DATABASE_URL=hq_database_url)
    n1 = Node(tmp_path / "n1", name="node1", POS_STORE="S001", POS_SYNC_KEY=KEY, POS_HQ_URL=hq.url)
    try:
        yield hq.setup().start(), n1.setup().start()
    finally:
        for node in (n1, hq):
            node.stop()


def test_a_lone_node_restored_with_nobody_reachable_sells_and_later_reaches_hq(store_of_one, tmp_path):
    hq, n1 = store_of_one
    before = [place(n1) for _ in range(4)]
    wait_for("the first sales at HQ", lambda: len(hq_orders(hq)) == 4)
    saved = tmp_path / "node1-backup.sqlite3"
    backup(n1, saved)
    lost = [place(n1) for _ in range(3)]
    wait_for("HQ to hold every sale", lambda: len(hq_orders(hq)) == 7)
    n1.stop()
    hq.stop()
    restore(n1, saved)
    n1.start()
    assert "restored_from_backup" in reasons(n1)
    after = [place(n1) for _ in range(4)]
    assert [n1.get(f"/api/orders/{i}")["number"] for i in after] == [8, 9, 10, 11]

    hq.start()
    everything = before + lost + after
    # Had the node reissued the lost sales' sequence numbers, HQ would skip its new ones.
    wait_for("every sale at HQ, once", lambda: sorted(hq_orders(hq)) == sorted(everything), timeout=60)
    # And what the restore took from the node comes back to it from HQ.
    wait_for("the lost sales back on the node", lambda: sorted(order_ids(n1)) == sorted(everything), timeout=60)
    day = day_of(n1, everything[0])
    here, there = day_view(n1, day), day_view(hq, day, hq=True)
    assert here[0] == there[0] and here[1]["total"] == there[1]["total"] and here[1]["orders"] == 11
    wait_for("the restored reason to go", lambda: "restored_from_backup" not in reasons(n1))
    assert "journal intact" in n1.manage("verify_journal")
