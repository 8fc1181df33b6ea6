"""HQ ingest: S simulated stores pushing signed batches through the real
/api/sync/push into HQ on PostgreSQL, behind HAProxy (deploy/hq/haproxy.cfg),
with 1 and then 2 HQ daphne workers that only serve (POS_WORKERS_ONCE=0)
beside one ``manage.py run_workers`` process, as deploy/systemd runs HQ
(``--no-split``: every worker runs its share of the background work too).

    .venv/bin/python -m bench.hq_ingest [--stores 200] [--lunch-seconds 20] [--backlog 240] [--workers 1,2] [--no-split]

Each store is a thread with its own origin and hash chain (tests/hq_load.py),
uploading what HQ has not acknowledged in one batch (at most BATCH changes),
as a store's HQ link does:

- lunch: every store records sales at a steady rate (``--rate`` changes/s for
  the whole chain) and uploads every second; lag is from a change's recording
  to HQ's answer that holds it (p50/p99);
- reconnect storm: every store comes back at once with a backlog of
  ``--backlog`` changes (two hours of a store selling one order a minute: 2
  changes a minute) and uploads it as fast as HQ takes it; the figure is the
  changes HQ applied per second until the last store drained.

Exactly once: after each run every origin's changes at HQ are counted (each
seq once, the vector at the store's last seq) and every store's sales report
at HQ is compared with the store's own totals. Prints JSON on its last line.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "posweb.settings_test")

import django  # noqa: E402

django.setup()

from bench.common import percentile  # noqa: E402
from sync import auth  # noqa: E402
from sync.peers import wires_fit  # noqa: E402
from tests.hq_load import BUSINESS_DATE, Proxy, SimStore  # noqa: E402
from tests.nodes import Node, free_port  # noqa: E402

BATCH = 500  # changes per upload, as sync/peers.py's HQ link slices a backlog


class Link:
    """One store's keep-alive connection to HQ's proxy, uploading what HQ lacks."""

    def __init__(self, store: SimStore, port: int) -> None:
        self.store, self.port = store, port
        self.acked = 0  # the store's seq HQ holds (from HQ's answer)
        self.conn: http.client.HTTPConnection | None = None
        self.errors = 0
        self.retries = 0
        self.lags: list[float] = []

    def upload(self) -> int:
        """Send what HQ does not hold yet (one batch); returns how many HQ newly holds."""
        # As much as HQ's body limit takes, as the HQ link sizes its uploads (sync/peers.py).
        pending = wires_fit(self.store.log[self.acked:self.acked + BATCH])
        if not pending:
            return 0
        raw = json.dumps({"changes": pending, "vector": {}}).encode()
        signed = auth.sign_request(key=self.store.key, method="POST", path="/api/sync/push", store=self.store.store,
                                   node=self.store.node, body=raw)
        headers = {"Content-Type": "application/json", **signed.headers()}
        for attempt in range(5):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            try:
                self.conn.request("POST", "/api/sync/push", raw, headers)
                response = self.conn.getresponse()
                body = response.read()
            except (OSError, http.client.HTTPException):
                self.conn.close()
                self.conn = None
                if attempt == 4:
                    self.errors += 1
                    return 0
                continue
            if response.status not in (502, 503, 504) or attempt == 4:
                break
            self.retries += 1  # no worker answered in time: a store's link tries again
            time.sleep(1)
        if response.status != 200:
            self.errors += 1
            return 0
        held = json.loads(body)["vector"].get(self.store.origin, self.acked)
        now = time.monotonic() * 1000
        for seq in range(self.acked + 1, held + 1):
            self.lags.append(now - self.store.recorded_ms[seq])
        new, self.acked = held - self.acked, max(self.acked, held)
        return new


def _lunch(links: list[Link], *, seconds: float, rate: float) -> dict[str, Any]:
    """Every store records sales at its share of ``rate`` and uploads every second."""
    per_store = rate / len(links) / 2  # sales per second per store (2 changes each)
    stop = time.monotonic() + seconds
    applied = [0] * len(links)

    def run(i: int, link: Link) -> None:
        owed = 0.0
        last = time.monotonic()
        time.sleep((i % 20) / 20)  # stores do not all tick on the same millisecond
        while time.monotonic() < stop:
            now = time.monotonic()
            owed += (now - last) * per_store
            last = now
            while owed >= 1:
                link.store.sale()
                owed -= 1
            applied[i] += link.upload()
            time.sleep(max(0.0, 1 - (time.monotonic() - now)))
        while link.acked < link.store.seq and link.errors < 5:  # what is still in flight
            applied[i] += link.upload()

    before = [link.acked for link in links]
    for link in links:
        link.lags = []
    started = time.monotonic()
    threads = [threading.Thread(target=run, args=(i, link)) for i, link in enumerate(links)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 300)
    took = time.monotonic() - started
    lags = [lag for link in links for lag in link.lags]
    changes = sum(link.acked - b for link, b in zip(links, before))
    return {"changes": changes, "per_s": changes / took, "p50": percentile(lags, 50) if lags else 0,
            "p99": percentile(lags, 99) if lags else 0}


def _storm(links: list[Link], *, backlog: int) -> dict[str, Any]:
    """Every store comes back with ``backlog`` changes and uploads them as fast as HQ takes them."""
    for link in links:
        for _ in range(backlog // 2):
            link.store.sale()
    before = [link.acked for link in links]

    def run(link: Link) -> None:
        while link.acked < link.store.seq and link.errors < 5:
            link.upload()

    started = time.monotonic()
    threads = [threading.Thread(target=run, args=(link,)) for link in links]
    for t in threads:
        t.start()
    for t in threads:
        t.join(1800)
    took = time.monotonic() - started
    changes = sum(link.acked - b for link, b in zip(links, before))
    return {"changes": changes, "seconds": took, "per_s": changes / took}


def _verify(database_url: str, proxy_url: str, token: str, stores: list[SimStore]) -> dict[str, Any]:
    """Each origin's changes held once and whole; each store's report at HQ equals its own."""
    import psycopg

    with psycopg.connect(database_url.replace("postgres://", "postgresql://")) as conn:
        rows = conn.execute(
            "SELECT c.origin, count(*), count(DISTINCT c.seq), max(c.seq), max(v.seq) FROM sync_change c "
            "JOIN sync_vectorentry v ON v.origin = c.origin WHERE c.origin = ANY(%s) GROUP BY c.origin",
            [[s.origin for s in stores]],
        ).fetchall()
    held = {origin: (count, distinct, top, vector) for origin, count, distinct, top, vector in rows}
    wrong_log = [s.store for s in stores if held.get(s.origin) != (s.seq, s.seq, s.seq, s.seq)]
    def differs(s: SimStore) -> bool:
        conn2 = http.client.HTTPConnection(proxy_url.removeprefix("http://"), timeout=120)
        conn2.request("GET", f"/api/reports/sales?store={s.store}&business_date={BUSINESS_DATE}",
                      headers={"Authorization": f"Bearer {token}"})
        report = json.loads(conn2.getresponse().read())
        conn2.close()
        return (report.get("orders"), report.get("total")) != (s.orders, s.total)

    with ThreadPoolExecutor(4) as pool:
        wrong_report = [s.store for s, bad in zip(stores, pool.map(differs, stores)) if bad]
    return {"exactly_once": not wrong_log and not wrong_report, "wrong_log": wrong_log[:5], "wrong_report": wrong_report[:5]}


def run(*, stores: int = 200, lunch_seconds: float = 20, rate: float = 1000, backlog: int = 240,
        workers: tuple[int, ...] = (1, 2), redis: str = "redis://127.0.0.1:6379/15",
        postgres: str = "postgres://postgres@127.0.0.1:5432/postgres", db_prefix: str = "posweb_bench_hq",
        split: bool = True) -> dict[str, Any]:
    import psycopg

    name = f"{db_prefix}_{os.getpid()}"
    admin = postgres.replace("postgres://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = postgres.rsplit("/", 1)[0] + f"/{name}"
    tmp = Path(tempfile.mkdtemp(prefix="bench-hq-"))
    codes = [f"B{i:04d}" for i in range(stores)]
    sims = [SimStore(code, f"bench-key-{code}") for code in codes]
    # ASGI_THREADS: the threads that serve HTTP in a worker, each keeping a
    # database connection (PostgreSQL's default max_connections is 100).
    common = {"POS_ROLE": "hq", "POS_STORE": "S001", "POS_SYNC_KEY": "bench-key-S001", "DATABASE_URL": url,
              "REDIS_URL": redis, "ASGI_THREADS": "16"}
    results: dict[str, Any] = {"stores": stores, "backlog": backlog, "rate": rate, "split": split}
    try:
        first = Node(tmp / "hq1", name="hq1", **common).setup()
        # Every worker (and the background process) signs with HQ's one key (README: HQ for a chain).
        for other in ("hq2", "hqw"):
            (tmp / other).mkdir()
            (tmp / other / "hq_signing_key").write_bytes((tmp / "hq1" / "hq_signing_key").read_bytes())
        first.manage("shell", "-c", "from stores.models import Store\n"
                     f"Store.objects.bulk_create([Store(code=c, name=c, sync_key='bench-key-' + c) for c in {codes!r}])")
        token = first.manage("analyst_token", "bench-analyst").strip().splitlines()[-1]
        for n in workers:
            # Split (deploy/systemd): the serving workers leave the work done by
            # one process at a time (alerts, rollups…) to `manage.py run_workers`.
            serving = {**common, "POS_WORKERS_ONCE": "0"} if split else common
            nodes = [Node(tmp / f"hq{i}", name=f"hq{i}", **serving) for i in range(1, n + 1)]
            background = Node(tmp / "hqw", name="hqw", **common).spawn("run_workers") if split else None
            proxy = Proxy(port=free_port(), workers=[node.url.removeprefix("http://") for node in nodes],
                          log=tmp / f"haproxy-{n}.log")
            try:
                for node in nodes:
                    node.start(timeout=60)
                proxy.start()
                time.sleep(5)  # HAProxy's checks take the server lines with no worker out
                links = [Link(s, proxy.port) for s in sims]
                for link in links:  # a fresh link starts from what HQ holds
                    link.acked = link.store.seq
                lunch = _lunch(links, seconds=lunch_seconds, rate=rate)
                storm = _storm(links, backlog=backlog)
                check = _verify(url, proxy.url, token, sims)
                results[f"w{n}"] = {"lunch": lunch, "storm": storm, **check,
                                    "errors": sum(link.errors for link in links),
                                    "retries": sum(link.retries for link in links)}
                print(f"    {n} worker(s): {results[f'w{n}']}", file=sys.stderr, flush=True)
            finally:
                proxy.stop()
                for node in nodes:
                    node.stop()
                if background is not None:
                    background.terminate()
                    background.wait(30)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stores", type=int, default=200)
    parser.add_argument("--lunch-seconds", type=float, default=20)
    parser.add_argument("--rate", type=float, default=1000, help="changes/s the whole chain records at lunch")
    parser.add_argument("--backlog", type=int, default=240, help="changes per store after the outage")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/15")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--db-prefix", default="posweb_bench_hq", help="name of the throw-away database, before its pid")
    parser.add_argument("--no-split", dest="split", action="store_false",
                        help="alerts, rollups and the like in the serving workers, not in a `run_workers` process")
    args = parser.parse_args()
    result = run(stores=args.stores, lunch_seconds=args.lunch_seconds, rate=args.rate, backlog=args.backlog,
                 workers=tuple(int(w) for w in args.workers.split(",")), redis=args.redis, postgres=args.postgres,
                 db_prefix=args.db_prefix, split=args.split)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
