"""What one store's upload costs HQ, alone: CPU of the serving process and
of its PostgreSQL backend per signed push, and with ``--statements`` the
time of each statement the upload sends.

    .venv/bin/python -m bench.hq_upload_cpu [--stores 30] [--sales 120] [--rounds 6] [--statements]

A fresh HQ on a throw-away PostgreSQL database (tests/nodes.py) with
``--stores`` stores; each store (tests/hq_load.py SimStore: its own origin
and hash chain) records ``--sales`` paid sales (two changes each) per
round, signed as its HQ link signs an upload. HQ's own ``manage.py shell``
then takes every upload through the push endpoint's gate and handler
(``sync.api.signed_answer`` with ``push_take``: key, signature, parse,
apply, signed answer), one after another, without HTTP or a second
process on the machine. The first round warms up; for each other round,
CPU per upload of that process (``time.process_time``) and of its
database backend (``/proc/<pid>/stat``). ``--sales 120`` is a reconnect
storm's upload (240 changes), ``--sales 2`` a lunch upload.

bench/hq_ingest.py measures the whole path under load and moves with
whatever else the shared machine runs; this moves with the ingest's own
code, so compare it between commits, alternating. Prints JSON on its last line.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "posweb.settings_test")

import django  # noqa: E402

django.setup()

from sync import auth  # noqa: E402
from tests.hq_load import SimStore  # noqa: E402
from tests.nodes import Node  # noqa: E402
from tests.test_replication_hq import throwaway_postgres  # noqa: E402

# Run by HQ's own manage.py shell: its settings, database and apps.
SHELL = r"""
import collections, gc, json, os, re, statistics, time
from django.db import connection
from sync.api import push_take, signed_answer
with open({path!r}) as f:
    uploads = json.load(f)
stores, statements = {stores}, {statements}

def one(upload):
    status, raw, _ = signed_answer(method="POST", path="/api/sync/push", headers=upload["headers"],
                                   raw=upload["raw"].encode(), handle=push_take)
    assert status == 200, raw[:300]

with connection.cursor() as cursor:
    cursor.execute("SELECT pg_backend_pid()")
    backend = cursor.fetchone()[0]

def backend_cpu():
    fields = open(f"/proc/{{backend}}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

for upload in uploads[:stores]:
    one(upload)
gc.collect()
gc.freeze()
rounds = [uploads[i:i + stores] for i in range(stores, len(uploads), stores)]
timed = rounds[:-1] if statements and len(rounds) > 1 else rounds
worker, database = [], []
for part in timed:
    db0, t0 = backend_cpu(), time.process_time()
    for upload in part:
        one(upload)
    worker.append(1000 * (time.process_time() - t0) / len(part))
    database.append(1000 * (backend_cpu() - db0) / len(part))
result = {{"worker_ms": worker, "database_ms": database}}
if statements:
    spent = collections.defaultdict(lambda: [0, 0.0])

    def timer(execute, sql, params, many, context):
        t = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            entry = spent[re.sub(r"\s+", " ", sql)[:120]]
            entry[0] += 1
            entry[1] += time.perf_counter() - t

    with connection.execute_wrapper(timer):
        for upload in rounds[-1]:
            one(upload)
    n = len(rounds[-1])
    result["statements"] = sorted(([sql, calls / n, 1000 * seconds / n] for sql, (calls, seconds) in spent.items()),
                                  key=lambda row: -row[2])
print("RESULT " + json.dumps(result))
"""


def run(*, stores: int = 30, sales: int = 120, rounds: int = 6, statements: bool = False) -> dict[str, Any]:
    root = Path(tempfile.mkdtemp(prefix="posweb-bench-upload-"))
    with throwaway_postgres() as url:
        hq = Node(root / "hq", name="hq1", POS_ROLE="hq", POS_STORE="S001", POS_SYNC_KEY="bench-hq-key",
                  DATABASE_URL=url, LOG_LEVEL="WARNING").setup()
        chain = []
        for i in range(stores):
            code = f"S{i + 2:03d}"
            hq.manage("add_store", code, "--key", f"bench-key-{code}")
            chain.append(SimStore(code, f"bench-key-{code}"))
        uploads = []
        for _ in range(rounds + (1 if statements else 0)):
            for store in chain:
                start = len(store.log)
                for _ in range(sales):
                    store.sale()
                raw = json.dumps({"changes": store.log[start:], "vector": {}})
                signed = auth.sign_request(key=store.key, method="POST", path="/api/sync/push", store=store.store,
                                           node=store.node, body=raw.encode())
                uploads.append({"headers": signed.headers(), "raw": raw})
        path = root / "uploads.json"
        path.write_text(json.dumps(uploads))
        out = hq.manage("shell", "-c", SHELL.format(path=str(path), stores=stores, statements=statements), timeout=3600)
    measured = json.loads(next(line for line in out.splitlines() if line.startswith("RESULT "))[7:])
    worker, database = sorted(measured["worker_ms"]), sorted(measured["database_ms"])
    result = {"stores": stores, "changes_per_upload": 2 * sales, "rounds": len(worker),
              "worker_ms": worker[len(worker) // 2], "database_ms": database[len(database) // 2],
              "worker_runs": measured["worker_ms"], "database_runs": measured["database_ms"]}
    if statements:
        result["statements"] = measured["statements"]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stores", type=int, default=30)
    parser.add_argument("--sales", type=int, default=120, help="paid sales per upload (two changes each)")
    parser.add_argument("--rounds", type=int, default=6, help="uploads per store; the first round warms up")
    parser.add_argument("--statements", action="store_true", help="also time each statement of one more round")
    args = parser.parse_args()
    result = run(stores=args.stores, sales=args.sales, rounds=args.rounds, statements=args.statements)
    print(f"HQ per upload of {result['changes_per_upload']} changes: {result['worker_ms']:.2f} ms of the serving "
          f"process's CPU, {result['database_ms']:.2f} ms of its PostgreSQL backend's (medians of "
          f"{result['rounds']} rounds of {args.stores} uploads)", file=sys.stderr)
    for sql, calls, ms in result.get("statements", [])[:30]:
        print(f"  {ms:6.2f} ms {calls:4.1f}x  {sql}", file=sys.stderr)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
