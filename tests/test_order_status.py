"""The order status lattice (registers/status.py): one definition, checked with random inputs."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from registers import status

statuses = st.sampled_from(status.STATUSES)


@given(statuses, statuses, statuses)
def test_status_join_is_a_semilattice(a, b, c):
    assert status.join(a, b) == status.join(b, a)
    assert status.join(a, status.join(b, c)) == status.join(status.join(a, b), c)
    assert status.join(a, a) == a


@given(st.lists(statuses, min_size=1))
def test_a_voided_order_stays_voided_whatever_else_happened(events):
    result = events[0]
    for event in events[1:]:
        result = status.join(result, event)
    assert (result == status.VOIDED) == (status.VOIDED in events)


@given(st.booleans(), st.booleans(), st.booleans(), st.booleans())
def test_an_orders_status_is_the_highest_of_its_facts(received, all_bumped, served, voided):
    got = status.order_status(received=received, all_bumped=all_bumped, served=served, voided=voided)
    if voided:
        assert got == status.VOIDED
    elif served:
        assert got == status.SERVED
    elif all_bumped:
        assert got == status.READY
    else:
        assert got == (status.IN_KITCHEN if received else status.PLACED)


def test_every_place_that_names_statuses_uses_the_one_definition():
    from typing import get_args

    from integrations.selectors import _STATUS
    from registers.models import Order
    from registers.schemas import OrderOut

    assert [value for value, _ in Order.STATUSES] == list(status.STATUSES)
    assert set(_STATUS) == set(status.STATUSES)
    assert get_args(OrderOut.model_fields["status"].annotation) == status.STATUSES
