"""Time-based menus: a lunch window (11:00–15:00) with its own prices and a
lunch-only item, a late-night tier past midnight, in the store's time zone;
an offline sale is priced by the moment it was rung up, within bounds."""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo

import pytest

from menu.models import MenuWindow
from menu.windows import window_open
from sync.models import Change
from tests.personas import order_body
from tests.replication_fixtures import RemoteOrigin, signed_post

HQ = "hq:hq1.abcd1234"
TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")  # the demo store's time zone
DAY = dt.date(2026, 11, 27)


def tokyo(hour: int, minute: int = 0, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=TOKYO)


@pytest.fixture
def clock(monkeypatch):
    """Set this node's clock: ``clock(tokyo(15, 30))``."""

    def set_now(at: dt.datetime) -> None:
        monkeypatch.setattr("django.utils.timezone.now", lambda: at.astimezone(dt.UTC))

    return set_now


@pytest.fixture
def windows(client, demo):
    """Lunch and late night as a store receives them from HQ: signed master changes."""
    hq = RemoteOrigin(HQ, store="*")
    lunch_item = {"name_ja": "日替わりランチ", "name_en": "Lunch of the day", "category": "bowls", "price": "900",
                  "tax_class": "food", "station": "grill", "available": "True", "takeout_ok": "True", "position": "98",
                  "modifier_groups": []}
    changes = [
        hq.change("master.upsert", {"model": "registers.MenuItem", "key": "LUNCH", "fields": lunch_item}, store="*"),
        hq.change("master.upsert", {"model": "menu.MenuWindow", "key": "lunch", "fields": {
            "name_ja": "ランチ", "name_en": "Lunch", "starts": "11:00:00", "ends": "15:00:00", "position": "0"}}, store="*"),
        hq.change("master.upsert", {"model": "menu.MenuWindow", "key": "late", "fields": {
            "name_ja": "深夜", "name_en": "Late night", "starts": "22:00:00", "ends": "05:00:00", "position": "1"}}, store="*"),
        hq.change("master.upsert", {"model": "menu.WindowPrice", "key": "lunch:LUNCH",
                                    "fields": {"window": "lunch", "item": "LUNCH", "price": "780", "only": "True"}}, store="*"),
        hq.change("master.upsert", {"model": "menu.WindowPrice", "key": "lunch:OYAKODON",
                                    "fields": {"window": "lunch", "item": "OYAKODON", "price": "500"}}, store="*"),
        hq.change("master.upsert", {"model": "menu.WindowPrice", "key": "late:BEER",
                                    "fields": {"window": "late", "item": "BEER", "price": "600"}}, store="*"),
    ]
    response, _ = signed_post(client, "/api/sync/push", {"changes": changes, "vector": {}})
    assert response.status_code == 200 and response.json()["applied"] == len(changes), response.content


def post(client, body):
    return client.post("/api/orders", data=json.dumps(body), content_type="application/json")


def lunch_order(**overrides):
    return order_body(lines=[{"sku": "LUNCH", "qty": 1}, {"sku": "OYAKODON", "qty": 1, "modifiers": ["size_nami"]}],
                      payments=[{"method": "cash", "amount": 2000}], **overrides)


@pytest.mark.django_db
def test_an_offline_sale_rung_up_at_1459_and_sent_at_1530_is_accepted_at_the_lunch_price(windows, register_client, clock):
    clock(tokyo(15, 30))
    response = post(register_client, lunch_order(rung_at=tokyo(14, 59).isoformat()))
    assert response.status_code == 201, response.content
    order = response.json()
    assert [(line["sku"], line["unit_price"]) for line in order["lines"]] == [("LUNCH", 780), ("OYAKODON", 500)]
    assert order["total"] == 1280
    assert dt.datetime.fromisoformat(order["placed_at"]) == tokyo(15, 30)  # booked when it arrived
    assert Change.objects.get(kind="order.placed").payload["priced_at"] == tokyo(14, 59).isoformat()


@pytest.mark.django_db
def test_the_same_sale_rung_up_at_1530_is_past_lunch(windows, register_client, clock):
    clock(tokyo(15, 30))
    response = post(register_client, lunch_order())
    assert response.status_code == 422
    assert "LUNCH" in response.json()["detail"]
    response = post(register_client, order_body(lines=[{"sku": "OYAKODON", "qty": 1, "modifiers": ["size_nami"]}]))
    assert response.status_code == 201 and response.json()["lines"][0]["unit_price"] == 590
    assert "priced_at" not in Change.objects.get(kind="order.placed").payload


@pytest.mark.django_db
@pytest.mark.parametrize(
    "rung_at",
    [
        tokyo(14, 59, DAY - dt.timedelta(days=1)),  # yesterday's lunch: before this business day began
        tokyo(3, 59),  # before today's 04:00 cut-over: still last night's business day
        tokyo(12, 0, DAY + dt.timedelta(days=1)),  # tomorrow's lunch, from a register whose clock runs ahead
    ],
)
def test_a_rung_up_time_out_of_bounds_is_not_believed(windows, register_client, clock, rung_at):
    clock(tokyo(15, 30))
    assert post(register_client, lunch_order(rung_at=rung_at.isoformat())).status_code == 422  # no lunch item now
    response = post(register_client, order_body(lines=[{"sku": "OYAKODON", "qty": 1, "modifiers": ["size_nami"]}], rung_at=rung_at.isoformat()))
    assert response.status_code == 201 and response.json()["lines"][0]["unit_price"] == 590


@pytest.mark.django_db
def test_a_rung_up_time_without_an_offset_is_refused(windows, register_client, clock):
    clock(tokyo(12, 0))
    response = post(register_client, lunch_order(rung_at="2026-11-27T12:00:00"))
    assert response.status_code == 422 and "rung_at" in response.json()["detail"]


@pytest.mark.django_db
def test_the_menu_shows_the_window_open_now_and_late_night_runs_past_midnight(windows, register_client, clock):
    def menu():
        return {item["sku"]: item for item in register_client.get("/api/menu").json()["items"]}

    clock(tokyo(12, 0))
    at_noon = menu()
    assert (at_noon["LUNCH"]["price"], at_noon["LUNCH"]["available"]) == (780, True)
    assert (at_noon["OYAKODON"]["price"], at_noon["BEER"]["price"]) == (500, 550)
    clock(tokyo(15, 0))  # the end is exclusive
    at_three = menu()
    assert (at_three["LUNCH"]["available"], at_three["OYAKODON"]["price"]) == (False, 590)
    clock(tokyo(1, 30, DAY + dt.timedelta(days=1)))
    assert menu()["BEER"]["price"] == 600
    response = post(register_client, order_body(lines=[{"sku": "BEER", "qty": 1}]))
    assert response.status_code == 201 and response.json()["total"] == 600
    clock(tokyo(21, 59))
    assert menu()["BEER"]["price"] == 550


@pytest.mark.parametrize(
    "starts, ends, open_at, closed_at",
    [
        ("11:00", "15:00", ["11:00", "14:59"], ["10:59", "15:00", "23:00"]),
        ("22:00", "05:00", ["22:00", "23:59", "00:00", "04:59"], ["05:00", "12:00", "21:59"]),
    ],
)
def test_a_window_is_open_from_its_start_to_before_its_end(starts, ends, open_at, closed_at):
    window = MenuWindow(code="w", starts=dt.time.fromisoformat(starts), ends=dt.time.fromisoformat(ends))
    assert all(window_open(window, dt.time.fromisoformat(t)) for t in open_at)
    assert not any(window_open(window, dt.time.fromisoformat(t)) for t in closed_at)
