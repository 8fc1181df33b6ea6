"""Replication benchmark: steady-state lag between two sibling nodes and the
catch-up rate of a node coming back to a 10,000-order backlog.

Real daphne processes on loopback (tests/nodes.py), SQLite as in a store.

    .venv/bin/python bench/replication.py [--samples 200] [--orders 10000]

Lag: an order is placed on one sibling (alternating) and timed from the
POST's answer until its first ticket reaches an expediter screen on the other
sibling's kitchen feed (/ws/kitchen/): the order replicated, applied,
routed to the kitchen and fed to a screen, which is what that sibling's staff
see. Until 2026-11-29 the bench instead polled the other sibling's GET
/api/orders/{id} every 5 ms; a poll costs that node about as much as the
interval, so the figure was about 10 ms of polling above the replication. It
is still measured, on orders of its own placed in between, and printed as
"polled".
Push round trip: the bench itself pushes an empty batch (the sender's vector
only: no write) to node2 over HTTP and over the sibling socket, alternating,
so both see the same machine; the difference is what the socket saves on
every live push whatever the apply costs.
Catch-up: node2 is stopped, node1 records the backlog (orders placed, cooked and handed over in-process
by `manage.py shell`, which is faster than HTTP and replicates the same), node2
is started and the time until its version vector holds all of node1's changes
is measured from the moment it answers HTTP, read every 10 ms from node2's
database file by this process (until 2026-11-30 from node2's /api/health
every 50 ms, which cost node2 about 7 % of the catch-up it measured).
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.nodes import Node, free_port  # noqa: E402
from tests.personas import order_body  # noqa: E402
from tests.relay_clients import Screen  # noqa: E402

KEY = "bench-key"

# Two hours of a store: each order is cooked and handed over (its tickets
# bumped, then served), as the kitchen does within minutes. A backlog of
# thousands of orders all still cooking is no store's: past a lane's 999th
# live order every number is shared, and the receiving node spends the
# catch-up renumbering (registers/renumber.py).
BACKLOG = """
import uuid
from kitchen.models import Ticket
from kitchen.services import order_serve, ticket_bump
from registers.services import LineRequest, order_place
from registers.tender import Tender
for i in range({n}):
    order_id = uuid.uuid4()
    order_place(order_id=order_id, register="bench", dining="take_out",
                lines=[LineRequest(sku="FRIES", qty=1), LineRequest(sku="COLA", qty=1, modifiers=["drink_m"])],
                payments=[Tender(method="cash", amount=1000)], request_hash=uuid.uuid4().hex)
    for ticket in Ticket.objects.filter(order_id=order_id).values_list("id", flat=True):
        ticket_bump(ticket_id=ticket)
    order_serve(order_id=order_id)
"""


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def lag_ms(source: Node, target: Node) -> float:
    body = order_body()
    status, _ = source.post("/api/orders", body)
    assert status == 201
    t0 = time.perf_counter()
    deadline = t0 + 10
    while time.perf_counter() < deadline:
        if target.request("GET", f"/api/orders/{body['id']}")[0] == 200:
            return (time.perf_counter() - t0) * 1000
        time.sleep(0.005)
    raise TimeoutError("order did not replicate within 10 s")


def screen_lag_ms(source: Node, screen: Screen) -> float:
    """From the order POST's answer on ``source`` until ``screen`` (on the sibling) has its first ticket."""
    body = order_body()
    status, _ = source.post("/api/orders", body)
    assert status == 201
    t0 = time.perf_counter()
    screen.next_ticket(body["id"], timeout=10)
    return (time.perf_counter() - t0) * 1000


def push_round_trips(target: Node, n: int) -> dict[str, list[float]]:
    """Milliseconds per empty signed push to ``target``, HTTP and socket alternating."""
    from sync.transport import PeerClient, PeerSocket

    store = target.get("/api/health")["store"]
    client = PeerClient(target.url, key=KEY, store=store, node="bench", timeout=10)
    sock = PeerSocket(client)
    sock.connect()
    body = {"changes": [], "vector": {}}
    times: dict[str, list[float]] = {"http": [], "socket": []}
    try:
        for i in range(2 * n):
            t = time.perf_counter()
            if i % 2:
                sock.send(body)
                sock.receive()
            else:
                client.call("/sync/push", body)
            times["socket" if i % 2 else "http"].append((time.perf_counter() - t) * 1000)
    finally:
        sock.close()
        client.close()
    return times


def cpu_seconds(pid: int) -> float:
    """User + system CPU a process has used (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _vector_reader(node: Node) -> sqlite3.Connection:
    """A read-only connection to ``node``'s database. Watching the catch-up
    there costs the node nothing (WAL: a reader never blocks its writer);
    polling its /api/health every 50 ms, as until 2026-11-30, cost it about
    3 ms a poll, some 7 % of the catch-up it measured."""
    return sqlite3.connect(f"file:{node.db_file}?mode=ro", uri=True, timeout=30)


def _held(db: sqlite3.Connection, origin: str) -> int:
    """The node's version vector entry for ``origin``: the seq it holds without gaps."""
    row = db.execute("SELECT seq FROM sync_vectorentry WHERE origin = ?", (origin,)).fetchone()
    return int(row[0]) if row else 0


def run(samples: int, orders: int) -> dict:
    """Both measurements on two fresh sibling nodes; returns the figures."""
    root = Path(tempfile.mkdtemp(prefix="posweb-bench-"))
    p1, p2 = free_port(), free_port()
    # No screen acknowledges: an unacknowledged ticket's reprint alarm stays out of the way.
    quiet = {"POS_KITCHEN_ACK_TIMEOUT": "3600", "LOG_LEVEL": "WARNING"}
    n1 = Node(root / "n1", name="node1", port=p1, POS_SYNC_KEY=KEY, POS_PEERS=f"http://127.0.0.1:{p2}", **quiet)
    n2 = Node(root / "n2", name="node2", port=p2, POS_SYNC_KEY=KEY, POS_PEERS=f"http://127.0.0.1:{p1}", **quiet)
    try:
        n1.setup().start()
        n2.setup().start()
        screens = {n1.name: Screen(n1), n2.name: Screen(n2)}
        for _ in range(10):  # warm up connections
            screen_lag_ms(n1, screens[n2.name])
        lags, polled = [], []
        for i in range(samples):
            source, target = (n1, n2) if i % 2 == 0 else (n2, n1)
            lags.append(screen_lag_ms(source, screens[target.name]))
            polled.append(lag_ms(source, target))
            if i % 10 == 0:
                for screen in screens.values():
                    screen.ping()  # a screen silent for 15 s is taken as gone
        for screen in screens.values():
            screen.close()
        trips = push_round_trips(n2, samples)

        n2.stop()
        before = n1.get("/api/health")
        t = time.perf_counter()
        n1.manage("shell", "-c", BACKLOG.format(n=orders), timeout=3600)
        recorded = time.perf_counter() - t
        health = n1.get("/api/health")
        origin, target = health["origin"], health["changes"]
        have = 0
        n2.start()
        assert n2.proc is not None
        cpu0 = cpu_seconds(n2.proc.pid)
        t0 = time.perf_counter()
        deadline = t0 + 1800
        with closing(_vector_reader(n2)) as db:
            while time.perf_counter() < deadline:
                have = _held(db, origin)
                if have >= target:
                    break
                time.sleep(0.01)
        elapsed = time.perf_counter() - t0
        # The receiver's CPU per change is what a catch-up costs whatever else
        # the shared machine is doing; the rate above is wall-clock.
        cpu = cpu_seconds(n2.proc.pid) - cpu0
        # The shell records under an origin of its own (every process takes
        # one), so the backlog is all of that origin's changes.
        moved = target - before["changes"] if origin == before["origin"] else target
    finally:
        n1.stop()
        n2.stop()
    return {"samples": len(lags), "p50": statistics.median(lags), "p99": percentile(lags, 99), "max": max(lags),
            "polled_p50": statistics.median(polled), "polled_p99": percentile(polled, 99),
            "orders": orders, "recorded_s": recorded, "changes": moved, "catchup_s": elapsed, "per_s": moved / elapsed,
            "cpu_ms_per_change": 1000 * cpu / max(moved, 1),
            "push_http_p50": statistics.median(trips["http"]), "push_http_p99": percentile(trips["http"], 99),
            "push_socket_p50": statistics.median(trips["socket"]), "push_socket_p99": percentile(trips["socket"], 99),
            "caught_up": have >= target}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--orders", type=int, default=10_000)
    args = parser.parse_args()
    r = run(args.samples, args.orders)
    print(f"steady-state lag over {r['samples']} orders (alternating siblings), to the sibling's kitchen screen: "
          f"p50 {r['p50']:.1f} ms, p99 {r['p99']:.1f} ms, max {r['max']:.1f} ms; polled by GET every 5 ms: "
          f"p50 {r['polled_p50']:.1f} ms, p99 {r['polled_p99']:.1f} ms")
    print(f"empty push round trip, HTTP: p50 {r['push_http_p50']:.1f} ms, p99 {r['push_http_p99']:.1f} ms; "
          f"sibling socket: p50 {r['push_socket_p50']:.1f} ms, p99 {r['push_socket_p99']:.1f} ms")
    print(f"backlog: {r['orders']} orders recorded on node1 in {r['recorded_s']:.1f} s")
    print(f"catch-up: node2 took {r['changes']} changes of node1 in {r['catchup_s']:.2f} s: {r['per_s']:.0f} changes/s, "
          f"{r['cpu_ms_per_change']:.2f} ms of node2's CPU per change")


if __name__ == "__main__":
    main()
