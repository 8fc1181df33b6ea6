"""A lane wraps after 999 numbers: the 1,000th order of a busy day calls
No. 10001 again. Only live orders must not share a number, so a number whose
first holder was handed over (or voided) long ago is called again as it is,
and nothing is renumbered; a holder still in the kitchen keeps the guard."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from kitchen import services as kitchen_services
from kitchen.models import Ticket
from registers import voids
from registers.models import Order
from registers.renumber import orders_renumber
from stores.models import TicketCounter
from stores.numbers import lane_range
from stores.services import node_lane
from sync.models import Change
from tests.personas import order_body

pytestmark = [pytest.mark.django_db]


def _place(client, **overrides) -> dict:
    response = client.post("/api/orders", order_body(**overrides), content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()


def _hand_over(order_id: str) -> None:
    for ticket in Ticket.objects.filter(order_id=order_id):
        kitchen_services.ticket_bump(ticket_id=ticket.id)
    assert kitchen_services.order_serve(order_id=order_id) is True


def test_a_register_wrapping_to_a_handed_over_number_keeps_it_and_nothing_is_renumbered(register_client):
    first = _place(register_client, number=10001)
    _hand_over(first["id"])
    again = _place(register_client, number=10001)  # register-1's block came round
    assert again["number"] == 10001
    day = dt.date.fromisoformat(again["business_date"])
    assert orders_renumber(store="S001", day=day) == []
    assert Change.objects.filter(kind="order.renumbered").count() == 0
    # While the second No. 10001 is still cooking, a third is not called as 10001.
    third = _place(register_client, number=10001)
    assert third["number"] not in (10001, first["number"])


def test_a_voided_holder_frees_its_number_too(register_client):
    first = _place(register_client, number=10002)
    voids.order_void(order_id=first["id"], manager_pin="9999", reason="お客様都合")
    assert Order.objects.get(pk=first["id"]).status == "voided"
    assert _place(register_client, number=10002)["number"] == 10002


def test_the_nodes_own_lane_wraps_past_999_without_renumbering(register_client):
    first = _place(register_client)  # no register number: the node's lane numbers it
    _hand_over(first["id"])
    day = dt.date.fromisoformat(first["business_date"])
    low, _ = lane_range(node_lane())
    TicketCounter.objects.filter(store="S001", business_date=day, lane=node_lane()).update(count=999)
    wrapped = _place(register_client)
    assert wrapped["number"] == low == first["number"]
    assert orders_renumber(store="S001", day=day) == []


def test_the_node_passes_over_numbers_live_orders_already_hold(register_client):
    # Orders moved in from a closed day hold the lane's next numbers while they
    # cook (the day's counter knew nothing of them): the node calls the next free one.
    first, second = _place(register_client), _place(register_client)
    day = dt.date.fromisoformat(first["business_date"])
    low, _ = lane_range(node_lane())
    assert [first["number"], second["number"]] == [low, low + 1]
    TicketCounter.objects.filter(store="S001", business_date=day, lane=node_lane()).update(count=0)
    assert _place(register_client)["number"] == low + 2
    assert orders_renumber(store="S001", day=day) == []


def test_a_lane_full_of_live_orders_is_not_renumbered_round_and_round(register_client, monkeypatch):
    # 999 orders of one lane still cooking (a store that never hands over):
    # every new number clashes again. A renumbering would set off the next
    # one, for ever (the replication bench recorded 64,015 for 1,000 orders);
    # the clash is left as it is instead.
    from registers import renumber

    first, second = _place(register_client), _place(register_client)
    Order.objects.filter(pk=second["id"]).update(number=first["number"])  # met on merge
    day = dt.date.fromisoformat(first["business_date"])
    monkeypatch.setattr(renumber, "numbers_held", lambda *, store, day, numbers: set(numbers))
    assert orders_renumber(store="S001", day=day) == []
    assert Change.objects.filter(kind="order.renumbered").count() == 0
    monkeypatch.undo()  # a number comes free: the clash is resolved once the lane is looked at again
    assert orders_renumber(store="S001", day=day) == []
    now = renumber._now()
    monkeypatch.setattr(renumber, "_now", lambda: now + renumber.LANE_FULL_SECONDS + 1)
    [event] = orders_renumber(store="S001", day=day)
    assert event.order == uuid.UUID(second["id"]) and event.number != first["number"]


def test_a_full_lane_is_not_walked_again_by_every_sale(register_client, monkeypatch):
    # Past the 999th order of a store that never hands over, each sale walked
    # eight rounds of the lane under the counter's lock, burning numbers, and
    # set off a renumbering that found nothing to give: a quarter of the speed.
    from registers import renumber

    first = _place(register_client)
    day = dt.date.fromisoformat(first["business_date"])
    monkeypatch.setattr(renumber, "numbers_held", lambda *, store, day, numbers: set(numbers))

    def counted() -> int:
        return TicketCounter.objects.get(store="S001", business_date=day, lane=node_lane()).count

    before = counted()
    _place(register_client)  # finds the lane full: looks eight rounds, then calls a held number
    assert counted() == before + renumber._SKIP_ROUNDS + 1
    for expected in range(1, 4):
        _place(register_client)
        assert counted() == before + renumber._SKIP_ROUNDS + 1 + expected
    assert Change.objects.filter(kind="order.renumbered").count() == 0


def test_a_clash_left_standing_is_resolved_by_the_sweep(register_client):
    # The node was killed between the commit that made the clash and its
    # renumbering (or the renumbering failed): no later batch looks at that
    # number again, so the minute's sweep does.
    from registers.renumber import clashes_sweep

    first, second = _place(register_client), _place(register_client)
    Order.objects.filter(pk=second["id"]).update(number=first["number"])
    clashes_sweep()
    [renumbered] = Change.objects.filter(kind="order.renumbered")
    assert renumbered.payload["order"] == second["id"] and renumbered.payload["was"] == first["number"]
    assert Order.objects.get(pk=second["id"]).number != first["number"]
    clashes_sweep()  # nothing left: nothing more recorded
    assert Change.objects.filter(kind="order.renumbered").count() == 1
