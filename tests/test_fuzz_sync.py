"""The sync endpoints fed malformed, replayed, reordered and oversized batches,
signed with the store's key so the handler logic is reached: each is refused
with a 4xx or is harmless, never a 500, and nothing already held is corrupted."""

from __future__ import annotations

import json
import random
import uuid
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from registers.models import Order, Payment
from sync.api import MAX_BATCH
from sync.models import Change
from sync.replication import vector
from tests.replication_fixtures import RemoteOrigin, paid, placed, signed_post, ticket_event

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)


def push(client, changes: Any, vector_: Any = None):
    response, _ = signed_post(client, "/api/sync/push", {"changes": changes, "vector": vector_ or {}})
    return response


def state() -> tuple:
    """Everything a bad batch must not touch."""
    return (
        Change.objects.count(),
        sorted(Order.objects.values_list("id", "number", "total", "status")),
        Payment.objects.count(),
        vector(),
    )


def good_order(origin: RemoteOrigin, number: int) -> list[dict[str, Any]]:
    order_id = uuid.uuid4()
    return [origin.change("order.placed", placed(order_id, number=number)), origin.change("order.paid", paid(order_id))]


@FUZZ
@given(changes=json_values)
def test_any_json_as_the_changes_field_is_refused_or_harmless(client, demo, changes):
    before = state()
    response = push(client, changes)
    assert response.status_code < 500, response.content
    if response.status_code != 200:
        assert state() == before


@FUZZ
@given(field=st.sampled_from(["id", "origin", "seq", "store", "kind", "hlc", "payload"]), value=json_values)
@example(field="origin", value="node\x00a")  # PostgreSQL refuses NUL in text
@example(field="kind", value="order.placed\x00")
@example(field="payload", value={"id": "\x00"})
@example(field="seq", value=2**63)
def test_a_change_with_one_field_replaced_by_junk_is_refused_or_harmless(client, demo, field, value):
    change = RemoteOrigin(f"fuzz-{uuid.uuid4().hex[:8]}").change("order.placed", placed(uuid.uuid4(), number=1001))
    change[field] = value
    before = state()
    response = push(client, [change])
    assert response.status_code < 500, response.content
    if response.status_code != 200:
        assert state() == before


@FUZZ
@given(payload=st.dictionaries(st.sampled_from(["id", "order", "number", "lines", "payments", "total", "ticket", "at"]),
                               json_values, max_size=6),
       kind=st.sampled_from(["order.placed", "order.paid", "order.voided", "ticket.bumped", "ticket.acked", "no.such.kind"]))
def test_a_well_formed_change_with_a_junk_payload_never_breaks_the_node(client, demo, payload, kind):
    origin = RemoteOrigin(f"fuzz-{uuid.uuid4().hex[:8]}")
    response = push(client, [origin.change(kind, payload)])
    assert response.status_code < 500, response.content
    # The node still takes and projects good changes afterwards.
    good = push(client, good_order(origin, 1001))
    assert good.status_code in (200, 422), good.content


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-32"])
@pytest.mark.parametrize("where", ["a note", "a key", "a line"])
def test_a_nul_in_a_payload_is_refused_in_any_encoding_of_the_body(client, demo, encoding, where):
    """A NUL anywhere in a payload is refused (PostgreSQL cannot store it), in a
    body of any encoding JSON allows. A body that cannot hold one skips the
    search (sync.replication.body_nul_free); UTF-16 and UTF-32 bodies must not."""
    origin = RemoteOrigin(f"nul-{uuid.uuid4().hex[:8]}")
    payload = placed(uuid.uuid4(), number=1001)
    if where == "a note":
        payload["note"] = "no\x00te"
    elif where == "a key":
        payload["extra\x00"] = 1
    else:
        payload["lines"][0]["name_ja"] = "牛丼\x00"
    before = state()
    response, _ = signed_post(client, "/api/sync/push", {"changes": [origin.change("order.placed", payload)], "vector": {}},
                              encoding=encoding)
    assert response.status_code == 422 and "NUL" in response.json()["detail"], response.content
    assert state() == before
    # The same sale without the NUL, in the same encoding, is taken.
    fresh = RemoteOrigin(f"nul-{uuid.uuid4().hex[:8]}")
    clean, _ = signed_post(client, "/api/sync/push", {"changes": [fresh.change("order.placed", placed(uuid.uuid4(), number=1002))],
                                                      "vector": {}}, encoding=encoding)
    assert clean.status_code == 200 and clean.json()["applied"] == 1, clean.content


def test_a_replayed_batch_and_a_replayed_signed_request_change_nothing(client, demo):
    a = RemoteOrigin("node-a.1")
    batch = good_order(a, 1001) + good_order(a, 1002)
    raw = json.dumps({"changes": batch, "vector": {}}).encode()
    first, signed = signed_post(client, "/api/sync/push", {"changes": batch, "vector": {}})
    assert first.status_code == 200 and first.json()["applied"] == 4
    after_first = state()
    headers = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in signed.headers().items()}
    again = client.post("/api/sync/push", data=raw, content_type="application/json", **headers)  # byte-for-byte replay
    assert again.status_code == 200 and again.json()["applied"] == 0
    assert push(client, batch[::-1] + batch).json()["applied"] == 0
    assert state() == after_first


def test_reordered_and_split_batches_end_in_the_same_state_as_in_order_delivery(client, demo):
    rng = random.Random(20261123)
    a, b = RemoteOrigin("node-a.1"), RemoteOrigin("node-b.1")
    changes = []
    for i in range(15):
        order_id = uuid.uuid4()
        changes.append(a.change("order.placed", placed(order_id, number=1001 + i)))
        changes.append(b.change("order.paid", paid(order_id)))  # a payment taken on another node
        changes.append(b.change("ticket.acked", ticket_event(order_id)))
    shuffled = changes[:]
    for _ in range(40):  # bounded: each round delivers random slices in random order, with duplicates
        rng.shuffle(shuffled)
        cut = rng.randint(1, len(shuffled))
        response = push(client, shuffled[:cut] + shuffled[: rng.randint(0, 3)])
        assert response.status_code == 200, response.content
        if vector().get("node-a.1") == a.seq and vector().get("node-b.1") == b.seq:
            break
    assert (vector()["node-a.1"], vector()["node-b.1"]) == (a.seq, b.seq)
    orders = Order.objects.filter(number__gte=1001, number__lte=1015)
    assert orders.count() == 15 and all(o.paid == o.total == 250 for o in orders)
    assert Change.objects.filter(origin__in=["node-a.1", "node-b.1"]).count() == len(changes)


def test_an_oversized_batch_is_refused_whole(client, demo):
    a = RemoteOrigin("node-a.1")
    before = state()
    too_many = [a.change("order.placed", placed(uuid.uuid4(), number=1001)) for _ in range(MAX_BATCH + 1)]
    response = push(client, too_many)
    assert response.status_code in (413, 422) and "detail" in response.json()
    assert state() == before


def test_a_body_past_the_size_limit_is_a_413_and_records_nothing(client, demo, settings):
    a = RemoteOrigin("node-a.1")
    huge = placed(uuid.uuid4(), number=1001)
    huge["note"] = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    before = state()
    response = push(client, [a.change("order.placed", huge)])
    assert response.status_code == 413
    assert state() == before


def test_a_pull_with_a_junk_vector_or_limit_is_a_clear_4xx(client, demo):
    for body in ({"vector": []}, {"vector": {"x": "1"}}, {"vector": {}, "limit": 0}, {"vector": {}, "limit": "9"},
                 {"vector": {}, "limit": MAX_BATCH + 1}, {"vector": {"x": True}}):
        response, _ = signed_post(client, "/api/sync/pull", body)
        assert 400 <= response.status_code < 500 and response.json()["detail"], (body, response.content)
