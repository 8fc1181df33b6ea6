"""Which node decides for the store: the lowest name among this node and the siblings that answer."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from sync import coordinator, peers
from tests.nodes import free_port

A, B = f"http://127.0.0.1:{free_port()}", f"http://127.0.0.1:{free_port()}"


@pytest.fixture(autouse=True)
def clean():
    coordinator.forget()
    with peers._lock:
        saved = dict(peers._status)
        peers._status.clear()
    yield
    coordinator.forget()
    with peers._lock:
        peers._status.clear()
        peers._status.update(saved)


def sibling(url: str, name: str, state: str = "up", age_s: float = 0.0) -> None:
    status = peers.status_for(url, "sibling")
    status.node, status.state = name, state
    status.last_contact = timezone.now() - timedelta(seconds=age_s)


@override_settings(POS_NODE="node2", POS_PEERS=[A, B])
def test_the_lowest_live_name_decides():
    sibling(A, "node3")
    sibling(B, "node1")
    assert coordinator.decider_url() == B


@override_settings(POS_NODE="node1", POS_PEERS=[A])
def test_the_lowest_name_decides_for_itself():
    sibling(A, "node2")
    assert coordinator.decider_url() is None


@override_settings(POS_NODE="node2", POS_PEERS=[A, B])
def test_a_sibling_that_is_down_or_silent_is_passed_over():
    sibling(A, "node0", state="down")
    sibling(B, "node1", age_s=60)  # "up" long ago; asked, it does not answer (nothing listens there)
    assert coordinator.decider_url() is None


@override_settings(POS_NODE="node2", POS_PEERS=[A])
def test_a_decider_that_failed_a_forward_is_passed_over_for_a_while():
    sibling(A, "node1")
    assert coordinator.decider_url() == A
    decision = coordinator.decide(coordinator.HELLO, {})  # nothing listens at A: decided here
    assert decision.url is None and decision.body == {"node": "node2"}
    assert coordinator.decider_url() is None


@override_settings(POS_NODE="node2", POS_PEERS=[A], POS_ROLE="hq")
def test_hq_always_decides_for_itself():
    sibling(A, "node1")
    assert coordinator.decider_url() is None


def test_an_unknown_operation_is_refused():
    with pytest.raises(coordinator.UnknownOperation):
        coordinator.run_here("nothing.here", {})
