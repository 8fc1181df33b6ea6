"""A manager sees money that two cut-off nodes both took: on the order, in the X
report, in the day's conflict list, and once as a push alert on the phone."""

from __future__ import annotations

import uuid

import pytest
from django.core.management import call_command

from hq.alerts import alerts_check
from stores.models import Store
from sync.replication import changes_apply
from sync.services import node_state_get
from tests.push_endpoint import PushEndpoint
from tests.replication_fixtures import RemoteOrigin, placed
from tests.test_money_convergence import ORDER, PRICE, pay, refund

pytestmark = pytest.mark.django_db


@pytest.fixture
def vapid(settings, tmp_path):
    settings.POS_DATA_DIR = tmp_path
    call_command("vapid_keys", stdout=__import__("io").StringIO())


def _today() -> str:
    from registers.reports import today

    return today(Store.objects.get(code="S001")).isoformat()


def _paid_twice() -> None:
    """Node a sells and takes cash; node b, cut off, takes a card for the same order; then one refund on each."""
    node_state_get()
    a, b = RemoteOrigin("node-a.1"), RemoteOrigin("node-b.1")
    sale = {**placed(ORDER, number=101, price=PRICE), "business_date": _today()}
    changes_apply(wires=[a.change("order.placed", sale),
                         a.change("order.paid", pay(method="cash", tendered=1000, batch=uuid.UUID(int=1)))],
                  peer_store="S001")
    changes_apply(wires=[b.change("order.paid", pay(method="card", batch=uuid.UUID(int=2), minute=3))], peer_store="S001")


def test_the_order_and_the_reports_show_what_was_paid_twice(register_client):
    _paid_twice()
    order = register_client.get(f"/api/orders/{ORDER}").json()
    assert order["paid"] == 2 * PRICE and order["refunded"] == 0
    assert [(c["kind"], c["nodes"]) for c in order["conflicts"]] == [("double_payment", ["node-a", "node-b"])]
    listed = register_client.get("/api/orders").json()["items"]
    assert listed[0]["conflicts"] == order["conflicts"]
    day = register_client.get("/api/conflicts", headers={"Accept-Language": "ja"}).json()
    assert [(c["number"], c["kind"], c["label"]) for c in day] == [(101, "double_payment", "二重支払い")]
    x = register_client.get("/api/reports/x").json()
    assert [c["kind"] for c in x["conflicts"]] == ["double_payment"]
    assert x["tenders"]["cash"]["amount"] == PRICE and x["tenders"]["card"]["amount"] == PRICE
    z = register_client.post("/api/reports/z", {"manager_pin": "9999"}, content_type="application/json")
    assert z.status_code == 201, z.content
    assert [c["kind"] for c in z.json()["conflicts"]] == ["double_payment"]
    assert "conflicts" not in z.json()["report"]  # the stored Z keeps the payload shape old nodes read
    sales = register_client.get("/api/reports/sales").json()
    assert [c["number"] for c in sales["conflicts"]] == [101]


def test_refunds_show_on_the_order(register_client):
    _paid_twice()
    changes_apply(wires=[RemoteOrigin("node-c.1").change("order.refunded", {**refund(uuid.UUID(int=9)), "business_date": _today()})],
                  peer_store="S001")
    order = register_client.get(f"/api/orders/{ORDER}").json()
    assert order["refunded"] == PRICE


def test_a_new_order_has_no_conflicts_and_nothing_refunded(register_client):
    from tests.personas import order_body

    order = register_client.post("/api/orders", order_body(), content_type="application/json").json()
    assert order["refunded"] == 0 and order["conflicts"] == []


def test_the_manager_is_alerted_once_in_their_language(vapid, register_client):
    with PushEndpoint() as phone:
        register_client.post("/api/push/subscriptions", {"subscription": phone.subscription, "language": "en"},
                             content_type="application/json")
        _paid_twice()
        alerts_check()
        [message] = [m for m in phone.wait_for(1) if m["data"]["kind"] == "money_conflict"]
        assert message["title"] == "Store S001: order No. 101: Paid twice"
        assert "node-a, node-b" in message["body"]
        alerts_check()
        assert sum(1 for m in phone.messages if m["data"]["kind"] == "money_conflict") == 1
