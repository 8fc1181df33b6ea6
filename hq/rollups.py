"""Chain-wide sales from rollups, not scans of orders.

At HQ every projection of a sale, payment, void, refund, discount or Z close
marks its store's business day due (``RollupDue``, in the same transaction,
under that store's apply lock). The ``rollups`` worker (one HQ process at a
time) sums each due day again with the very report the store gives
(registers/reports.py, registers/report_breakdown.py) into ``SalesRollup``
rows: per day, hour, item, tender, tax rate and refunds. A chain-wide day
report then reads a few rows per store, whatever years of orders lie behind
them; per-store reports still come from the orders, so the rollups can be
checked against them (tests/test_hq_rollups.py). Reads go to the read-only
replica (``DATABASE_REPLICA_URL``) when one is configured.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Sum

from hq.models import RollupDue, SalesRollup
from registers.events import (
    DayClosed,
    OrderDiscounted,
    OrderPaid,
    OrderPlaced,
    OrderPriceOverridden,
    OrderRefunded,
    OrderVoided,
)
from registers.models import Order
from registers.report_breakdown import by_hour, by_item
from registers.reports import day_report
from stores.models import Store
from sync.projection import Recorded, Stage, projector_many

DIMENSIONS = ("day", "hour", "item", "tender", "rate", "refunds")


def reports_db() -> str:
    """The database alias read-only reports use: the replica when configured."""
    return "replica" if "replica" in settings.DATABASES else "default"


def _mark(days: set[tuple[str, dt.date]]) -> None:
    if not days:
        return
    stamp = time.time_ns()
    RollupDue.objects.bulk_create(
        [RollupDue(store=store, business_date=day, marked=stamp) for store, day in sorted(days)],
        update_conflicts=True, unique_fields=["store", "business_date"], update_fields=["marked"],
    )


def _mark_orders(order_ids: set[uuid.UUID]) -> None:
    """Mark these orders' days due in one statement (INSERT … SELECT): reading
    the days first and then marking them were two round trips of every upload
    that pays a sale at HQ. An order not here yet marks nothing; its
    placement marks its day when it comes."""
    if not order_ids:
        return
    days = Order.objects.filter(pk__in=order_ids).order_by().values_list("store", "business_date").distinct()
    select, params = days.query.sql_with_params()
    qn = connection.ops.quote_name
    # WHERE true: SQLite would read ON CONFLICT as a join's ON after FROM (its documented ambiguity).
    sql = (f"INSERT INTO {qn(RollupDue._meta.db_table)} ({qn('store')}, {qn('business_date')}, {qn('marked')}) "
           f"SELECT days.*, %s FROM ({select}) days WHERE true "
           f"ON CONFLICT ({qn('store')}, {qn('business_date')}) DO UPDATE SET {qn('marked')} = EXCLUDED.{qn('marked')}")
    with connection.cursor() as cursor:
        cursor.execute(sql, [time.time_ns(), *params])


@projector_many(OrderPlaced, stage=Stage.REACT)
def placed_marks(changes: list[Recorded[OrderPlaced]]) -> None:
    if settings.POS_ROLE == "hq":
        _mark({(c.store, c.event.business_date) for c in changes})


@projector_many(OrderPaid, stage=Stage.REACT)
@projector_many(OrderVoided, stage=Stage.REACT)
@projector_many(OrderDiscounted, stage=Stage.REACT)
@projector_many(OrderPriceOverridden, stage=Stage.REACT)
def order_fact_marks(changes: list[Recorded[Any]]) -> None:
    if settings.POS_ROLE == "hq":
        _mark_orders({c.event.order for c in changes})


@projector_many(OrderRefunded, stage=Stage.REACT)
def refund_marks(changes: list[Recorded[OrderRefunded]]) -> None:
    if settings.POS_ROLE == "hq":
        _mark({(c.store, c.event.business_date) for c in changes})
        _mark_orders({c.event.order for c in changes})


@projector_many(DayClosed, stage=Stage.REACT)
def close_marks(changes: list[Recorded[DayClosed]]) -> None:
    if settings.POS_ROLE == "hq":
        _mark({(c.store, c.event.business_date) for c in changes})


def _rows(store: Store, day: dt.date) -> list[SalesRollup]:
    report = day_report(store=store.code, day=day)
    rows = [SalesRollup(dimension="day", key="", count=report["orders"], amount=report["total"],
                        tax=sum(t["tax"] for t in report["taxes"]))]
    rows += [SalesRollup(dimension="hour", key=f"{h['hour']:02d}", count=h["orders"], amount=h["total"])
             for h in by_hour(store=store.code, day=day, time_zone=store.time_zone) if h["orders"]]
    rows += [SalesRollup(dimension="item", key=i["sku"][:64], count=i["qty"], amount=i["amount"])
             for i in by_item(store=store.code, day=day)]
    rows += [SalesRollup(dimension="tender", key=method, count=t["count"], amount=t["amount"])
             for method, t in report["tenders"].items() if t["count"]]
    rows += [SalesRollup(dimension="rate", key=str(t["rate"]), count=0, amount=t["taxable"], tax=t["tax"])
             for t in report["taxes"]]
    refunds = report["refunds"]
    if refunds["count"]:
        rows.append(SalesRollup(dimension="refunds", key="", count=refunds["count"], amount=refunds["amount"],
                                tax=sum(t["tax"] for t in refunds["taxes"])))
    for row in rows:
        row.store, row.business_date = store.code, day
    return rows


# A day still taking sales is summed again at most this often. Each sum reads
# the whole day's orders, and an ingest marks every busy store's day due with
# each upload: re-summed every round (5 s), the worker took a quarter of an HQ
# process's time in a reconnect storm (py-spy, README) and grew with the day.
RESUM_EVERY_S = 30.0

# (store, day) -> when this process last summed it (monotonic). Per process:
# the worker runs in one HQ process at a time, and another that takes over
# sums each day once more at worst.
_summed: dict[tuple[str, dt.date], float] = {}


def rollups_refresh(*, limit: int = 200, every_s: float = 0) -> int:
    """The worker: sum every due store day again; returns how many were summed.
    A day marked again while it was summed stays due for the next round; with
    ``every_s``, a day this process summed less than that ago waits too."""
    now = time.monotonic()
    due = [
        (store, day, marked)
        for store, day, marked in RollupDue.objects.order_by("business_date", "store").values_list("store", "business_date", "marked")
        if now - _summed.get((store, day), -every_s) >= every_s
    ][:limit]
    stores = {s.code: s for s in Store.objects.filter(code__in={store for store, _, _ in due})}
    for code, day, marked in due:
        store = stores.get(code) or Store(code=code)
        with transaction.atomic():
            rows = _rows(store, day)
            SalesRollup.objects.filter(store=code, business_date=day).delete()
            SalesRollup.objects.bulk_create(rows)
            RollupDue.objects.filter(store=code, business_date=day, marked=marked).delete()
        _summed[(code, day)] = time.monotonic()
    if len(_summed) > 100_000:  # days long summed need no memory
        for key in [k for k, at in _summed.items() if now - at > every_s]:
            del _summed[key]
    return len(due)


def rollups_work() -> int:
    """The ``rollups`` worker's round (hq/apps.py)."""
    return rollups_refresh(every_s=RESUM_EVERY_S)


def chain_day_report(*, day: dt.date, stores: list[str] | None = None) -> dict[str, Any]:
    """The chain's (or ``stores``') sales of one business day from the rollups:
    totals, per store, per hour, per item, per tender and per tax rate."""
    rows = SalesRollup.objects.using(reports_db()).filter(business_date=day)
    if stores is not None:
        rows = rows.filter(store__in=stores)
    grouped = rows.values("dimension", "key").annotate(count=Sum("count"), amount=Sum("amount"), tax=Sum("tax"))
    by: dict[str, dict[str, dict[str, int]]] = defaultdict(dict)
    for row in grouped:
        by[row["dimension"]][row["key"]] = {"count": row["count"], "amount": row["amount"], "tax": row["tax"]}
    per_store = list(rows.filter(dimension="day").order_by("store").values_list("store", "count", "amount"))
    day_row = by["day"].get("", {"count": 0, "amount": 0, "tax": 0})
    refunds = by["refunds"].get("", {"count": 0, "amount": 0, "tax": 0})
    return {
        "business_date": day.isoformat(),
        "stores": len(per_store),
        "orders": day_row["count"],
        "total": day_row["amount"],
        "tax": day_row["tax"],
        "refunds": {"count": refunds["count"], "amount": refunds["amount"]},
        "net": day_row["amount"] - refunds["amount"],
        "by_store": [{"store": s, "orders": n, "total": t} for s, n, t in per_store],
        "by_hour": [{"hour": int(h), "orders": v["count"], "total": v["amount"]} for h, v in sorted(by["hour"].items())],
        "by_item": sorted(({"sku": k, "qty": v["count"], "amount": v["amount"]} for k, v in by["item"].items()),
                          key=lambda r: (-r["amount"], r["sku"])),
        "tenders": {k: {"count": v["count"], "amount": v["amount"]} for k, v in sorted(by["tender"].items())},
        "taxes": [{"rate": int(k), "taxable": v["amount"], "tax": v["tax"]}
                  for k, v in sorted(by["rate"].items(), key=lambda kv: -int(kv[0]))],
        "pending": RollupDue.objects.using(reports_db()).filter(business_date=day).count(),
    }
