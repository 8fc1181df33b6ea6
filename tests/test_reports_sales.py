"""GET /api/reports/sales: the design's contract, at the store and at HQ (``&store=``)."""

from __future__ import annotations

import pytest
from django.test import override_settings

from tests.money import MANAGER_PIN, place, post, forget_pin_failures  # noqa: F401  (autouse)
from tests.personas import HAND_RECEIPT, order_body

pytestmark = pytest.mark.django_db


def test_sales_has_the_contracts_fields(register_client):
    sale = post(register_client, "/api/orders", order_body()).json()
    report = register_client.get(f"/api/reports/sales?business_date={sale['business_date']}").json()
    assert report["orders"] == 1
    assert report["total"] == HAND_RECEIPT["total"]
    assert report["taxes"] == HAND_RECEIPT["taxes"]
    assert report["tenders"]["cash"] == {"count": 1, "amount": 2116}
    assert report["voids"]["count"] == 0


def test_a_day_without_sales_is_zero_not_an_error(register_client):
    report = register_client.get("/api/reports/sales?business_date=2020-01-01").json()
    assert (report["orders"], report["total"], report["taxes"], report["drawer"]) == (0, 0, [], [])


def test_hq_reads_one_stores_sales(register_client):
    sale = place(register_client, "eat_in", [{"sku": "BEER", "qty": 2}], [{"method": "card", "amount": 1100}])
    post(register_client, f"/api/orders/{sale['id']}/void", {"manager_pin": MANAGER_PIN, "reason": "x"})
    with override_settings(POS_ROLE="hq"):
        day = sale["business_date"]
        report = register_client.get(f"/api/reports/sales?business_date={day}&store=S001").json()
        assert report["store"] == "S001" and report["voids"] == {
            "count": 1, "amount": 1100, "items": [{"order": sale["id"], "number": sale["number"], "total": 1100,
                                                   "staff": "佐藤 健", "reason": "x"}]}
        assert register_client.get(f"/api/reports/sales?business_date={day}").status_code == 422
        assert register_client.get(f"/api/reports/sales?business_date={day}&store=NOPE").status_code == 404


def test_hq_does_not_close_a_stores_day(register_client):
    with override_settings(POS_ROLE="hq"):
        response = post(register_client, "/api/reports/z", {"manager_pin": MANAGER_PIN})
        assert response.status_code == 422 and "replication" in response.json()["detail"]


def test_a_sale_recorded_while_the_report_reads_is_left_for_the_next_read(register_client, monkeypatch):
    # At HQ a store's upload commits between the report's statements: the new
    # sale's payment is read, its order was not. The report counts what it read
    # (and answers 200, not a 500), and the next read counts the new sale too.
    from registers import reports

    sale = post(register_client, "/api/orders", order_body()).json()
    real = reports.OrderVoid.objects.filter
    arriving = []

    def between(*args, **kwargs):
        if not arriving:
            arriving.append("placing")  # the placement reads OrderVoid too
            arriving[0] = post(register_client, "/api/orders", order_body()).json()
        return real(*args, **kwargs)

    monkeypatch.setattr(reports.OrderVoid.objects, "filter", between)
    response = register_client.get(f"/api/reports/sales?business_date={sale['business_date']}")
    assert response.status_code == 200
    assert (response.json()["orders"], response.json()["tenders"]["cash"]["amount"]) == (1, 2116)
    monkeypatch.undo()
    report = register_client.get(f"/api/reports/sales?business_date={sale['business_date']}").json()
    assert arriving and (report["orders"], report["tenders"]["cash"]["amount"]) == (2, 4232)
