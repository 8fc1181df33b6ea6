"""A chain-wide day report at HQ over rollups: S stores x D days of
``SalesRollup`` rows (hq/rollups.py) in a throw-away PostgreSQL database.

    .venv/bin/python -m bench.hq_reports [--stores 200] [--days 30] [--samples 20]

Each store day has the rows a busy day leaves: the day, 14 trading hours, 20
items, 3 tenders and 2 tax rates (40 rows; 240,000 for 200 stores x 30 days).
The figure is the time of ``chain_day_report`` for one day (every store),
p50 and worst of ``--samples`` runs, after one warm-up. Prints JSON last.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def inner(stores: int, days: int, samples: int) -> dict:
    import django

    django.setup()
    from hq.models import SalesRollup
    from hq.rollups import chain_day_report

    first = dt.date(2026, 10, 1)
    rows = []
    for s in range(stores):
        code = f"B{s:04d}"
        for d in range(days):
            day = first + dt.timedelta(days=d)
            base = 100_000 + s * 37 + d * 11
            rows.append(SalesRollup(store=code, business_date=day, dimension="day", count=400, amount=base * 4, tax=base * 4 // 11))
            rows += [SalesRollup(store=code, business_date=day, dimension="hour", key=f"{h:02d}", count=28, amount=base // 4)
                     for h in range(9, 23)]
            rows += [SalesRollup(store=code, business_date=day, dimension="item", key=f"SKU{i:02d}", count=30, amount=base // 5)
                     for i in range(20)]
            rows += [SalesRollup(store=code, business_date=day, dimension="tender", key=m, count=130, amount=base)
                     for m in ("cash", "card", "qr")]
            rows += [SalesRollup(store=code, business_date=day, dimension="rate", key=r, amount=base * 2, tax=base // 6)
                     for r in ("10", "8")]
    SalesRollup.objects.bulk_create(rows, batch_size=5000)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE hq_salesrollup")
    day = first + dt.timedelta(days=days // 2)
    chain_day_report(day=day)  # warm-up: connection, plans
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        report = chain_day_report(day=day)
        times.append((time.perf_counter() - started) * 1000)
    assert report["stores"] == stores, report["stores"]
    times.sort()
    return {"rows": len(rows), "stores": stores, "days": days, "p50": times[len(times) // 2], "max": times[-1]}


def run(*, stores: int = 200, days: int = 30, samples: int = 20,
        postgres: str = "postgres://postgres@127.0.0.1:5432/postgres") -> dict:
    import psycopg

    name = f"posweb_bench_reports_{os.getpid()}"
    admin = postgres.replace("postgres://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    env = {**os.environ, "DATABASE_URL": postgres.rsplit("/", 1)[0] + f"/{name}", "DJANGO_SETTINGS_MODULE": "posweb.settings",
           "POS_ROLE": "hq", "POS_DATA_DIR": str(ROOT / "var" / "bench-reports")}
    try:
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env, check=True,
                       capture_output=True, timeout=900)
        out = subprocess.run([sys.executable, "-m", "bench.hq_reports", "--inner", "--stores", str(stores), "--days", str(days),
                              "--samples", str(samples)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
        if out.returncode:
            raise RuntimeError(out.stderr[-2000:])
        return json.loads(out.stdout.strip().splitlines()[-1])
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stores", type=int, default=200)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        print(json.dumps(inner(args.stores, args.days, args.samples)))
        return
    print(json.dumps(run(stores=args.stores, days=args.days, samples=args.samples, postgres=args.postgres)))


if __name__ == "__main__":
    main()
