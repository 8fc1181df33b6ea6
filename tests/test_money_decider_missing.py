"""A manager refunds a sale on a node that holds it while the store's decider
does not yet (sold on a third node whose changes are still on their way): the
refund is not refused as "no order"; the decider is asked again for a moment,
then this node decides."""

from __future__ import annotations

import uuid

import pytest

from registers import money_decide
from sync import coordinator
from tests.personas import order_body

pytestmark = [pytest.mark.django_db]

DECIDER = "http://127.0.0.1:9"


@pytest.fixture
def decider(monkeypatch):
    """A decider sibling whose answers the test sets: it lacks the order until told otherwise."""
    asked: list[str] = []
    holds: list[bool] = []  # the decider's answers to come: False "no order", True it decides (here, in process)

    def ask(url, op, args, *, timeout=None):
        if op != money_decide.REFUND:  # the PIN budget: as the decider would
            return coordinator.run_here(op, args)
        asked.append(op)
        if holds and holds.pop(0):
            return coordinator.run_here(op, args)
        return 404, {"detail": f"no order {args['order_id']}"}

    monkeypatch.setattr(coordinator, "decider_url", lambda: DECIDER)
    monkeypatch.setattr(coordinator, "ask", ask)
    monkeypatch.setattr(money_decide, "MISSING_WAIT_S", 0.3)
    monkeypatch.setattr(money_decide, "MISSING_POLL_S", 0.05)
    return asked, holds


def _sale(client) -> dict:
    response = client.post("/api/orders", order_body(), content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()


def _refund(client, order_id: str):
    body = {"id": str(uuid.uuid4()), "manager_pin": "9999", "reason": "返品"}
    return client.post(f"/api/orders/{order_id}/refunds", body, content_type="application/json")


def test_a_decider_that_never_gets_the_sale_in_time_leaves_the_refund_to_this_node(register_client, decider):
    asked, _ = decider
    order = _sale(register_client)
    response = _refund(register_client, order["id"])
    assert response.status_code == 201, response.content
    assert len(asked) >= 2  # asked again before deciding here
    assert register_client.get(f"/api/orders/{order['id']}").json()["refunded"] == order["total"]


def test_a_decider_that_gets_the_sale_meanwhile_decides(register_client, decider):
    asked, holds = decider
    order = _sale(register_client)
    holds += [False, True]
    response = _refund(register_client, order["id"])
    assert response.status_code == 201, response.content
    assert asked == [money_decide.REFUND, money_decide.REFUND]  # the second answer stands: not decided here too
    assert register_client.get(f"/api/orders/{order['id']}").json()["refunded"] == order["total"]


def test_an_order_nobody_holds_is_still_not_found_at_once(register_client, decider):
    asked, _ = decider
    response = _refund(register_client, str(uuid.uuid4()))
    assert response.status_code == 404
    assert len(asked) == 1  # this node does not hold it either: the decider's answer stands, not asked again
