"""How long an internet order takes through HQ: from an integrator's POST at HQ to the ticket on
the store's kitchen screen, and to ``in_kitchen`` visible at HQ after the screen acknowledged it.

Real processes: HQ (daphne on PostgreSQL), one store node pulling from it (daphne, SQLite), an
expediter kitchen screen on the store node's WebSocket feed that acknowledges each ticket as it
arrives, and the integrator reading its order's status at HQ every 50 ms. The store takes a relay
on its next HQ pull (the sync-hq worker turns every 1-2 s), so that interval dominates both.

    .venv/bin/python -m bench.relay_latency [--orders 20]   (PostgreSQL on 127.0.0.1:5432)
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import percentile  # noqa: E402
from tests.channels_fixtures import channel_body  # noqa: E402
from tests.nodes import Node  # noqa: E402
from tests.relay_clients import Screen, post  # noqa: E402

KEY = "bench-key"
ONE_BOWL = [{"sku": "GYUDON", "qty": 1, "modifiers": ["size_nami"]}]


def run(orders: int) -> dict[str, Any]:
    """p50/p99 (ms) of POST-to-screen and POST-to-in_kitchen-at-HQ over ``orders`` orders."""
    with tempfile.TemporaryDirectory() as tmp, _postgres() as database_url:
        hq = Node(Path(tmp) / "hq", name="hq1", POS_ROLE="hq", POS_STORE="S001", POS_SYNC_KEY=KEY,
                  DATABASE_URL=database_url).setup()
        key = dict(line.split(" ", 1) for line in hq.manage("integrator_add", "bench", "--store", "S001").split("\n")
                   if line)["key"]
        hq.start()
        store = Node(Path(tmp) / "n1", name="node1", POS_STORE="S001", POS_SYNC_KEY=KEY, POS_HQ_URL=hq.url)
        try:
            store.setup().start()
            return _measure(hq, store, key, orders)
        finally:
            store.stop()
            hq.stop()


@contextlib.contextmanager
def _postgres() -> Iterator[str]:
    """A throw-away PostgreSQL database for HQ (127.0.0.1:5432), dropped afterwards."""
    import psycopg

    name = f"posweb_bench_relay_{uuid.uuid4().hex[:10]}"
    admin = "postgresql://postgres@127.0.0.1:5432/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgres://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _measure(hq: Node, store: Node, key: str, orders: int) -> dict[str, Any]:
    screen = Screen(store)
    menu = "/api/integrations/menu?channel=delivery&store=S001"
    deadline = time.monotonic() + 60
    while not hq.get(menu, token=key)["channel"]["accepting"]:
        if time.monotonic() > deadline:
            raise RuntimeError("HQ never accepted orders for S001")
        time.sleep(0.2)
    to_screen: list[float] = []
    to_hq: list[float] = []
    for _ in range(orders):
        # A screen that stops pinging expires (kitchen.selectors.SCREEN_TTL_SECONDS) and HQ then
        # refuses the next order as kitchen_unreachable, rightly: the run outlasts it.
        screen.ping()
        body = channel_body(lines=ONE_BOWL)
        started = time.perf_counter()
        status, order, _ = post(hq.url, "/api/integrations/orders?store=S001", body, key)
        if status != 201:
            raise RuntimeError(f"HQ answered {status}: {order}")
        ticket = screen.next_ticket(order["id"], timeout=30)
        to_screen.append((time.perf_counter() - started) * 1000)
        screen.ack(ticket["id"])
        path = f"/api/integrations/orders/{body['idempotency_key']}?store=S001"
        while hq.get(path, token=key)["status"] != "in_kitchen":
            if (time.perf_counter() - started) > 60:
                raise RuntimeError("in_kitchen never reached HQ")
            time.sleep(0.05)
        to_hq.append((time.perf_counter() - started) * 1000)
    screen.close()
    return {
        "n": orders,
        "screen_p50": percentile(to_screen, 50), "screen_p99": percentile(to_screen, 99),
        "hq_p50": percentile(to_hq, 50), "hq_p99": percentile(to_hq, 99),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=20)
    args = parser.parse_args()
    print(json.dumps(run(args.orders)))


if __name__ == "__main__":
    main()
