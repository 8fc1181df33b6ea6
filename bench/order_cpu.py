"""CPU and queries per placed order, counted in the placing thread.

One writer calls the real ``registers.services.order_place`` (as
bench/durable_writes.py sets a node up: SQLite with synchronous=FULL, or a
throw-away PostgreSQL database) and, for 200 orders ending at each of the
given counts of the day's orders, prints the thread's CPU time per order,
the wall time and the queries per order. CPU time leaves out the wait for
the disk and for other processes, so two versions of the write path can be
compared on a busy machine where wall times are the load's.

    .venv/bin/python -m bench.order_cpu [--at 300,950] [--postgres postgres://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import json
import time
import uuid
from typing import Any

from bench.durable_writes import drop, setup

SAMPLE = 200


def run(at: list[int]) -> list[dict[str, Any]]:
    from django.db import connection

    from registers import services, tender

    lines = [services.LineRequest("GYUDON", 1, ["size_nami"]), services.LineRequest("BEER", 1)]

    def place() -> None:
        services.order_place(order_id=uuid.uuid4(), register="register-1", dining="eat_in", lines=lines,
                             payments=[tender.Tender("cash", 2000)], request_hash=uuid.uuid4().hex)

    queries = [0]

    def count(execute, sql, params, many, context):
        queries[0] += 1
        return execute(sql, params, many, context)

    rows, placed = [], 0
    for upto in at:
        while placed < upto - SAMPLE:
            place()
            placed += 1
        queries[0] = 0
        cpu, wall = time.thread_time(), time.perf_counter()
        with connection.execute_wrapper(count):
            for _ in range(SAMPLE):
                place()
        placed += SAMPLE
        rows.append({"orders_of_the_day": upto, "cpu_ms": (time.thread_time() - cpu) * 1000 / SAMPLE,
                     "wall_ms": (time.perf_counter() - wall) * 1000 / SAMPLE, "queries": queries[0] / SAMPLE})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--at", default="300,950", help="counts of the day's orders at which 200 orders are measured")
    parser.add_argument("--postgres", default="", help="a PostgreSQL server URL; a throw-away database is made on it")
    args = parser.parse_args()
    at = sorted(int(n) for n in args.at.split(","))
    if at[0] < SAMPLE:
        raise SystemExit(f"each count must be at least {SAMPLE}")
    name = setup(args.postgres)
    try:
        for row in run(at):
            print(json.dumps(row))
    finally:
        if name:
            drop(args.postgres, name)


if __name__ == "__main__":
    main()
