"""The day's sales by item and by hour, and any report as CSV.

Pure reads of the same projections as ``registers/reports.py`` (voided orders
left out), so a store and HQ holding the same changes give the same figures.
Item amounts are line amounts as rung up, before order-level discounts (which
the day report lists separately).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zoneinfo
from typing import Any

from registers.models import Order, OrderLine, OrderVoid


def _sold(store: str, day: dt.date):
    day_orders = Order.objects.filter(store=store, business_date=day)
    return day_orders.exclude(id__in=OrderVoid.objects.filter(order_id__in=day_orders.values("id")).values("order_id"))


def by_item(*, store: str, day: dt.date) -> list[dict[str, Any]]:
    """Quantity and amount per SKU, best seller (by amount) first."""
    rows: dict[str, dict[str, Any]] = {}
    # The five columns summed, not whole lines: decoding each line's modifiers
    # and components was most of the time (HQ's rollups worker runs this for
    # every busy store's day).
    lines = OrderLine.objects.filter(order__in=_sold(store, day)).order_by("order_id", "position")
    for sku, name_ja, name_en, qty, amount in lines.values_list("sku", "name_ja", "name_en", "qty", "amount"):
        row = rows.setdefault(sku, {"sku": sku, "name_ja": name_ja, "name_en": name_en, "qty": 0, "amount": 0})
        row["qty"] += qty
        row["amount"] += amount
    return sorted(rows.values(), key=lambda r: (-r["amount"], r["sku"]))


def by_hour(*, store: str, day: dt.date, time_zone: str) -> list[dict[str, Any]]:
    """Orders and total per hour of the store's clock (0-23), every hour present."""
    tz = zoneinfo.ZoneInfo(time_zone)
    hours = [{"hour": h, "orders": 0, "total": 0} for h in range(24)]
    for placed_at, total in _sold(store, day).values_list("placed_at", "total"):
        row = hours[placed_at.astimezone(tz).hour]
        row["orders"] += 1
        row["total"] += total
    return hours


def report_csv(report: dict[str, Any]) -> str:
    """A day report (with by_item and by_hour) as one CSV of labelled sections, for spreadsheets."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["section", "key", "count", "amount", "extra"])
    w.writerow(["summary", "store", "", "", report["store"]])
    w.writerow(["summary", "business_date", "", "", report["business_date"]])
    w.writerow(["summary", "sales", report["orders"], report["total"], ""])
    for t in report["taxes"]:
        w.writerow(["tax", f"{t['rate']}%", "", t["tax"], f"taxable={t['taxable']}"])
    for method, t in report["tenders"].items():
        w.writerow(["tender", method, t["count"], t["amount"], ""])
    w.writerow(["voids", "voids", report["voids"]["count"], report["voids"]["amount"], ""])
    w.writerow(["refunds", "refunds", report["refunds"]["count"], report["refunds"]["amount"], ""])
    for item in report.get("by_item", []):
        w.writerow(["item", item["sku"], item["qty"], item["amount"], item["name_ja"]])
    for hour in report.get("by_hour", []):
        w.writerow(["hour", f"{hour['hour']:02d}", hour["orders"], hour["total"], ""])
    return out.getvalue()
