"""Sales by item and by hour, CSV export, and HQ's dashboard with its chart and store health."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone

from hq.chart import hour_bars
from hq.models import NodeContact
from registers.models import Order
from tests.personas import order_body

pytestmark = pytest.mark.django_db


def sell(client, lines) -> dict:
    response = client.post("/api/orders", order_body(lines=lines, payments=[]), content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()


def test_the_sales_report_breaks_the_day_down_by_item_and_by_hour(register_client):
    a = sell(register_client, [{"sku": "FRIES", "qty": 2}])
    b = sell(register_client, [{"sku": "FRIES", "qty": 1}, {"sku": "BEER", "qty": 1}])
    day = a["business_date"]
    report = register_client.get(f"/api/reports/sales?business_date={day}").json()
    items = {i["sku"]: i for i in report["by_item"]}
    assert items["FRIES"]["qty"] == 3 and items["BEER"]["qty"] == 1
    assert sum(i["amount"] for i in report["by_item"]) == report["total"] == a["total"] + b["total"]
    assert len(report["by_hour"]) == 24
    hour = Order.objects.get(pk=a["id"]).placed_at.astimezone(dt.timezone(dt.timedelta(hours=9))).hour
    assert report["by_hour"][hour] == {"hour": hour, "orders": 2, "total": report["total"]}


def test_the_day_exports_as_csv_with_the_same_figures(register_client):
    order = sell(register_client, [{"sku": "FRIES", "qty": 1}])
    response = register_client.get(f"/api/reports/sales.csv?business_date={order['business_date']}")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert ["summary", "sales", "1", str(order["total"]), ""] in rows
    assert any(r[0] == "item" and r[1] == "FRIES" and r[3] == str(order["total"]) for r in rows)


def test_a_bad_day_is_a_clear_4xx(register_client, admin_client):
    assert register_client.get("/api/reports/sales.csv?business_date=yesterday").status_code == 422
    response = admin_client.get("/hq/?business_date=2026-13-01")
    assert response.status_code == 400 and b"YYYY-MM-DD" in response.content


def test_the_chart_scales_bars_to_the_busiest_hour():
    hours = [{"hour": h, "orders": 0, "total": 0} for h in range(24)]
    hours[12] = {"hour": 12, "orders": 3, "total": 3000}
    hours[18] = {"hour": 18, "orders": 1, "total": 1500}
    bars = {b["hour"]: b for b in hour_bars(hours)["bars"]}
    assert bars[12]["height"] == 2 * bars[18]["height"] > 0 and bars[3]["height"] == 0


def test_hq_dashboard_shows_the_chart_and_flags_a_silent_store(settings, register_client, admin_client):
    order = sell(register_client, [{"sku": "FRIES", "qty": 1}])  # sold at the store: HQ books no sales
    settings.POS_ROLE = "hq"
    settings.POS_STORE_SILENT_AFTER = 300
    NodeContact.objects.create(store="S001", node="node1", last_contact=timezone.now() - dt.timedelta(minutes=10),
                               backlog=4, backlog_since=timezone.now() - dt.timedelta(minutes=3))
    page = admin_client.get(f"/hq/?store=S001&business_date={order['business_date']}").content.decode()
    assert 'data-testid="store-silent"' in page and "node1" in page
    assert f'data-total="{order["total"]}"' in page
    csv_page = admin_client.get(f"/hq/sales.csv?store=S001&business_date={order['business_date']}")
    assert csv_page.status_code == 200
    NodeContact.objects.update(last_contact=timezone.now())
    assert 'data-testid="store-silent"' not in admin_client.get("/hq/").content.decode()


def test_the_dashboard_is_for_staff_only(client, demo):
    assert client.get("/hq/").status_code == 302
