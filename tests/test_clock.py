"""Hybrid logical clock: monotonic, causal, and refusing a peer far in the future."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sync.clock import MAX_DRIFT_MS, Clock, ClockDriftError, pack, unpack


def test_tick_follows_the_wall_clock():
    assert Clock().tick(1000).last == pack(1000, 0)


def test_tick_never_goes_backwards_when_the_wall_clock_does():
    clock = Clock().tick(5000)
    later = clock.tick(4000)
    assert later.last > clock.last and unpack(later.last) == (5000, 1)


def test_receive_moves_past_the_remote():
    local = Clock().tick(1000)
    merged = local.receive(pack(2000, 7), now_ms=1500)
    assert merged.last > pack(2000, 7)


def test_a_remote_far_in_the_future_is_refused():
    with pytest.raises(ClockDriftError):
        Clock().receive(pack(10_000 + MAX_DRIFT_MS + 1, 0), now_ms=10_000)


@given(st.lists(st.tuples(st.booleans(), st.integers(0, 10**6), st.integers(0, 10**6)), max_size=60))
def test_timestamps_strictly_increase(steps):
    clock = Clock()
    for is_receive, now, remote in steps:
        before = clock.last
        if is_receive:
            try:
                clock = clock.receive(pack(remote, 0), now_ms=now)
            except ClockDriftError:
                continue
        else:
            clock = clock.tick(now)
        assert clock.last > before
