"""Applying a sibling's changes: idempotent, gap-free per origin, order-independent, store-bound."""

from __future__ import annotations

import time
import uuid

import pytest

from kitchen.models import Ticket
from registers.models import Order, Payment
from sync.clock import MAX_DRIFT_MS, pack
from sync.models import Change, ParkedChange
from sync.replication import changes_after, vector
from sync.services import node_state_get
from tests.replication_fixtures import RemoteOrigin, paid, placed, signed_post, ticket_event


def push(client, changes, **kw):
    response, _ = signed_post(client, "/api/sync/push", {"changes": changes, "vector": {}}, **kw)
    return response


def test_a_pushed_order_appears_with_its_payment_and_ticket(client, demo):
    a = RemoteOrigin("node-a.1")
    order_id = uuid.uuid4()
    response = push(client, [a.change("order.placed", placed(order_id, number=1001)), a.change("order.paid", paid(order_id))])
    assert response.status_code == 200, response.content
    order = Order.objects.get(pk=order_id)
    assert (order.number, order.total, order.paid) == (1001, 250, 250)
    assert Ticket.objects.filter(order=order, station="fryer").count() == 1
    assert response.json()["vector"]["node-a.1"] == 2


def test_pushing_the_same_changes_twice_records_them_once(client, demo):
    a = RemoteOrigin("node-a.1")
    order_id = uuid.uuid4()
    batch = [a.change("order.placed", placed(order_id, number=1001)), a.change("order.paid", paid(order_id))]
    push(client, batch)
    second = push(client, batch + batch).json()
    assert second["applied"] == 0 and second["skipped"] == 4
    assert Change.objects.filter(origin="node-a.1").count() == 2
    assert Order.objects.filter(pk=order_id).count() == 1 and Payment.objects.filter(order_id=order_id).count() == 1


def test_a_batch_starting_past_the_vector_waits_for_the_gap(client, demo):
    a = RemoteOrigin("node-a.1")
    first = a.change("order.placed", placed(uuid.uuid4(), number=1001))
    later_id = uuid.uuid4()
    second = a.change("order.placed", placed(later_id, number=1002))
    answer = push(client, [second]).json()
    assert "gap" in answer["held_back"]["node-a.1"]
    assert not Order.objects.filter(pk=later_id).exists() and vector().get("node-a.1", 0) == 0
    push(client, [first, second])
    assert Order.objects.filter(pk=later_id).exists() and vector()["node-a.1"] == 2


def test_a_payment_from_a_third_node_waits_for_its_order(client, demo):
    a, b = RemoteOrigin("node-a.1"), RemoteOrigin("node-b.1")
    order_id = uuid.uuid4()
    early = [b.change("order.paid", paid(order_id)), b.change("ticket.acked", ticket_event(order_id)),
             b.change("ticket.bumped", ticket_event(order_id))]
    answer = push(client, early).json()
    assert answer["parked"] == 3 and ParkedChange.objects.count() == 3
    push(client, [a.change("order.placed", placed(order_id, number=1001))])
    order = Order.objects.get(pk=order_id)
    assert order.paid == 250 and order.status == "ready" and order.kitchen_received_at is not None
    assert ParkedChange.objects.count() == 0


def test_the_same_client_order_placed_on_two_nodes_is_one_order_with_the_earliest_number(client, demo):
    a, b = RemoteOrigin("node-a.1"), RemoteOrigin("node-b.1")
    order_id = uuid.uuid4()
    late = b.change("order.placed", placed(order_id, number=2001), hlc=pack(a.wall_ms + 500, 0))
    early = a.change("order.placed", placed(order_id, number=1001), hlc=pack(a.wall_ms, 0))
    push(client, [late])
    push(client, [early, a.change("order.paid", paid(order_id))])
    order = Order.objects.get(pk=order_id)
    assert order.number == 1001 and order.paid == 250 and order.lines.count() == 1
    assert set(Ticket.objects.filter(order=order).values_list("number", flat=True)) == {1001}


def test_it_refuses_another_stores_changes_and_records_none_of_the_batch(client, demo):
    a, other = RemoteOrigin("node-a.1"), RemoteOrigin("s002-a.1", store="S002")
    good = a.change("order.placed", placed(uuid.uuid4(), number=1001))
    response = push(client, [good, other.change("order.placed", placed(uuid.uuid4(), number=1))])
    assert response.status_code == 403 and "S001" in response.json()["detail"]
    assert not Change.objects.filter(origin__in=["node-a.1", "s002-a.1"]).exists()


def test_a_store_refuses_master_data_not_from_hq(client, demo):
    rogue = RemoteOrigin("node-a.1", store="*")
    change = rogue.change("master.upsert", {"model": "registers.MenuItem", "key": "FRIES", "fields": {"price": "1"}})
    response = push(client, [change])
    assert response.status_code == 403 and "HQ" in response.json()["detail"]


def test_a_clock_far_in_the_future_holds_that_origin_back(client, demo):
    a = RemoteOrigin("node-a.1")
    future = pack(int(time.time() * 1000) + MAX_DRIFT_MS * 10, 0)
    answer = push(client, [a.change("order.placed", placed(uuid.uuid4(), number=1001), hlc=future)]).json()
    assert "ahead" in answer["held_back"]["node-a.1"] and answer["applied"] == 0
    assert node_state_get().last_hlc < future


@pytest.mark.parametrize(
    "body, fragment",
    [({"changes": "nope"}, "list"), ({"changes": [{"id": "x"}]}, "change."), ({"vector": {"a": "b"}}, "vector")],
)
def test_malformed_batches_are_a_clear_422(client, demo, body, fragment):
    response, _ = signed_post(client, "/api/sync/push", body)
    assert response.status_code == 422 and fragment in response.json()["detail"]


def test_a_peer_holding_more_of_our_origin_makes_us_take_a_new_origin(client, demo, register_client):
    from tests.personas import order_body

    register_client.post("/api/orders", data=order_body(), content_type="application/json")
    state = node_state_get()
    ours = [c.as_wire() for c in Change.objects.filter(origin=state.origin).order_by("seq")]
    # Our database "restored from a backup": the peer has changes of our origin we lost.
    lost = RemoteOrigin(state.origin, seq=state.last_seq, digest=state.last_digest)
    lost_order = uuid.uuid4()
    answer = push(client, ours + [lost.change("order.placed", placed(lost_order, number=9))]).json()
    assert answer["applied"] == 1 and Order.objects.filter(pk=lost_order).exists()
    rotated = node_state_get()
    assert rotated.origin != state.origin and rotated.last_seq == 0
    assert vector()[state.origin] == state.last_seq + 1


def test_a_pull_returns_what_the_caller_lacks_in_batches(client, demo):
    a = RemoteOrigin("node-a.1")
    push(client, [a.change("order.placed", placed(uuid.uuid4(), number=1000 + i)) for i in range(5)])
    response, _ = signed_post(client, "/api/sync/pull", {"vector": {"node-a.1": 2}, "limit": 2})
    answer = response.json()
    assert [c["seq"] for c in answer["changes"]] == [3, 4] and answer["more"] is True
    assert [c.seq for c in changes_after({"node-a.1": 4}, stores={"S001", "*"}, limit=10)] == [5]
