"""Applying replicated changes, alone: the CPU per change of
``sync.replication.changes_apply`` at a store (SQLite) and at HQ
(PostgreSQL), without the network, the sending node or the rest of a busy
machine in the figure.

    .venv/bin/python -m bench.apply_cpu [--orders 2000] [--batch 1000] [--runs 3] [--postgres URL]

node1 records the backlog that bench/replication.py catches up (orders
placed, paid, cooked and handed over, by ``manage.py shell``). Then, for
each run, a fresh store node (and with ``--postgres`` a fresh HQ on a
throw-away PostgreSQL database) applies those changes in a ``manage.py
shell`` of its own: batches of ``--batch`` changes parsed from JSON and
applied as a sibling's pushes are (``changes_apply``), after the start-up
objects are frozen as a node freezes them (runtime/housekeeping.py). The
first batch warms up and is not counted. The end-to-end catch-up
(bench/replication.py) moves with whatever else the shared machine runs;
this figure moves with the apply path's own code, so compare it between
commits, alternating. Prints JSON on its last line.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import sys
import tempfile
from contextlib import closing
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.replication import BACKLOG, KEY  # noqa: E402
from tests.nodes import Node  # noqa: E402

# Run by the applying node's own manage.py shell: the node's settings, database and apps.
APPLY = """
import gc, json, time
from sync.replication import changes_apply
with open({path!r}) as f:
    batches = json.load(f)  # each batch as the JSON text a push carries
gc.collect()
gc.freeze()
changes_apply(wires=json.loads(batches[0]), peer_store="S001")
n, cpu = 0, 0.0
for text in batches[1:]:
    t = time.process_time()
    wires = json.loads(text)
    result = changes_apply(wires=wires, peer_store="S001")
    cpu += time.process_time() - t
    assert result.applied + result.parked == len(wires), result
    n += len(wires)
print(json.dumps({{"changes": n, "cpu_ms_per_change": 1000 * cpu / n}}))
"""


def _backlog(node: Node) -> list[dict[str, Any]]:
    """The changes the backlog's shell recorded (its own origin's), as wires, in seq order."""
    with closing(sqlite3.connect(f"file:{node.db_file}?mode=ro", uri=True)) as db:
        origin = db.execute("SELECT origin FROM sync_change GROUP BY origin ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
        rows = db.execute("SELECT id, origin, seq, store, kind, hlc, payload, prev_digest, digest, signature "
                          "FROM sync_change WHERE origin = ? ORDER BY seq", (origin,)).fetchall()
    wires = []
    for id_, origin, seq, store, kind, hlc, payload, prev, digest, signature in rows:
        hexid = id_.replace("-", "")
        wires.append({"id": f"{hexid[:8]}-{hexid[8:12]}-{hexid[12:16]}-{hexid[16:20]}-{hexid[20:]}", "origin": origin,
                      "seq": seq, "store": store, "kind": kind, "hlc": hlc, "payload": json.loads(payload),
                      "prev_digest": prev, "digest": digest, "signature": signature})
    return wires


def _apply(node: Node, path: Path) -> float:
    out = node.manage("shell", "-c", APPLY.format(path=str(path)), timeout=1800)
    return float(json.loads(out.strip().splitlines()[-1])["cpu_ms_per_change"])


def run(*, orders: int = 2000, batch: int = 1000, runs: int = 3, postgres: str | None = None) -> dict[str, Any]:
    root = Path(tempfile.mkdtemp(prefix="posweb-bench-apply-"))
    quiet = {"POS_KITCHEN_ACK_TIMEOUT": "3600", "LOG_LEVEL": "WARNING", "POS_SYNC_KEY": KEY}
    source = Node(root / "source", name="node1", **quiet).setup()
    source.manage("shell", "-c", BACKLOG.format(n=orders), timeout=3600)
    wires = _backlog(source)
    path = root / "batches.json"
    path.write_text(json.dumps([json.dumps(wires[i:i + batch]) for i in range(0, len(wires), batch)]))
    result: dict[str, Any] = {"orders": orders, "changes": len(wires) - min(batch, len(wires)), "batch": batch}
    store = [_apply(Node(root / f"store{i}", name="node2", **quiet).setup(), path) for i in range(runs)]
    result["store_sqlite"] = {"runs": store, "p50": statistics.median(store)}
    if postgres:
        import psycopg

        admin = postgres.replace("postgres://", "postgresql://")
        hq = []
        for i in range(runs):
            name = f"posweb_bench_apply_{os.getpid()}_{i}"
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
            try:
                url = postgres.rsplit("/", 1)[0] + f"/{name}"
                hq.append(_apply(Node(root / f"hq{i}", name="hq1", POS_ROLE="hq", POS_STORE="S001", DATABASE_URL=url,
                                      **quiet).setup(), path))
            finally:
                with psycopg.connect(admin, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        result["hq_postgres"] = {"runs": hq, "p50": statistics.median(hq)}
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=2000, help="orders in the backlog (5 changes each)")
    parser.add_argument("--batch", type=int, default=1000, help="changes per push (sync/peers.py SIBLING_BATCH)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--postgres", default=None, help="also at HQ, on this PostgreSQL server (e.g. postgres://postgres@127.0.0.1:5432/postgres)")
    args = parser.parse_args()
    result = run(orders=args.orders, batch=args.batch, runs=args.runs, postgres=args.postgres)
    for where in ("store_sqlite", "hq_postgres"):
        if where in result:
            runs = ", ".join(f"{ms:.3f}" for ms in result[where]["runs"])
            print(f"{where}: {result[where]['p50']:.3f} ms of CPU per change (p50 of runs {runs}), "
                  f"{result['changes']} changes in batches of {result['batch']}", file=sys.stderr)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
