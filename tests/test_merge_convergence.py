"""Convergence through the real apply engine and projectors: random events on
three nodes, delivered in random batches and order, with duplicates, gaps and
partitions; every delivery ends in the same orders, payments and tickets."""

from __future__ import annotations

from collections.abc import Callable

import uuid
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kitchen.models import Ticket
from registers.models import Order, Payment
from sync.clock import pack
from sync.models import ParkedChange
from sync.replication import changes_apply, vector
from sync.services import node_state_get
from tests.replication_fixtures import RemoteOrigin, paid, placed, ticket_event

ORIGINS = ["node-a.1", "node-b.1", "node-c.1"]
BASE_MS = 1_700_000_000_000


class Rollback(Exception):
    pass


@st.composite
def histories(draw) -> dict[str, list[dict[str, Any]]]:
    """Per origin, its changes in seq order: orders placed (some on two nodes during a
    partition), paid and worked in the kitchen on any node."""
    events: list[tuple[int, str, str, dict[str, Any]]] = []  # (time, origin, kind, payload)
    for k in range(draw(st.integers(1, 3))):
        order_id = uuid.UUID(int=k + 1)
        t = draw(st.integers(0, 50))
        home = draw(st.sampled_from(ORIGINS))
        events.append((t, home, "order.placed", placed(order_id, number=100 * (k + 1) + ORIGINS.index(home))))
        if draw(st.booleans()):  # the same client order also sent to another node while cut off
            other = draw(st.sampled_from([o for o in ORIGINS if o != home]))
            events.append((t + draw(st.integers(-3, 3)), other, "order.placed", placed(order_id, number=100 * (k + 1) + ORIGINS.index(other))))
        if draw(st.booleans()):
            events.append((t + 1, draw(st.sampled_from(ORIGINS)), "order.paid", paid(order_id)))
        for step in range(draw(st.integers(0, 3))):
            kind = draw(st.sampled_from(["ticket.acked", "ticket.bumped", "ticket.recalled"]))
            at = f"2026-11-23T12:0{step + 1}:{draw(st.integers(10, 59))}+00:00"
            events.append((t + 2 + step + draw(st.integers(0, 5)), draw(st.sampled_from(ORIGINS)), kind, ticket_event(order_id, at=at)))
    streams: dict[str, list[dict[str, Any]]] = {}
    for origin in ORIGINS:
        remote = RemoteOrigin(origin)
        mine = sorted((e for e in events if e[1] == origin), key=lambda e: e[0])
        streams[origin] = [
            remote.change(kind, payload, hlc=pack(BASE_MS + t * 10 + i, ORIGINS.index(origin)))
            for i, (t, _, kind, payload) in enumerate(mine)
        ]
    return streams


def snapshot() -> dict[str, Any]:
    return {
        "orders": sorted(Order.objects.values_list(
            "id", "number", "status", "total", "paid", "change_given", "kitchen_received_at", "ready_at", "origin")),
        "lines": sorted(Order.objects.values_list("id", "lines__sku", "lines__qty")),
        "payments": sorted(Payment.objects.values_list("id", "order_id", "amount")),
        "tickets": sorted(Ticket.objects.values_list("id", "number", "status", "acked_at", "bumped_at")),
        "parked": ParkedChange.objects.count(),
        "vector": {o: s for o, s in vector().items() if o in ORIGINS},
    }


def apply_all(batches: list[list[dict[str, Any]]], state: Callable[[], dict[str, Any]] | None = None) -> dict[str, Any]:
    """Apply the batches in a transaction that is rolled back, and say what state they left (``state``, by default ``snapshot``)."""
    try:
        with transaction.atomic():
            for batch in batches:
                changes_apply(wires=batch, peer_store="S001")
            result = (state or snapshot)()
            raise Rollback
    except Rollback:
        return result


@st.composite
def deliveries(draw, streams: dict[str, list[dict[str, Any]]], most: int = 12) -> list[list[dict[str, Any]]]:
    """Random batches: slices of any origin's stream, from any point (so some repeat
    what was delivered, some start past a gap), mixed across origins; then the
    anti-entropy pass that delivers everything."""
    batches = []
    for _ in range(draw(st.integers(0, most))):
        batch = []
        for origin in draw(st.lists(st.sampled_from(sorted(streams)), max_size=3, unique=True)):
            stream = streams[origin]
            if stream:
                start = draw(st.integers(0, len(stream) - 1))
                batch += stream[start: start + draw(st.integers(1, len(stream)))]
        batches.append(draw(st.permutations(batch)))
    final = [c for origin in draw(st.permutations(sorted(streams))) for c in streams[origin]]
    return batches + [final]


@pytest.mark.django_db
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_every_delivery_order_ends_in_the_same_state(demo, data):
    node_state_get()
    streams = data.draw(histories())
    everything = sorted((c for s in streams.values() for c in s), key=lambda c: c["hlc"])
    reference = apply_all([everything, everything])
    assert reference["parked"] == 0
    assert reference["vector"] == {o: len(s) for o, s in streams.items() if s}
    for _ in range(2):
        assert apply_all(data.draw(deliveries(streams))) == reference
