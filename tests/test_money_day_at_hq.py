"""Acceptance across real processes: the mixed day of test_money_day.py, sold on one
sibling and managed on the other, gives X and Z figures that HQ (on PostgreSQL)
shows identically after sync, and HQ's copy of the journal checks out."""

from __future__ import annotations

import uuid

import pytest

from tests.nodes import Node
from tests.test_money_day import HAND, figures
from tests.test_replication_hq import hq_database_url, store_and_hq  # noqa: F401  (fixtures)
from tests.test_replication_nodes import wait_for

pytestmark = pytest.mark.nodes

CASHIER_PIN, MANAGER_PIN = "1234", "9999"


def ok(node: Node, path: str, body: dict, expect: int = 200) -> dict:
    status, answer = node.post(path, body)
    assert status == expect, (path, status, answer)
    return answer


def place(node: Node, dining: str, lines: list[dict], payments: list[dict]) -> dict:
    body = {"id": str(uuid.uuid4()), "register": "register-1", "dining": dining, "lines": lines, "payments": payments}
    return ok(node, "/api/orders", body, 201)


def drawer(node: Node, kind: str, amount: int, pin: str, reason: str = "") -> None:
    body = {"id": str(uuid.uuid4()), "kind": kind, "register": "register-1", "amount": amount, "pin": pin, "reason": reason}
    ok(node, "/api/drawer", body, 201)


def test_the_day_closes_on_the_store_and_hq_shows_the_same_figures(store_and_hq):
    hq, sales_node, manager_node = store_and_hq
    ok(sales_node, "/api/shifts/start", {"pin": CASHIER_PIN})
    drawer(sales_node, "open", 10000, CASHIER_PIN)
    orders = {
        "A": place(sales_node, "eat_in", [{"sku": "GYUDON", "qty": 1, "modifiers": ["size_nami"]}, {"sku": "BEER", "qty": 1}],
                   [{"method": "cash", "amount": 2000}]),
        "B": place(sales_node, "take_out", [{"sku": "HAMBURGER", "qty": 2}, {"sku": "FRIES", "qty": 1}],
                   [{"method": "card", "amount": 300, "reference": "T-0001"}, {"method": "cash", "amount": 500}]),
        "C": place(sales_node, "eat_in", [{"sku": "CURRY", "qty": 1, "modifiers": ["size_nami"]}, {"sku": "HIGHBALL", "qty": 1}],
                   [{"method": "qr", "amount": 980, "reference": "QR-9"}]),
        "D": place(sales_node, "take_out", [{"sku": "KARAAGE", "qty": 1}, {"sku": "COLA", "qty": 1, "modifiers": ["drink_s"]}],
                   [{"method": "card", "amount": 470, "offline": True}]),
        "E": place(sales_node, "eat_in", [{"sku": "TERIYAKI", "qty": 1}, {"sku": "COLA", "qty": 1, "modifiers": ["drink_m"]}],
                   [{"method": "cash", "amount": 1000}]),
    }
    # The manager works on the other sibling, once the sales have reached it.
    wait_for("the sales on the manager's node", lambda: all(
        manager_node.request("GET", f"/api/orders/{o['id']}")[0] == 200 for o in orders.values()))
    ok(manager_node, "/api/shifts/start", {"pin": MANAGER_PIN})
    ok(manager_node, f"/api/orders/{orders['C']['id']}/void", {"manager_pin": MANAGER_PIN, "reason": "wrong order"})
    ok(manager_node, f"/api/orders/{orders['E']['id']}/refunds", {
        "id": str(uuid.uuid4()), "manager_pin": MANAGER_PIN, "reason": "cola spilled",
        "lines": [{"position": 1, "qty": 1}], "method": "cash"}, 201)
    drawer(manager_node, "paid_out", 500, MANAGER_PIN, "ice from the shop next door")
    day = orders["A"]["business_date"]

    # The cashier's node closes the day once the manager's changes reached it.
    wait_for("the manager's changes on the cashier's node", lambda: figures(
        sales_node.get(f"/api/reports/x?business_date={day}"))["refunds"]["count"] == 1
        and sales_node.get(f"/api/reports/x?business_date={day}")["drawer"][0]["paid_out"] == 500)
    drawer(sales_node, "count", 11230, CASHIER_PIN)
    assert figures(sales_node.get(f"/api/reports/x?business_date={day}")) == HAND
    z = ok(sales_node, "/api/reports/z", {"manager_pin": MANAGER_PIN, "business_date": day}, 201)
    assert figures(z["report"]) == HAND

    def hq_report():
        report = hq.get(f"/api/reports/sales?business_date={day}&store=S001")
        return report if figures(report) == HAND else None

    wait_for("HQ's report to equal the store's", hq_report, timeout=60)
    store_report = sales_node.get(f"/api/reports/sales?business_date={day}")
    assert figures(hq.get(f"/api/reports/sales?business_date={day}&store=S001")) == figures(store_report)
    at_hq = wait_for("the Z at HQ", lambda: hq.get(f"/api/reports/z?store=S001&business_date={day}"))
    assert [(zr["number"], figures(zr["report"])) for zr in at_hq] == [(z["number"], HAND)]
    # HQ verifies the store's hash chains on what it received.
    assert "journal intact" in hq.manage("verify_journal")  # exits non-zero (manage raises) on a broken chain
