"""HQ's dashboard (/hq/): every store's health, and one store's day with its
sales by hour. Staff only (Django admin login)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render

from hq import chart, selectors
from registers import report_breakdown, reports
from stores.models import Store


def _day_and_store(request: HttpRequest) -> tuple[Store | None, dt.date | None, str]:
    code = request.GET.get("store") or (settings.POS_STORE if settings.POS_ROLE == "store" else "")
    store = Store.objects.filter(code=code).first() if code else Store.objects.first()
    raw = request.GET.get("business_date", "")
    try:
        day = dt.date.fromisoformat(raw) if raw else (reports.today(store) if store else None)
    except ValueError:
        return store, None, f"business_date must be YYYY-MM-DD, not {raw!r}"
    return store, day, ""


def _report(store: Store, day: dt.date) -> dict:
    return {
        **reports.day_report(store=store.code, day=day),
        "by_item": report_breakdown.by_item(store=store.code, day=day),
        "by_hour": report_breakdown.by_hour(store=store.code, day=day, time_zone=store.time_zone),
    }


@staff_member_required
def dashboard(request: HttpRequest) -> HttpResponse:
    store, day, error = _day_and_store(request)
    if error:
        return HttpResponseBadRequest(error)
    report = _report(store, day) if store and day else None
    context = {
        "stores": selectors.stores_health(),
        "silent_after": settings.POS_STORE_SILENT_AFTER,
        "store": store,
        "day": day,
        "all_stores": Store.objects.all(),
        "report": report,
        "chart": chart.hour_bars(report["by_hour"]) if report else None,
        "sold_out": selectors.sold_out_now(),
    }
    return render(request, "hq/dashboard.html", context)


@staff_member_required
def sales_csv(request: HttpRequest) -> HttpResponse:
    store, day, error = _day_and_store(request)
    if error or store is None or day is None:  # day is None only when store is
        return HttpResponseBadRequest(error or "no such store")
    response = HttpResponse(report_breakdown.report_csv(_report(store, day)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="sales-{store.code}-{day.isoformat()}.csv"'
    return response
