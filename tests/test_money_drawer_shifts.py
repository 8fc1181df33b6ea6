"""Drawer movements, shifts, and closing the day with sales still queued on a tablet."""

from __future__ import annotations

import uuid

import pytest

from registers.models import ZReport
from sync.models import Change
from tests.money import CASHIER_PIN, MANAGER_PIN, place, post, forget_pin_failures  # noqa: F401  (autouse)

pytestmark = pytest.mark.django_db


def drawer(client, kind, amount, pin, reason=""):
    return post(client, "/api/drawer", {"id": str(uuid.uuid4()), "kind": kind, "register": "register-1",
                                         "amount": amount, "pin": pin, "reason": reason})


def test_paid_out_needs_a_manager_and_a_reason(register_client):
    assert drawer(register_client, "paid_out", 500, CASHIER_PIN, "ice").status_code == 403
    assert drawer(register_client, "paid_out", 500, MANAGER_PIN).status_code == 422
    assert drawer(register_client, "paid_out", 500, MANAGER_PIN, "ice").status_code == 201
    assert drawer(register_client, "open", 10000, "0000").status_code == 403
    assert drawer(register_client, "open", -1, CASHIER_PIN).status_code == 422


def test_the_counted_close_shows_over_or_short(register_client):
    drawer(register_client, "open", 20000, CASHIER_PIN)
    place(register_client, "eat_in", [{"sku": "BEER", "qty": 1}], [{"method": "cash", "amount": 1000}])
    drawer(register_client, "paid_in", 1000, MANAGER_PIN, "change from the bank")
    drawer(register_client, "count", 21600, CASHIER_PIN)
    [row] = register_client.get("/api/reports/x").json()["drawer"]
    # 20000 float + 550 sale + 1000 paid in = 21550 expected; 21600 counted: 50 over
    assert row == {"register": "register-1", "float": 20000, "cash_sales": 550, "cash_refunds": 0, "paid_in": 1000,
                   "paid_out": 0, "expected": 21550, "counted": 21600, "over_short": 50}


def test_who_is_on_follows_clock_in_and_out(register_client):
    assert post(register_client, "/api/shifts/start", {"pin": CASHIER_PIN}).status_code == 200
    assert post(register_client, "/api/shifts/start", {"pin": MANAGER_PIN}).status_code == 200
    assert post(register_client, "/api/shifts/start", {"pin": CASHIER_PIN}).status_code == 200  # already on: no-op
    assert [s["staff_name"] for s in register_client.get("/api/staff/on-duty").json()] == ["山田 花子", "佐藤 健"]
    assert post(register_client, "/api/shifts/end", {"pin": CASHIER_PIN}).status_code == 200
    assert [s["staff_name"] for s in register_client.get("/api/staff/on-duty").json()] == ["佐藤 健"]
    assert post(register_client, "/api/shifts/end", {"pin": CASHIER_PIN}).status_code == 409
    assert post(register_client, "/api/shifts/start", {"pin": "0000"}).status_code == 403
    assert Change.objects.filter(kind__startswith="shift.").count() == 3


def test_closing_with_sales_still_queued_warns_until_forced(register_client):
    order = place(register_client, "eat_in", [{"sku": "BEER", "qty": 1}], [{"method": "cash", "amount": 550}])
    warned = post(register_client, "/api/reports/z", {"manager_pin": MANAGER_PIN, "queued": 2})
    assert warned.status_code == 409 and "2 offline sale(s) are still queued" in warned.json()["detail"]
    assert not ZReport.objects.exists()
    assert post(register_client, "/api/reports/z", {"manager_pin": CASHIER_PIN}).status_code == 403
    forced = post(register_client, "/api/reports/z", {"manager_pin": MANAGER_PIN, "queued": 2, "force": True})
    assert forced.status_code == 201
    assert forced.json()["report"]["queued_at_close"] == 2
    assert forced.json()["business_date"] == order["business_date"]
    assert register_client.get("/api/reports/z").json()[0]["number"] == 1


def test_z_numbers_count_up_over_days(register_client):
    import datetime as dt

    today = dt.date.fromisoformat(place(register_client, "eat_in", [{"sku": "BEER", "qty": 1}], [])["business_date"])
    for back in (2, 1, 0):
        day = (today - dt.timedelta(days=back)).isoformat()
        assert post(register_client, "/api/reports/z", {"manager_pin": MANAGER_PIN, "business_date": day}).status_code == 201
    assert list(ZReport.objects.values_list("number", flat=True)) == [1, 2, 3]
    future = (today + dt.timedelta(days=1)).isoformat()
    assert post(register_client, "/api/reports/z", {"manager_pin": MANAGER_PIN, "business_date": future}).status_code == 422


def test_bad_input_is_a_clear_4xx(register_client):
    assert post(register_client, "/api/reports/z", {"manager_pin": MANAGER_PIN, "queued": "two"}).status_code == 422
    assert register_client.get("/api/reports/sales?business_date=yesterday").status_code == 422
    assert post(register_client, "/api/drawer", {"kind": "open"}).status_code == 422
    assert post(register_client, f"/api/orders/{uuid.uuid4()}/void", {"manager_pin": MANAGER_PIN}).status_code == 422
