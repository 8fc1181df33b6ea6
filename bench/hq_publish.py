"""How fast HQ's master data reaches a store, and a sold-out mark a sibling.

Real daphne processes on loopback (tests/nodes.py): HQ on a throw-away
PostgreSQL database, two sibling store nodes on SQLite.

    .venv/bin/python bench/hq_publish.py [--samples 5]

Price: HQ changes FRIES's price and publishes it (manage.py shell prints the
commit time); node2's /api/menu is polled every 10 ms until it shows the price.
The store pulls HQ every 2 s (sync-hq worker), so expect 0-2 s plus apply.
Sold out: node1 records a sold-out mark over HTTP; node2's /api/menu is polled
until FRIES is unavailable (the live sibling push path).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.nodes import Node, free_port  # noqa: E402

KEY = "bench-key"
PUBLISH = """
import time
from django.db import transaction
from menu.models import MenuItem
from sync.master import master_publish
with transaction.atomic():
    item = MenuItem.objects.get(sku="FRIES"); item.price = {price}; item.save(); master_publish(instance=item)
print("COMMITTED", time.time())
"""


def fries(node: Node) -> dict:
    return next(i for i in node.get("/api/menu")["items"] if i["sku"] == "FRIES")


def wait(check, timeout: float = 30) -> float:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return time.time()
        time.sleep(0.01)
    raise TimeoutError("not seen in time")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=5)
    args = parser.parse_args()
    import psycopg

    name = f"posweb_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    tmp = Path(tempfile.mkdtemp(prefix="posweb-bench-hq-"))
    hq = Node(tmp / "hq", name="hq1", POS_ROLE="hq", POS_SYNC_KEY=KEY, DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{name}")
    p1, p2 = free_port(), free_port()
    common = {"POS_SYNC_KEY": KEY, "POS_HQ_URL": hq.url}
    n1 = Node(tmp / "n1", name="node1", port=p1, POS_PEERS=f"http://127.0.0.1:{p2}", **common)
    n2 = Node(tmp / "n2", name="node2", port=p2, POS_PEERS=f"http://127.0.0.1:{p1}", **common)
    try:
        hq.setup().start(), n1.setup().start(), n2.setup().start()
        base = fries(n2)["price"]
        price_lags, sold_out_lags = [], []
        for i in range(args.samples):
            price = base + 10 * (i + 1)
            out = hq.manage("shell", "-c", PUBLISH.format(price=price))
            committed = float(out.split("COMMITTED")[1].split()[0])
            price_lags.append(wait(lambda: fries(n2)["price"] == price) - committed)
            for sold_out in (True, False):
                start = time.time()
                status, _ = n1.post("/api/menu/FRIES/sold-out", {"sold_out": sold_out, "manager_pin": "9999"})
                assert status == 200
                sold_out_lags.append(wait(lambda: fries(n2)["available"] is (not sold_out)) - start)
        for label, lags in (("HQ price -> store menu", price_lags), ("sold out node1 -> node2 menu", sold_out_lags)):
            print(f"{label}: n={len(lags)} median {statistics.median(lags) * 1000:.0f} ms, max {max(lags) * 1000:.0f} ms")
    finally:
        for node in (n1, n2, hq):
            node.stop()
        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
