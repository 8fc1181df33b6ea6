"""Every benchmark in one run, printed as one table: each figure, its target, whether
it is met, and its ratio to the floor (a bare `websockets` broadcast measured in
the same run on the same machine).

    .venv/bin/python -m bench [--seconds 15] [--backlog 2000] [--full] [--redis URL] [--postgres URL]
                              [--hq-stores 200] [--hq-backlog 240] [--hq-lunch-seconds 20]

All traffic is on 127.0.0.1; nodes are real daphne processes (tests/nodes.py).
`--full` uses the 10,000-order replication backlog of the issue (several more
minutes on a busy 2-core machine). Nothing here asserts: it measures and says.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import fanout, feed_resume, hq_reports, offline_register, relay_latency, replication  # noqa: E402
from bench.common import Figure, table  # noqa: E402
from tests.nodes import ROOT  # noqa: E402


def durable(seconds: float, postgres: str = "", synchronous: str = "") -> dict:
    """In its own process: Django is set up once per database. ``synchronous``
    overrides SQLite's (the node's is full)."""
    args = [sys.executable, "-m", "bench.durable_writes", "--seconds", str(seconds)] + (["--postgres", postgres] if postgres else [])
    args += ["--synchronous", synchronous] if synchronous else []
    out = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=600)
    if out.returncode:
        raise RuntimeError(out.stderr[-2000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def hq_ingest(stores: int, backlog: int, lunch_seconds: float, redis: str, postgres: str) -> dict:
    """In its own process (bench/hq_ingest.py): HQ on PostgreSQL behind HAProxy, 1 then 2 workers."""
    args = [sys.executable, "-m", "bench.hq_ingest", "--stores", str(stores), "--backlog", str(backlog),
            "--lunch-seconds", str(lunch_seconds), "--redis", redis, "--postgres", postgres]
    out = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=3600)
    if out.returncode:
        raise RuntimeError(out.stderr[-2000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def step(name: str, func, *args):
    t = time.perf_counter()
    print(f"... {name}", file=sys.stderr, flush=True)
    result = func(*args)
    print(f"    {name}: {result} ({time.perf_counter() - t:.0f} s)", file=sys.stderr, flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15, help="length of each load run")
    parser.add_argument("--backlog", type=int, default=2000, help="orders in the replication backlog")
    parser.add_argument("--full", action="store_true", help="the issue's 10,000-order backlog")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/15")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--hq-stores", type=int, default=200, help="simulated stores pushing into HQ")
    parser.add_argument("--hq-backlog", type=int, default=240, help="changes per store in the reconnect storm")
    parser.add_argument("--hq-lunch-seconds", type=float, default=20, help="length of HQ's steady lunch run")
    args = parser.parse_args()
    backlog = 10_000 if args.full else args.backlog
    load_before = os.getloadavg()
    started = time.perf_counter()

    floor = step("floor: bare websockets broadcast", fanout.floor, args.seconds)
    memory = step("kitchen fan-out, in-memory layer", fanout.kitchen, args.seconds)
    redis = step("kitchen fan-out, Redis layer", fanout.kitchen, args.seconds, args.redis)
    sqlite = step("16 writers, SQLite WAL, synchronous=FULL", durable, args.seconds)
    sqlite_normal = step("16 writers, SQLite WAL, synchronous=NORMAL", durable, args.seconds, "", "normal")
    postgres = step("16 writers, PostgreSQL", durable, args.seconds, args.postgres)
    repl = step("replication lag and catch-up", replication.run, 200, backlog)
    offline = step("register with the server dead", offline_register.dead_server, 30, 5)
    resume = step("kitchen feed after kill -9 and restart", feed_resume.run, 5)
    hq = step(f"HQ ingest: {args.hq_stores} stores, 1 and 2 workers behind HAProxy", hq_ingest, args.hq_stores,
              args.hq_backlog, args.hq_lunch_seconds, args.redis, args.postgres)
    w1, w2 = hq["w1"], hq["w2"]
    # hq_reports.run takes keywords only: passed positionally, bin/bench stopped here before printing its table.
    chain = step("HQ chain-wide day report over 200 stores x 30 days of rollups",
                 lambda: hq_reports.run(stores=200, days=30, samples=20, postgres=args.postgres))
    relayed = step("internet order through HQ to the store's kitchen", relay_latency.run, 20)

    f50, f99 = floor["p50"], floor["p99"]
    figures = [
        Figure("floor: bare websockets, send to 10 screens p50", f50, "ms"),
        Figure("floor: bare websockets, send to 10 screens p99", f99, "ms"),
        Figure("(1) order POST to 10 screens, in-memory layer, p50", memory["p50"], "ms", floor=f50),
        Figure("(1) order POST to 10 screens, in-memory layer, p99", memory["p99"], "ms", 15, floor=f99),
        Figure("(1) order POST to 10 screens, Redis layer, p50", redis["p50"], "ms", floor=f50),
        Figure("(1) order POST to 10 screens, Redis layer, p99", redis["p99"], "ms", 15, floor=f99),
        Figure("(2) SQLite WAL, 16 writers: durable orders/s, synchronous=FULL", sqlite["per_s"], "/s", 500,
               below=False),
        Figure("(2) same, synchronous=NORMAL (not durable, for comparison)", sqlite_normal["per_s"], "/s"),
        Figure("(2) SQLite WAL, 16 writers: commit p99", sqlite["p99"], "ms", 50, floor=f99),
        Figure("(2) SQLite WAL, 16 writers: lock errors", sqlite["lock_errors"], "", 1),
        Figure("(2) PostgreSQL, 16 writers: durable orders/s", postgres["per_s"], "/s", 500, below=False),
        Figure("(2) PostgreSQL, 16 writers: commit p99", postgres["p99"], "ms", 50, floor=f99),
        Figure("(2) PostgreSQL, 16 writers: lock errors", postgres["lock_errors"], "", 1),
        Figure("(3) sibling replication lag to its kitchen screen, p50", repl["p50"], "ms", floor=f50),
        Figure("(3) sibling replication lag to its kitchen screen, p99", repl["p99"], "ms", 25, floor=f99),
        Figure("(3) same, polled by GET every 5 ms (the measure before 2026-11-29), p99", repl["polled_p99"], "ms",
               floor=f99),
        Figure(f"(3) catch-up of a {repl['orders']:,}-order backlog", repl["per_s"], "changes/s", 5000, below=False),
        Figure("(4) register tap-to-queued, server dead, p50", offline["tap_p50"], "ms", floor=f50),
        Figure("(4) register tap-to-queued, server dead, p99", offline["tap_p99"], "ms", 50, floor=f99),
        Figure("(4) register reload-to-interactive, server dead, worst", offline["reload_max"], "ms", 1000, floor=f99),
        Figure("crash: node restart (kill -9) to answering HTTP, p50", resume["restart_p50"], "ms"),
        Figure("crash: answering to kitchen screen resumed and caught up, worst", resume["resume_max"], "ms", 1000,
               floor=f99),
        Figure(f"HQ: reconnect storm, {hq['stores']} stores x {hq['backlog']} changes, 1 worker", w1["storm"]["per_s"],
               "changes/s", 5000, below=False),
        Figure("HQ: same, 2 workers behind HAProxy", w2["storm"]["per_s"], "changes/s", 5000, below=False),
        Figure("HQ: 2 workers / 1 worker (storm)", w2["storm"]["per_s"] / max(w1["storm"]["per_s"], 1e-9), "x", 1.5,
               below=False),
        Figure(f"HQ: lunch ({hq['rate']:g} changes/s offered), 1 worker, applied", w1["lunch"]["per_s"], "changes/s"),
        Figure("HQ: lunch, 1 worker, store-to-HQ lag p99", w1["lunch"]["p99"], "ms", floor=f99),
        Figure("HQ: lunch, 2 workers, applied", w2["lunch"]["per_s"], "changes/s"),
        Figure("HQ: lunch, 2 workers, store-to-HQ lag p99", w2["lunch"]["p99"], "ms", floor=f99),
        Figure(f"HQ: chain-wide day report, {chain['stores']} stores x {chain['days']} days of rollups, p50", chain["p50"],
               "ms", 200, floor=f50),
        Figure("HQ: same, worst", chain["max"], "ms", 200, floor=f99),
        Figure("HQ: stores whose log or report at HQ differs (exactly once)",
               len(w1["wrong_log"] + w1["wrong_report"] + w2["wrong_log"] + w2["wrong_report"]), "", 1),
        Figure("(5) order POST at HQ to ticket on the store's kitchen screen, p50", relayed["screen_p50"], "ms"),
        Figure("(5) order POST at HQ to ticket on the store's kitchen screen, p99", relayed["screen_p99"], "ms"),
        Figure("(5) order POST at HQ to in_kitchen visible at HQ (after the ack), p50", relayed["hq_p50"], "ms"),
        Figure("(5) order POST at HQ to in_kitchen visible at HQ (after the ack), p99", relayed["hq_p99"], "ms"),
    ]
    print(table(figures))
    missing = memory["missing"] + redis["missing"] + floor["missing"]
    print(f"\nsamples: fan-out {floor['n']}/{memory['n']}/{redis['n']} (floor/memory/redis; never arrived: {missing}); "
          f"orders committed {sqlite['orders']} (SQLite) {postgres['orders']} (PostgreSQL), other errors "
          f"{sqlite['other_errors'] + postgres['other_errors']}; SQLite FULL/NORMAL orders/s "
          f"{sqlite['per_s'] / max(sqlite_normal['per_s'], 1e-9):.2f}; replication {repl['samples']} lag samples, "
          f"{repl['changes']:,} changes caught up in {repl['catchup_s']:.1f} s (complete: {repl['caught_up']}); "
          f"register {offline['sales']} sales, {offline['reloads']} reloads; {resume['rounds']} kill -9 rounds")
    met = sum(f.met == "met" for f in figures)
    targeted = sum(f.target is not None for f in figures)
    load_after = os.getloadavg()
    print(f"targets met: {met} of {targeted}; machine: {os.cpu_count()} cores, load average "
          f"{load_before[0]:.1f} before, {load_after[0]:.1f} after; run took {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
