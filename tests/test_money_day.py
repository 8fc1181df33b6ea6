"""Acceptance: a day of mixed orders gives X and Z reports that match a hand computation to the yen,
and the same changes in any delivery order give the same report (what HQ will show after sync)."""

from __future__ import annotations

import datetime as dt
import random
import uuid

import pytest

from kitchen.models import Ticket
from registers.models import DrawerEvent, Order, OrderVoid, Refund, Shift, ZReport
from registers.reports import day_report
from sync.models import Change
from sync.projection import project
from sync.services import node_state_get
from tests.money import CASHIER_PIN, MANAGER_PIN, act_as_node, place, post, forget_pin_failures  # noqa: F401  (autouse)

pytestmark = pytest.mark.django_db

# The day, worked out by hand (prices from seed_demo; tax once per receipt per rate, fractions cut off):
#   A eat-in   GYUDON 468 + BEER 550             10 %: 1018, tax floor(1018*10/110) = 92   cash 2000 -> change 982
#   B take-out HAMBURGER 190 x2 + FRIES 250        8 %:  630, tax floor(630*8/108)  = 46   card 300 + cash 500 (330 applied, change 170)
#   C eat-in   CURRY 530 + HIGHBALL 450          10 %:  980, tax 89                        QR 980 -> VOIDED by the manager
#   D take-out KARAAGE 320 + COLA S 150            8 %:  470, tax floor(470*8/108)  = 34   card 470 taken OFFLINE
#   E eat-in   TERIYAKI 390 + COLA M 200         10 %:  590, tax floor(590*10/110) = 53   cash 1000 -> change 410
#              then the COLA (200) refunded in cash: kept 390 has tax floor(390*10/110) = 35, so 53 - 35 = 18 tax back
# Sales (A, B, D, E): 4 orders, 1018 + 630 + 470 + 590 = 2708
#   10 %: 1018 + 590 = 1608, tax 92 + 53 = 145;  8 %: 630 + 470 = 1100, tax 46 + 34 = 80
# Tenders: cash 1018 + 330 + 590 = 1938 (3);  card 300 + 470 = 770 (2);  QR 0 (C was voided)
# Voids: 1, 980.  Refunds: 1, 200 (10 %: 200, tax 18), cash.
# Net: 2708 - 200 = 2508;  10 %: 1408, tax 127;  8 %: 1100, tax 80
# Drawer register-1: float 10000 + cash 1938 - refund 200 - paid out 500 = 11238 expected; counted 11230 -> short 8
HAND = {
    "orders": 4,
    "total": 2708,
    "taxes": [{"rate": 10, "taxable": 1608, "tax": 145}, {"rate": 8, "taxable": 1100, "tax": 80}],
    "tenders": {"cash": {"count": 3, "amount": 1938}, "card": {"count": 2, "amount": 770}, "qr": {"count": 0, "amount": 0}},
    "voids": {"count": 1, "amount": 980},
    "refunds": {"count": 1, "amount": 200, "taxes": [{"rate": 10, "taxable": 200, "tax": 18}]},
    "net": {"total": 2508, "taxes": [{"rate": 10, "taxable": 1408, "tax": 127}, {"rate": 8, "taxable": 1100, "tax": 80}]},
    "offline_card": {"count": 1, "amount": 470, "unsettled_count": 1, "unsettled_amount": 470},
    "drawer": [{"register": "register-1", "float": 10000, "cash_sales": 1938, "cash_refunds": 200, "paid_in": 0,
                "paid_out": 500, "expected": 11238, "counted": 11230, "over_short": -8}],
}


def drawer(client, kind, amount, pin, reason=""):
    body = {"id": str(uuid.uuid4()), "kind": kind, "register": "register-1", "amount": amount, "pin": pin, "reason": reason}
    response = post(client, "/api/drawer", body)
    assert response.status_code == 201, response.content


def run_the_day(client) -> dict[str, dict]:
    """The day above, on two nodes of one store: sales on node A, the manager's actions on node B."""
    node_a = node_state_get().origin
    assert post(client, "/api/shifts/start", {"pin": CASHIER_PIN}).status_code == 200
    drawer(client, "open", 10000, CASHIER_PIN)
    orders = {
        "A": place(client, "eat_in", [{"sku": "GYUDON", "qty": 1, "modifiers": ["size_nami"]}, {"sku": "BEER", "qty": 1}],
                   [{"method": "cash", "amount": 2000}]),
        "B": place(client, "take_out", [{"sku": "HAMBURGER", "qty": 2}, {"sku": "FRIES", "qty": 1}],
                   [{"method": "card", "amount": 300, "reference": "T-0001"}, {"method": "cash", "amount": 500}]),
        "C": place(client, "eat_in", [{"sku": "CURRY", "qty": 1, "modifiers": ["size_nami"]}, {"sku": "HIGHBALL", "qty": 1}],
                   [{"method": "qr", "amount": 980, "reference": "QR-9"}]),
        "D": place(client, "take_out", [{"sku": "KARAAGE", "qty": 1}, {"sku": "COLA", "qty": 1, "modifiers": ["drink_s"]}],
                   [{"method": "card", "amount": 470, "offline": True}]),
        "E": place(client, "eat_in", [{"sku": "TERIYAKI", "qty": 1}, {"sku": "COLA", "qty": 1, "modifiers": ["drink_m"]}],
                   [{"method": "cash", "amount": 1000}]),
    }
    act_as_node("node-b.test")
    assert post(client, "/api/shifts/start", {"pin": MANAGER_PIN}).status_code == 200
    void = post(client, f"/api/orders/{orders['C']['id']}/void", {"manager_pin": MANAGER_PIN, "reason": "wrong order"})
    assert void.status_code == 200, void.content
    refund = post(client, f"/api/orders/{orders['E']['id']}/refunds", {
        "id": str(uuid.uuid4()), "manager_pin": MANAGER_PIN, "reason": "cola spilled",
        "lines": [{"position": 1, "qty": 1}], "method": "cash"})
    assert refund.status_code == 201, refund.content
    drawer(client, "paid_out", 500, MANAGER_PIN, "ice from the shop next door")
    act_as_node(node_a)
    drawer(client, "count", 11230, CASHIER_PIN)
    return orders


def figures(report: dict) -> dict:
    """The parts of a report the hand computation covers."""
    return {
        "orders": report["orders"],
        "total": report["total"],
        "taxes": report["taxes"],
        "tenders": report["tenders"],
        "voids": {k: report["voids"][k] for k in ("count", "amount")},
        "refunds": {k: report["refunds"][k] for k in ("count", "amount", "taxes")},
        "net": report["net"],
        "offline_card": {k: report["offline_card"][k] for k in ("count", "amount", "unsettled_count", "unsettled_amount")},
        "drawer": report["drawer"],
    }


def test_x_and_z_reports_match_the_hand_computed_day(register_client):
    orders = run_the_day(register_client)
    day = orders["A"]["business_date"]

    changes_before = Change.objects.count()
    x = register_client.get(f"/api/reports/x?business_date={day}")
    assert x.status_code == 200
    assert figures(x.json()) == HAND
    assert x.json()["voids"]["items"][0]["staff"] == "佐藤 健"
    assert x.json()["voids"]["items"][0]["reason"] == "wrong order"
    assert Change.objects.count() == changes_before, "an X report must record nothing"

    sales = register_client.get(f"/api/reports/sales?business_date={day}").json()
    assert figures(sales) == HAND

    z = post(register_client, "/api/reports/z", {"manager_pin": MANAGER_PIN, "business_date": day})
    assert z.status_code == 201, z.content
    assert z.json()["number"] == 1
    assert figures(z.json()["report"]) == HAND
    closed = Change.objects.get(kind="day.closed")
    assert closed.payload["report"]["total"] == 2708, "the Z report is a change, so it replicates to HQ"

    again = post(register_client, "/api/reports/z", {"manager_pin": MANAGER_PIN, "business_date": day})
    assert again.status_code == 409
    assert "already closed" in again.json()["detail"]
    assert ZReport.objects.count() == 1


def test_the_same_changes_in_any_delivery_order_give_the_same_reports(register_client):
    """What HQ sees after sync: it applies the same changes, interleaved differently per origin."""
    orders = run_the_day(register_client)
    day = orders["A"]["business_date"]
    assert post(register_client, "/api/reports/z", {"manager_pin": MANAGER_PIN, "business_date": day}).status_code == 201
    store = orders["A"]["store"]
    at_store = day_report(store=store, day=dt.date.fromisoformat(day))
    z_at_store = ZReport.objects.get().report
    changes = list(Change.objects.order_by("origin", "seq"))
    assert len({c.origin for c in changes}) >= 2, "the day spans origins to interleave"
    rng = random.Random(20261123)
    for _ in range(6):
        _wipe_projections()
        for change in _interleave(changes, rng):
            project(change)
        at_hq = day_report(store=store, day=dt.date.fromisoformat(day))
        assert at_hq == at_store
        assert figures(at_hq) == HAND
        assert ZReport.objects.get().report == z_at_store
        assert Order.objects.get(pk=orders["C"]["id"]).status == "voided"
        assert set(Ticket.objects.filter(order_id=orders["C"]["id"]).values_list("status", flat=True)) == {"voided"}


def _wipe_projections() -> None:
    for model in (Order, OrderVoid, Refund, DrawerEvent, Shift, ZReport):
        model.objects.all().delete()


def _interleave(changes: list[Change], rng: random.Random) -> list[Change]:
    """A random merge of the origins' sequences: each origin's own order is kept, as replication keeps it."""
    queues: dict[str, list[Change]] = {}
    for change in changes:
        queues.setdefault(change.origin, []).append(change)
    merged = []
    while queues:
        origin = rng.choice(sorted(queues))
        merged.append(queues[origin].pop(0))
        if not queues[origin]:
            del queues[origin]
    return merged
