"""When a sibling link pulls (the repair path): every ANTI_ENTROPY_S, postponed
while the sibling keeps pushing to us, never past PULL_POSTPONE_MAX_S."""

from __future__ import annotations

import time

from sync import peers


def _status(node: str, *, pulled_ago: float) -> peers.PeerStatus:
    status = peers.PeerStatus(f"http://{node}.invalid", "sibling", node=node)
    status.last_pull = time.monotonic() - pulled_ago
    return status


def test_it_pulls_once_the_interval_has_passed():
    assert peers.pull_due(_status("quiet-sibling", pulled_ago=peers.ANTI_ENTROPY_S + 0.1), time.monotonic())
    assert not peers.pull_due(_status("quiet-sibling", pulled_ago=0.0), time.monotonic())


def test_it_postpones_the_pull_while_the_sibling_pushes_to_us():
    peers.peer_heard("pushing-sibling", {"pushing-sibling.1": 3})
    assert not peers.pull_due(_status("pushing-sibling", pulled_ago=peers.ANTI_ENTROPY_S + 0.1), time.monotonic())


def test_it_pulls_anyway_after_the_longest_postponement():
    peers.peer_heard("busy-sibling", {"busy-sibling.1": 3})
    assert peers.pull_due(_status("busy-sibling", pulled_ago=peers.PULL_POSTPONE_MAX_S + 0.1), time.monotonic())


def test_it_pulls_again_once_the_sibling_stops_pushing():
    peers.peer_heard("stopped-sibling", {"stopped-sibling.1": 3})
    later = time.monotonic() + peers.ANTI_ENTROPY_S + 0.1
    assert peers.pull_due(_status("stopped-sibling", pulled_ago=peers.ANTI_ENTROPY_S + 0.1), later)
