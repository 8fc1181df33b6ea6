"""HQ applies stores' uploads side by side (a lock per store, not one for all),
and still exactly once: a real HQ process on PostgreSQL, stores simulated by
signed pushes over HTTP (tests/hq_load.py)."""

from __future__ import annotations

import threading
import time

import pytest

from tests.hq_load import BUSINESS_DATE, SimStore
from tests.nodes import Node
from tests.test_replication_hq import throwaway_postgres

pytestmark = [pytest.mark.nodes, pytest.mark.postgres]

KEY, KEY2 = "hq-locks-key-1", "hq-locks-key-2"


@pytest.fixture
def hq(tmp_path):
    with throwaway_postgres() as url:
        node = Node(tmp_path / "hq", name="hq1", POS_ROLE="hq", POS_STORE="S001", POS_SYNC_KEY=KEY, DATABASE_URL=url)
        node.setup()
        node.manage("add_store", "S002", "--key", KEY2)
        try:
            yield node.start(), url
        finally:
            node.stop()


def report(hq: Node, token: str, store: str) -> tuple[int, int]:
    answer = hq.get(f"/api/reports/sales?store={store}&business_date={BUSINESS_DATE}", token=token)
    return answer["orders"], answer["total"]


def _held_up(hq, block, what: str, *, s001_waits: bool = True) -> None:
    """S001's next upload meets ``block(S001)`` (a statement and its
    parameters), held open in another transaction;
    S002's upload meanwhile is applied without waiting for it, and S001's
    after it is released, each exactly once."""
    node, url = hq
    import psycopg

    a, b = SimStore("S001", KEY), SimStore("S002", KEY2)
    assert a.push(node.url, a.sale())[0] == 200 and b.push(node.url, b.sale())[0] == 200
    blocker = psycopg.connect(url.replace("postgres://", "postgresql://"))
    blocker.execute(*block(a))
    answers: list = []
    waiting = threading.Thread(target=lambda: answers.append(a.push(node.url, a.sale(), timeout=60)))
    waiting.start()
    try:
        time.sleep(1.5)
        assert waiting.is_alive() and not answers, f"S001's push should wait for {what}"
        started = time.monotonic()
        status, answer = b.push(node.url, b.sale(), timeout=20)
        took = time.monotonic() - started
        assert status == 200 and answer["applied"] == 2, answer
        # Under one lock for all stores this push waited for S001's transaction.
        assert took < 5, f"S002's push waited {took:.1f} s behind {what}"
        if s001_waits:
            assert waiting.is_alive(), "S001's push went on while its lock was held"
    finally:
        blocker.rollback()
        blocker.close()
        waiting.join(30)
    assert answers and answers[0][0] == 200 and answers[0][1]["applied"] == 2, answers


def test_one_store_held_up_does_not_hold_up_another(hq):
    # A long transaction of S001's: its origin's vector row is held, as an
    # apply of a big S001 batch holds it until it commits.
    _held_up(hq, lambda a: ("SELECT 1 FROM sync_vectorentry WHERE origin = %s FOR UPDATE", [a.origin]), "S001's lock")


def test_a_store_held_up_past_its_kitchen_feed_does_not_hold_up_another(hq):
    """The kitchen feed's writer lock is per store: one held for all stores made
    every store's upload wait for any one still in its transaction."""
    # S001's next apply writes its tickets and feed entries, then waits here:
    # marking its business day due (hq/rollups.py) meets this uncommitted mark.
    _held_up(hq, lambda a: ("INSERT INTO hq_rollupdue (store, business_date, marked) VALUES ('S001', %s, 0) "
                            "ON CONFLICT (store, business_date) DO UPDATE SET marked = 0", [BUSINESS_DATE]),
             "S001's kitchen feed", s001_waits=False)



def test_the_same_batch_pushed_at_once_by_many_is_applied_once(hq):
    node, _ = hq
    token = node.manage("analyst_token", "analyst-1").strip().splitlines()[-1]
    a, b = SimStore("S001", KEY), SimStore("S002", KEY2)
    batch_a = [c for _ in range(5) for c in a.sale(price=300)]
    batch_b = [c for _ in range(4) for c in b.sale(price=480, qty=2)]
    results: list[tuple[str, int, object]] = []
    lock = threading.Lock()

    def send(store: SimStore, batch: list) -> None:
        status, answer = store.push(node.url, batch, timeout=60)
        with lock:
            results.append((store.store, status, answer))

    threads = [threading.Thread(target=send, args=(s, batch)) for s, batch in [(a, batch_a), (b, batch_b)] * 4]
    for t in threads:
        t.start()
    for t in threads:
        t.join(90)
    assert len(results) == 8 and all(status == 200 for _, status, _ in results), results
    for store, batch in (("S001", batch_a), ("S002", batch_b)):
        answers = [answer for s, _, answer in results if s == store]
        # Exactly one of the four applied the batch; the others found it held.
        assert sum(x["applied"] for x in answers) == len(batch), answers
        assert sorted(x["applied"] for x in answers) == [0, 0, 0, len(batch)], answers
    assert report(node, token, "S001") == (a.orders, a.total) == (5, 1500)
    assert report(node, token, "S002") == (b.orders, b.total) == (4, 3840)
