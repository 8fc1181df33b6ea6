"""Business date with a cut-over, and ticket numbers that never collide across lanes."""

import datetime as dt

import pytest

from stores import numbers
from stores.business_day import business_date

TOKYO = dict(time_zone="Asia/Tokyo", cutover=dt.time(4, 0))


def test_a_sale_after_midnight_belongs_to_the_evening_before():
    at = dt.datetime(2026, 11, 23, 17, 30, tzinfo=dt.timezone.utc)  # 02:30 on the 24th in Tokyo
    assert business_date(at, **TOKYO) == dt.date(2026, 11, 23)


def test_a_sale_after_the_cutover_belongs_to_the_new_day():
    at = dt.datetime(2026, 11, 23, 19, 0, tzinfo=dt.timezone.utc)  # 04:00 on the 24th in Tokyo
    assert business_date(at, **TOKYO) == dt.date(2026, 11, 24)


def test_a_naive_time_is_refused():
    with pytest.raises(ValueError):
        business_date(dt.datetime(2026, 11, 23, 12, 0), **TOKYO)


def test_lane_zero_calls_one_two_three():
    assert [numbers.number_for(0, n) for n in (1, 2, 3)] == [1, 2, 3]


def test_lanes_never_share_a_number_in_a_day():
    seen = {}
    for lane in range(numbers.LANES):
        for count in range(1, 999 + 1):
            number = numbers.number_for(lane, count)
            assert number not in seen, (lane, count, seen.get(number))
            seen[number] = (lane, count)


def test_a_lane_wraps_after_999_within_its_own_range():
    assert numbers.number_for(2, 999) == 2999
    assert numbers.number_for(2, 1000) == 2001


@pytest.mark.parametrize(
    ("node", "peers", "lane"),
    [("node1", False, 0), ("node2", True, 1), ("s001-b", True, 1), ("a", True, 0), ("kitchen-host", False, 0)],
)
def test_a_node_takes_its_lane_from_its_name(node, peers, lane):
    assert numbers.lane_for_node(node, has_peers=peers) == lane


def test_a_configured_lane_wins_and_is_checked():
    assert numbers.lane_for_node("node1", configured="7") == 7
    with pytest.raises(ValueError):
        numbers.lane_for_node("node1", configured="12")


def test_nodes_hand_out_register_names_that_never_meet():
    given = {lane: [numbers.register_for_claim(lane, count) for count in range(1, 10)] for lane in range(numbers.LANES)}
    every = [name for names in given.values() for name in names]
    assert len(set(every)) == len(every) == 90
    # Each name is its own ticket block, and the first claim is not the page's default register-1.
    assert len({numbers.lane_for_register(name) for name in every}) == 90
    assert given[0][0] == "register-11" and "register-1" in given[0]
    # After nine, the names come round again.
    assert numbers.register_for_claim(0, 10) == given[0][0]
