"""How long the end-of-day work takes on a busy day: X report and journal check.

Run: .venv/bin/python bench/bench_money.py [ORDERS]   (default 3000; a throw-away SQLite database)
Prints figures; asserts nothing about speed.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["POS_DATA_DIR"] = tempfile.mkdtemp(prefix="posweb-bench-")
os.environ.setdefault("POS_NODE", "bench")
os.environ["POS_WORKERS"] = "0"
os.environ["DJANGO_SETTINGS_MODULE"] = "posweb.settings"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from registers import services, tender  # noqa: E402
from registers.journal import journal_verify  # noqa: E402
from stores.models import Store  # noqa: E402
from registers.reports import day_report, today  # noqa: E402
from sync.models import Change  # noqa: E402


def main(count: int) -> None:
    call_command("migrate", "--noinput", verbosity=0)
    call_command("seed_demo", verbosity=0)
    lines = [services.LineRequest("GYUDON", 1, ["size_nami"]), services.LineRequest("BEER", 1)]
    started = time.perf_counter()
    for i in range(count):
        services.order_place(order_id=uuid.uuid4(), register="register-1", dining=("eat_in", "take_out")[i % 2],
                             lines=lines, payments=[tender.Tender("cash", 2000)], request_hash=str(i))
    placing = time.perf_counter() - started
    store = Store.objects.get()
    started = time.perf_counter()
    report = day_report(store=store.code, day=today(store))
    reporting = time.perf_counter() - started
    started = time.perf_counter()
    problems = journal_verify()
    verifying = time.perf_counter() - started
    print(f"orders placed: {count} in {placing:.1f} s ({count / placing:.0f}/s)")
    print(f"day report over {report['orders']} orders (total {report['total']} yen): {reporting * 1000:.0f} ms")
    print(f"journal check over {Change.objects.count()} changes: {verifying * 1000:.0f} ms, problems: {len(problems)}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3000)
